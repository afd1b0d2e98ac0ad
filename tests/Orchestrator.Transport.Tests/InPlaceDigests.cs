using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Transport.Server.InPlace;

namespace Orchestrator.Transport.Tests;

/// <summary>
/// Digest (SHA-256 and length of the concatenated messages), served in place; counts its calls. With
/// <see cref="Lands"/>, each call lands every message it is offered in an array of its own, whose bytes then reach
/// the digest as the message would have.
/// </summary>
internal sealed class InPlaceDigests
{
    private readonly TaskCompletionSource<Action> _firstOffer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private int _landed;

    public bool Lands { get; init; }

    public int Calls => _calls;

    /// <summary>Messages that arrived through a landing.</summary>
    public int Landed => _landed;

    /// <summary>Why landings failed, in order.</summary>
    public ConcurrentQueue<Exception> LandingFailures { get; } = new();

    /// <summary>The connection's abort that came with the first message offered for landing.</summary>
    public Task<Action> FirstOffer => _firstOffer.Task;

    public long Sent { get; set; }

    public InPlaceCall<byte[], byte[]> Open()
    {
        Interlocked.Increment(ref _calls);
        return new DigestCall(this);
    }

    private sealed class DigestCall(InPlaceDigests digests) : InPlaceCall<byte[], byte[]>
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _total;

        public override void OnMessage(byte[] message)
        {
            if (message.AsSpan().SequenceEqual("boom"u8)) throw new InvalidOperationException("a handler bug");
            _sha.AppendData(message);
            _total += message.Length;
        }

        public override MessageLanding? Land(ReadOnlySequence<byte> head, int length, Action abortConnection)
        {
            digests._firstOffer.TrySetResult(abortConnection);
            return digests.Lands ? new DigestLanding(this, digests, head.ToArray(), length) : null;
        }

        public override byte[] Complete() => Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(_sha.GetHashAndReset())}:{_total}");
    }

    private sealed class DigestLanding(DigestCall call, InPlaceDigests digests, byte[] head, int length) : MessageLanding
    {
        private readonly byte[] _rest = new byte[length - head.Length];

        public override Span<byte> Rest => _rest;

        public override void Landed()
        {
            Interlocked.Increment(ref digests._landed);
            call.OnMessage([.. head, .. _rest]);
        }

        public override void Failed(Exception reason) => digests.LandingFailures.Enqueue(reason);
    }
}
