using System.Buffers;
using System.Runtime.InteropServices;

namespace Orchestrator.Protocol;

/// <summary>
/// Bytes in an array rented from <see cref="ArrayPool{T}.Shared"/>, so a stream of megabyte-sized messages reuses a few
/// arrays instead of allocating (and page-faulting in) a fresh large-object-heap array for each.
/// </summary>
public sealed class RentedBytes : MemoryManager<byte>
{
    private readonly int _length;
    private byte[]? _array;

    private RentedBytes(int length)
    {
        _length = length;
        _array = ArrayPool<byte>.Shared.Rent(length);
    }

    /// <summary>A copy of <paramref name="source"/> in a rented array.</summary>
    public static ReadOnlyMemory<byte> CopyOf(ReadOnlySequence<byte> source)
    {
        var rented = new RentedBytes(checked((int)source.Length));
        source.CopyTo(rented.GetSpan());
        return rented.Memory;
    }

    /// <summary>
    /// Gives the array back if <paramref name="bytes"/> came from <see cref="CopyOf"/> (other memory is left alone).
    /// The caller promises nothing reads those bytes afterwards; memory never released just goes to the GC.
    /// </summary>
    public static void Release(ReadOnlyMemory<byte> bytes)
    {
        if (MemoryMarshal.TryGetMemoryManager(bytes, out RentedBytes? rented)) rented.Return();
    }

    public override Span<byte> GetSpan() => (_array ?? throw new ObjectDisposedException(nameof(RentedBytes))).AsSpan(0, _length);

    public override MemoryHandle Pin(int elementIndex = 0) =>
        (_array ?? throw new ObjectDisposedException(nameof(RentedBytes))).AsMemory(elementIndex, _length - elementIndex).Pin();

    // Pin's handle unpins itself when disposed.
    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => Return();

    private void Return()
    {
        byte[]? array = Interlocked.Exchange(ref _array, null);
        if (array is not null) ArrayPool<byte>.Shared.Return(array);
    }
}
