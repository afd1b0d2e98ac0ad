using System.Buffers;
using System.Collections.Concurrent;

namespace Orchestrator.Transport.Server;

/// <summary>
/// Kestrel's buffers in blocks of <see cref="BlockSize"/> bytes instead of its 4 KiB ones. The socket transport reads
/// into whatever room the current block has, so a tensor stream arrives in receives of up to a block, not 4 KiB each,
/// and HTTP/2 DATA frames land in one segment. Blocks live on the pinned object heap (sockets and pipes may hand them to
/// native code) and are reused; at most 64 MiB of free ones are kept, the rest go to the GC.
/// </summary>
internal sealed class LargeBlockMemoryPool(int blockSize) : MemoryPool<byte>
{
    // Free blocks kept for reuse: 64 MiB of them (a connection window in flight), at least 16.
    private readonly int _retainedBlocks = Math.Max(16, 64 * 1024 * 1024 / blockSize);
    private readonly ConcurrentQueue<byte[]> _free = new();
    private volatile bool _disposed;

    public int BlockSize { get; } = blockSize;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (minBufferSize > BlockSize) throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"blocks are {BlockSize} bytes");
        return new Block(this, _free.TryDequeue(out byte[]? array) ? array : GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private void Return(byte[] array)
    {
        if (!_disposed && _free.Count < _retainedBlocks) _free.Enqueue(array);
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            byte[]? array = Interlocked.Exchange(ref _array, null);
            if (array is not null) pool.Return(array);
        }
    }
}
