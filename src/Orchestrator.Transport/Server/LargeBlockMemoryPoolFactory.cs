using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Orchestrator.Transport.Server;

/// <summary>Hands Kestrel's transport <see cref="LargeBlockMemoryPool"/>s (Kestrel asks for one per listener).</summary>
internal sealed class LargeBlockMemoryPoolFactory(int blockSize) : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool(blockSize);
}
