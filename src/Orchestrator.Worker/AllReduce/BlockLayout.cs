using Orchestrator.Distillation.Matching;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// The step's buffer of <see cref="Length"/> floats as the sum sees it: one block per shard, block b summed over the
/// shards in the cyclic order b + 1, ..., b (<see cref="ShardReduction"/>'s order), and each block in chunks of at
/// most <see cref="ChunkElements"/> that travel and are summed on their own.
/// </summary>
public sealed class BlockLayout
{
    public BlockLayout(long length, int shards, int chunkElements)
    {
        (Length, Shards, ChunkElements) = (length, shards, chunkElements);
        long longest = (length + shards - 1) / shards;
        ChunksPerBlock = (int)Math.Max(1, (longest + chunkElements - 1) / chunkElements);
    }

    public long Length { get; }
    public int Shards { get; }
    public int ChunkElements { get; }

    /// <summary>Chunks in every block (the last ones of a short block may be empty).</summary>
    public int ChunksPerBlock { get; }

    /// <summary>Element range of chunk <paramref name="chunk"/> of <paramref name="block"/>.</summary>
    public (long Offset, int Count) Chunk(int block, int chunk)
    {
        long blockEnd = ShardReduction.BlockStart(Length, Shards, block + 1);
        long start = ShardReduction.BlockStart(Length, Shards, block) + (long)chunk * ChunkElements;
        return (start, (int)Math.Max(0, Math.Min(blockEnd, start + ChunkElements) - start));
    }

    /// <summary>The shard at <paramref name="position"/> of block <paramref name="block"/>'s summing order.</summary>
    public int ShardAt(int block, int position) => ShardReduction.ShardAt(block, position, Shards);
}
