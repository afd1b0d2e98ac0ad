using System.Buffers;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport.Server.InPlace;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Where gradient chunks pushed by peers meet this worker's all-reduce. A chunk of an exchange that is open goes straight
/// to its reduction while its bytes still lie in the transport's buffer. A peer may be ahead (its chunks arrive before
/// this worker opens the exchange) or behind (chunks of an attempt this worker has moved past): the first are copied and
/// kept until the exchange opens, the second dropped. Only the newest exchange opened per run, and the ones after it,
/// are kept.
/// </summary>
public sealed class GradientMailbox
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ExchangeKey, Inbox> _inboxes = [];
    private readonly Dictionary<string, ExchangeKey> _newestOpened = new(StringComparer.Ordinal);

    /// <summary>Chunks dropped because their exchange was already over.</summary>
    public long Dropped { get; private set; }

    /// <summary>Chunks whose data was received straight into their exchange's sum (<see cref="Land"/>).</summary>
    public long Landed => Interlocked.Read(ref _landed);

    private long _landed;

    /// <summary>A pushed chunk's message, parsed and delivered while <paramref name="message"/> is valid (a server's request parser).</summary>
    public DeliveredChunk Deliver(ReadOnlySequence<byte> message)
    {
        GradientChunk header = GradientChunkMarshaller.ParseHeader(message, out ReadOnlySequence<byte> data);
        Deliver(header, data);
        return new DeliveredChunk(data.Length);
    }

    /// <summary>
    /// Delivers a peer's chunk: its fields from <paramref name="header"/>, its data from <paramref name="data"/>, which
    /// is read during the call only. False when its exchange is already over (the chunk is dropped).
    /// </summary>
    public bool Deliver(GradientChunk header, ReadOnlySequence<byte> data)
    {
        var key = new ExchangeKey(header.RunId, header.Step, header.Attempt);
        ReductionState? reduction;
        lock (_gate)
        {
            if (_newestOpened.TryGetValue(key.RunId, out ExchangeKey newest) && key.CompareTo(newest) < 0)
            {
                Dropped++;
                return false;
            }
            Inbox inbox = InboxOf(key);
            reduction = inbox.Reduction;
            if (reduction is null)
            {
                inbox.Early.Add((header, data.IsEmpty ? ReadOnlyMemory<byte>.Empty : RentedBytes.CopyOf(data)));
                return true;
            }
        }
        reduction.Offer(header, data);
        return true;
    }

    /// <summary>
    /// Where the data of a pushed chunk goes, from the message's first bytes: straight into its open exchange's sum
    /// when the exchange takes it there (<see cref="ReductionState.Land"/>); null to take the message whole as usual
    /// (an exchange not open yet, or over; a chunk to fold; anything the usual path should report).
    /// </summary>
    public MessageLanding? Land(ReadOnlySequence<byte> head, int length, Action abortConnection, out long dataBytes)
    {
        dataBytes = 0;
        if (!GradientChunkMarshaller.TryParseHead(head, length, out GradientChunk? header, out int dataStart)) return null;
        var key = new ExchangeKey(header.RunId, header.Step, header.Attempt);
        ReductionState? reduction;
        lock (_gate)
        {
            if (_newestOpened.TryGetValue(key.RunId, out ExchangeKey newest) && key.CompareTo(newest) < 0) return null;
            if (!_inboxes.TryGetValue(key, out Inbox? inbox) || (reduction = inbox.Reduction) is null) return null;
        }
        MessageLanding? landing = reduction.Land(header, head.Slice(dataStart), length - dataStart, abortConnection);
        if (landing is null) return null;
        Interlocked.Increment(ref _landed);
        dataBytes = length - dataStart;
        return landing;
    }

    /// <summary>
    /// Opens the exchange of <paramref name="key"/>, discarding every older exchange of its run: chunks delivered from
    /// now on go to <paramref name="reduction"/>, and the ones that came early are handed to it here.
    /// </summary>
    internal void Open(ExchangeKey key, ReductionState reduction)
    {
        List<(GradientChunk Header, ReadOnlyMemory<byte> Data)> early;
        lock (_gate)
        {
            if (!_newestOpened.TryGetValue(key.RunId, out ExchangeKey newest) || newest.CompareTo(key) < 0) _newestOpened[key.RunId] = key;
            foreach (ExchangeKey old in _inboxes.Keys.Where(k => k.RunId == key.RunId && k.CompareTo(key) < 0).ToList()) Discard(old);
            Inbox inbox = InboxOf(key);
            if (inbox.Reduction is not null) throw new InvalidOperationException($"{key} is already open");
            inbox.Reduction = reduction;
            (early, inbox.Early) = (inbox.Early, []);
        }
        foreach (var (header, data) in early) reduction.Offer(header, new ReadOnlySequence<byte>(data), owned: data);
    }

    /// <summary>Ends an exchange: its inbox and whatever is still in it go.</summary>
    public void Close(ExchangeKey key)
    {
        lock (_gate) Discard(key);
    }

    /// <summary>Forgets a run entirely (it ended or was cancelled).</summary>
    public void Forget(string runId)
    {
        lock (_gate)
        {
            foreach (ExchangeKey key in _inboxes.Keys.Where(k => k.RunId == runId).ToList()) Discard(key);
            _newestOpened.Remove(runId);
        }
    }

    private Inbox InboxOf(ExchangeKey key)
    {
        if (!_inboxes.TryGetValue(key, out Inbox? inbox)) _inboxes[key] = inbox = new Inbox();
        return inbox;
    }

    private void Discard(ExchangeKey key)
    {
        if (!_inboxes.Remove(key, out Inbox? inbox)) return;
        foreach (var (_, data) in inbox.Early) RentedBytes.Release(data);
    }

    /// <summary>An exchange's reduction once it is open; until then, the chunks that came early, with their data copied.</summary>
    private sealed class Inbox
    {
        public ReductionState? Reduction { get; set; }

        public List<(GradientChunk Header, ReadOnlyMemory<byte> Data)> Early { get; set; } = [];
    }
}
