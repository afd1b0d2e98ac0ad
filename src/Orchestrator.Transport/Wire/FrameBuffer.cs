using System.Buffers;
using System.Buffers.Binary;

namespace Orchestrator.Transport.Wire;

/// <summary>
/// A pooled buffer that holds one frame: the serializer writes the message after a reserved 5-byte header, which
/// <see cref="Seal"/> then fills in, so the frame goes out in one write with no extra copy. An unpooled buffer is
/// for frames whose last reader is not known (HttpClient may resend request content), so the GC frees them.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    public const int HeaderLength = 5;
    private const int InitialCapacity = 4096;

    private readonly ArrayPool<byte>? _pool;
    private byte[]? _array;
    private int _written = HeaderLength;

    public FrameBuffer(bool pooled)
    {
        _pool = pooled ? ArrayPool<byte>.Shared : null;
        _array = Rent(InitialCapacity);
    }

    public int MessageLength => _written - HeaderLength;

    /// <summary>The whole frame, header included; valid after <see cref="Seal"/> and until disposal.</summary>
    public ReadOnlyMemory<byte> Frame => Array.AsMemory(0, _written);

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(FrameBuffer));

    public void Advance(int count)
    {
        if (count < 0 || _written + count > Array.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return Array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return Array.AsSpan(_written);
    }

    /// <summary>Writes the header: not compressed, then the message length, big-endian (more than this buffer holds when the rest follows in another write).</summary>
    public void Seal(int messageLength)
    {
        Array[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(Array.AsSpan(1, 4), (uint)messageLength);
    }

    public void Dispose()
    {
        if (_array is null) return;
        _pool?.Return(_array);
        _array = null;
    }

    private void Reserve(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (Array.Length - _written >= needed) return;
        long grown = Math.Max((long)Array.Length * 2, (long)_written + needed);
        if (grown > System.Array.MaxLength) grown = (long)_written + needed;
        if (grown > System.Array.MaxLength) throw new RpcException(StatusCode.ResourceExhausted, "message is too large to frame");
        byte[] larger = Rent((int)grown);
        Array.AsSpan(0, _written).CopyTo(larger);
        _pool?.Return(Array);
        _array = larger;
    }

    private byte[] Rent(int length) => _pool?.Rent(length) ?? GC.AllocateUninitializedArray<byte>(length);
}
