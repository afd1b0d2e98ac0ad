using System.Buffers;
using Orchestrator.Transport.Wire;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// One request stream of an in-place connection: its send window, its deadline, and the gRPC messages cut
/// from its DATA frames. Fed frames where they lie, a message inside one frame goes to the call where it lies; one
/// split across frames is gathered into a buffer of its own first. Pulling DATA from the socket instead
/// (<see cref="Pull"/>), each message is received straight into a buffer of its own, or into the call's destination.
/// </summary>
internal sealed class CallStream(int id, long sendWindow)
{
    /// <summary>Messages at least this long are offered to their call for landing; their first bytes are its head.</summary>
    private const int LandingThreshold = 16 * 1024, LandingHead = 512;

    private readonly byte[] _prefix = new byte[FrameBuffer.HeaderLength];
    private int _prefixFilled;
    private long _bodyLength = -1;
    private byte[]? _partial;
    private int _bodyFilled;
    private InPlaceClientStreamingMethod.IRequestSink? _sink;
    private bool _landingOffered;
    private MessageLanding? _landing;

    public int Id { get; } = id;

    public long SendWindow { get; set; } = sendWindow;

    /// <summary>Request bytes received on this stream whose window has not been reopened yet.</summary>
    public long Unacknowledged { get; set; }

    public DateTime Deadline { get; set; } = DateTime.MaxValue;

    public bool RequestEnded { get; set; }

    public void Open(InPlaceClientStreamingMethod.IRequestSink sink) => _sink = sink;

    /// <summary>Cuts <paramref name="data"/> into messages for the call; a malformed or oversized one is an RpcException.</summary>
    public void Feed(ReadOnlySequence<byte> data, int maxMessageSize)
    {
        CheckDeadline();
        while (!data.IsEmpty)
        {
            if (_bodyLength < 0)
            {
                int take = (int)Math.Min(_prefix.Length - _prefixFilled, data.Length);
                data.Slice(0, take).CopyTo(_prefix.AsSpan(_prefixFilled));
                _prefixFilled += take;
                data = data.Slice(take);
                if (_prefixFilled < _prefix.Length) return;
                _prefixFilled = 0;
                _bodyLength = FrameReader.ReadHeader(new ReadOnlySequence<byte>(_prefix), maxMessageSize);
                if (_bodyLength == 0) Deliver(ReadOnlySequence<byte>.Empty);
                continue;
            }
            if (_partial is null && data.Length >= _bodyLength)
            {
                ReadOnlySequence<byte> message = data.Slice(0, _bodyLength);
                data = data.Slice(message.End);
                Deliver(message);
                continue;
            }
            _partial ??= ArrayPool<byte>.Shared.Rent((int)_bodyLength);
            int copied = (int)Math.Min(_bodyLength - _bodyFilled, data.Length);
            data.Slice(0, copied).CopyTo(_partial.AsSpan(_bodyFilled));
            _bodyFilled += copied;
            data = data.Slice(copied);
            if (_bodyFilled < _bodyLength) return;
            DeliverPartial();
        }
    }

    /// <summary>
    /// Pulls <paramref name="length"/> DATA bytes from <paramref name="source"/> and cuts them into messages, as
    /// <see cref="Feed"/> does; each message's body is received straight into a buffer of its own or, when its call
    /// lands it (<see cref="InPlaceCall{TRequest, TResponse}.Land"/>), after its head, where the call says.
    /// </summary>
    public void Pull(IPayloadSource source, int length, int maxMessageSize)
    {
        CheckDeadline();
        while (length > 0)
        {
            int take;
            if (_bodyLength < 0)
            {
                take = Math.Min(_prefix.Length - _prefixFilled, length);
                source.ReadExactly(_prefix.AsSpan(_prefixFilled, take));
                length -= take;
                _prefixFilled += take;
                if (_prefixFilled < _prefix.Length) return;
                _prefixFilled = 0;
                _bodyLength = FrameReader.ReadHeader(new ReadOnlySequence<byte>(_prefix), maxMessageSize);
                if (_bodyLength == 0) Deliver(ReadOnlySequence<byte>.Empty);
                _landingOffered = _bodyLength < LandingThreshold;
                continue;
            }
            if (_landing is not null)
            {
                take = (int)Math.Min(_bodyLength - _bodyFilled, length);
                source.ReadExactly(_landing.Rest.Slice(_bodyFilled - LandingHead, take));
                length -= take;
                _bodyFilled += take;
                if (_bodyFilled == _bodyLength) Landed();
                continue;
            }
            _partial ??= ArrayPool<byte>.Shared.Rent((int)_bodyLength);
            // A message large enough to land is read up to its head first, and its call asked where the rest goes.
            take = (int)Math.Min((_landingOffered ? _bodyLength : LandingHead) - _bodyFilled, length);
            source.ReadExactly(_partial.AsSpan(_bodyFilled, take));
            length -= take;
            _bodyFilled += take;
            if (!_landingOffered && _bodyFilled == LandingHead) OfferLanding(source);
            else if (_bodyFilled == _bodyLength) DeliverPartial();
        }
    }

    /// <summary>The stream is gone (answered, reset, or its connection ended): a message being landed is failed.</summary>
    public void Drop(Exception reason)
    {
        MessageLanding? landing = _landing;
        _landing = null;
        landing?.Failed(reason);
    }

    private void OfferLanding(IPayloadSource source)
    {
        _landingOffered = true;
        MessageLanding? landing = _sink!.Land(new ReadOnlySequence<byte>(_partial!, 0, LandingHead), (int)_bodyLength, source.Abort);
        if (landing is null) return;
        ArrayPool<byte>.Shared.Return(_partial!);
        _partial = null;
        _landing = landing;
        if (landing.Rest.Length != _bodyLength - LandingHead)
            throw new InvalidOperationException($"a landing for the {_bodyLength - LandingHead} bytes after a message's head holds {landing.Rest.Length}");
    }

    private void Landed()
    {
        MessageLanding landing = _landing!;
        _landing = null;
        _bodyLength = -1;
        _bodyFilled = 0;
        landing.Landed();
    }

    private void DeliverPartial()
    {
        byte[] gathered = _partial!;
        _partial = null;
        _bodyFilled = 0;
        try
        {
            Deliver(new ReadOnlySequence<byte>(gathered, 0, (int)_bodyLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(gathered);
        }
    }

    /// <summary>The request stream ended: the response, serialized, unless a message was cut short.</summary>
    public void Complete(IBufferWriter<byte> response)
    {
        CheckDeadline();
        if (_bodyLength >= 0 || _prefixFilled > 0)
            throw new RpcException(StatusCode.Internal, "Incomplete message: the request stream ended inside a message.");
        _sink!.Complete(response);
    }

    /// <summary>Checked as data arrives and when the request ends: nothing else wakes this loop for a stream.</summary>
    private void CheckDeadline()
    {
        if (Deadline < DateTime.UtcNow) throw new RpcException(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    }

    private void Deliver(ReadOnlySequence<byte> message)
    {
        _bodyLength = -1;
        _sink!.Accept(message);
    }
}
