using System.Buffers;
using Orchestrator.Transport.Server;

namespace Orchestrator.Transport.Tests;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void every_rent_is_a_whole_block_and_a_returned_block_is_reused()
    {
        using var pool = new LargeBlockMemoryPool(64 * 1024);
        IMemoryOwner<byte> first = pool.Rent(2048);
        Assert.Equal(64 * 1024, first.Memory.Length);
        first.Memory.Span[0] = 42;
        first.Dispose();
        first.Dispose();
        using IMemoryOwner<byte> second = pool.Rent();
        using IMemoryOwner<byte> third = pool.Rent();
        Assert.Equal(42, second.Memory.Span[0]);
        Assert.NotEqual(0, third.Memory.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
    }

    [Fact]
    public void asking_for_more_than_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPool(64 * 1024);
        Assert.Equal(64 * 1024, pool.MaxBufferSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(64 * 1024 + 1));
    }

    [Fact]
    public void a_server_refuses_a_block_size_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpcServerOptions { MemoryBlockSize = 1024 }.Validate());
    }
}
