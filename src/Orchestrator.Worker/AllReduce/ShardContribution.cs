namespace Orchestrator.Worker.AllReduce;

/// <summary>The left fold, in shard order, of shards [<see cref="ShardBegin"/>, <see cref="ShardEnd"/>) of a buffer.</summary>
public sealed record ShardContribution(int ShardBegin, int ShardEnd, float[] Values)
{
    /// <summary>
    /// A member's shards as contributions to a fold in shard order: a run starting at shard 0 is summed here (it is the
    /// fold's own beginning), every later shard must be added at the reducer in its turn, so it travels alone.
    /// </summary>
    public static IReadOnlyList<ShardContribution> Group(IReadOnlyList<(int Shard, float[] Values)> shards)
    {
        var ordered = shards.OrderBy(s => s.Shard).ToList();
        var groups = new List<ShardContribution>();
        int prefix = 0;
        while (prefix < ordered.Count && ordered[prefix].Shard == prefix) prefix++;
        if (prefix == 1) groups.Add(new ShardContribution(0, 1, ordered[0].Values));
        else if (prefix > 1)
        {
            // A new array: the callers' buffers are only read.
            float[] sum = (float[])ordered[0].Values.Clone();
            for (int k = 1; k < prefix; k++) Fold.Add(sum, ordered[k].Values);
            groups.Add(new ShardContribution(0, prefix, sum));
        }
        groups.AddRange(ordered.Skip(prefix).Select(s => new ShardContribution(s.Shard, s.Shard + 1, s.Values)));
        return groups;
    }
}
