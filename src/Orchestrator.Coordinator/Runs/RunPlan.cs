namespace Orchestrator.Coordinator.Runs;

/// <summary>
/// The shape of a run's work, fixed when it is submitted and stored with it, so a restarted coordinator schedules the
/// same shards even if the config files changed since.
/// </summary>
/// <param name="Seed">The run seed.</param>
/// <param name="MatchSteps">Generator steps of the matching stage.</param>
/// <param name="Shards">Shards per generator step.</param>
/// <param name="Ipc">Images-per-class counts the evaluation reports an accuracy for.</param>
/// <param name="Pool">The model pool the shards' architectures are drawn from.</param>
/// <param name="StepsPerEpoch">Generator steps per epoch (the pool network is drawn again each epoch).</param>
/// <param name="Config">The resolved run config workers compute with (every key, the output folder set); opaque here.</param>
public sealed record RunPlan(ulong Seed, long MatchSteps, int Shards, IReadOnlyList<int> Ipc, IReadOnlyList<string> Pool, long StepsPerEpoch, string Config = "")
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (MatchSteps < 0) throw new ArgumentException($"plan: MatchSteps {MatchSteps} must be ≥ 0");
        if (Shards < 1) throw new ArgumentException($"plan: Shards {Shards} must be ≥ 1");
        if (Ipc.Count == 0 || Ipc.Any(i => i < 1)) throw new ArgumentException("plan: Ipc needs one or more positive counts");
        if (Pool.Count == 0 || Pool.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("plan: Pool needs one or more architecture names");
        if (StepsPerEpoch < 1) throw new ArgumentException($"plan: StepsPerEpoch {StepsPerEpoch} must be ≥ 1");
    }
}
