namespace Orchestrator.Coordinator.Runs;

/// <summary>
/// Each run's loss components at its latest fully reported step: the mean over the step's S shards, assembled from
/// the workers' reports (each sums its own shards). Kept in memory only: it is what people watch, not state a restart
/// must restore. A report whose shards were already counted (a re-placed or repeated report) is ignored, so a shard
/// counts once however often it is computed.
/// </summary>
public sealed class StepLosses
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, RunLosses> runs = new(StringComparer.Ordinal);

    public void Record(string runKey, long step, int shardCount, IReadOnlyCollection<int> shards, IReadOnlyDictionary<string, double> sums)
    {
        if (shards.Count == 0 || shardCount < 1) return;
        lock (gate)
        {
            RunLosses run = runs.TryGetValue(runKey, out RunLosses? known) ? known : runs[runKey] = new RunLosses();
            if (step <= run.LatestStep) return;
            PendingStep pending = run.Pending.TryGetValue(step, out PendingStep? open) ? open : run.Pending[step] = new PendingStep();
            if (shards.Any(pending.Shards.Contains)) return;
            pending.Shards.UnionWith(shards);
            foreach (var (name, value) in sums) pending.Sums[name] = pending.Sums.GetValueOrDefault(name) + value;
            if (pending.Shards.Count < shardCount) return;
            run.LatestStep = step;
            run.Latest = pending.Sums.ToDictionary(kv => kv.Key, kv => kv.Value / shardCount, StringComparer.Ordinal);
            foreach (long done in run.Pending.Keys.Where(s => s <= step).ToList()) run.Pending.Remove(done);
        }
    }

    /// <summary>The latest complete step's mean losses by component; empty before the first step completes.</summary>
    public IReadOnlyDictionary<string, double> Latest(string runKey)
    {
        lock (gate) return runs.TryGetValue(runKey, out RunLosses? run) ? run.Latest : new Dictionary<string, double>();
    }

    private sealed class RunLosses
    {
        public long LatestStep = -1;
        public IReadOnlyDictionary<string, double> Latest = new Dictionary<string, double>();
        public readonly Dictionary<long, PendingStep> Pending = new();
    }

    private sealed class PendingStep
    {
        public readonly HashSet<int> Shards = [];
        public readonly Dictionary<string, double> Sums = new(StringComparer.Ordinal);
    }
}
