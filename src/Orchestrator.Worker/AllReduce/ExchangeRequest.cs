namespace Orchestrator.Worker.AllReduce;

/// <summary>One all-reduce as this member sees it.</summary>
/// <param name="ShardCount">S: the step's shards; the sum covers shards 0..S-1, folded in that order.</param>
/// <param name="Ring">Every member, in rank order; each shard belongs to exactly one.</param>
/// <param name="Rank">This member's rank.</param>
/// <param name="ChunkElements">Floats per chunk: segments travel in chunks so sending, summing and forwarding overlap.</param>
public sealed record ExchangeRequest(ExchangeKey Key, int ShardCount, IReadOnlyList<ExchangeMember> Ring, int Rank, int ChunkElements = 256 * 1024)
{
    public ExchangeMember Self => Ring[Rank];

    /// <summary>Throws <see cref="ArgumentException"/> naming what is inconsistent.</summary>
    public void Validate()
    {
        if (ShardCount < 1) throw new ArgumentException($"{Key}: shard count {ShardCount} must be positive");
        if (ChunkElements < 1) throw new ArgumentException($"{Key}: chunk size {ChunkElements} must be positive");
        if (Rank < 0 || Rank >= Ring.Count) throw new ArgumentException($"{Key}: rank {Rank} is outside the ring of {Ring.Count}");
        for (int r = 0; r < Ring.Count; r++)
            if (Ring[r].Rank != r) throw new ArgumentException($"{Key}: ring position {r} holds rank {Ring[r].Rank}");
        var shards = Ring.SelectMany(m => m.Shards).Order().ToList();
        if (!shards.SequenceEqual(Enumerable.Range(0, ShardCount)))
            throw new ArgumentException($"{Key}: the ring's shards [{string.Join(", ", shards)}] are not each of 0..{ShardCount - 1} once");
    }
}
