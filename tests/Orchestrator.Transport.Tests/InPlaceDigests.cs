using System.Security.Cryptography;
using System.Text;
using Orchestrator.Transport.Server.InPlace;

namespace Orchestrator.Transport.Tests;

/// <summary>Digest (SHA-256 and length of the concatenated messages), served in place; counts its calls.</summary>
internal sealed class InPlaceDigests
{
    private int _calls;

    public int Calls => _calls;

    public long Sent { get; set; }

    public InPlaceCall<byte[], byte[]> Open()
    {
        Interlocked.Increment(ref _calls);
        return new DigestCall();
    }

    private sealed class DigestCall : InPlaceCall<byte[], byte[]>
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _total;

        public override void OnMessage(byte[] message)
        {
            if (message.AsSpan().SequenceEqual("boom"u8)) throw new InvalidOperationException("a handler bug");
            _sha.AppendData(message);
            _total += message.Length;
        }

        public override byte[] Complete() => Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(_sha.GetHashAndReset())}:{_total}");
    }
}
