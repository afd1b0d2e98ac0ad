using System.Buffers;
using System.Runtime.InteropServices;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// A slice of a float array seen as its little-endian bytes, without copying: a gradient chunk's ByteString wraps it
/// (UnsafeByteOperations), and the reduction keeps own and received chunks alike as bytes.
/// </summary>
internal sealed class FloatBytes(float[] array, int start, int length) : MemoryManager<byte>
{
    public static Memory<byte> Of(float[] array, int start, int length) => new FloatBytes(array, start, length).Memory;

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(array.AsSpan(start, length));

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        GCHandle handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + (long)start * sizeof(float) + elementIndex, handle);
    }

    // The GCHandle in the MemoryHandle that Pin returned unpins when disposed; nothing else is held.
    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
