using Orchestrator.Coordinator.Placement;

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
/// <param name="EvaluationRows">The evaluation table's rows in order, baselines first; the last is the method's own, whose
/// mean per IPC is the run's accuracy.</param>
/// <param name="EvaluationRuns">Networks trained per row and IPC (the K of mean ± std).</param>
/// <param name="Config">The resolved run config workers compute with (every key, the output folder set); opaque here.</param>
public sealed record RunPlan(ulong Seed, long MatchSteps, int Shards, IReadOnlyList<int> Ipc, IReadOnlyList<string> Pool, long StepsPerEpoch,
    IReadOnlyList<string> EvaluationRows, int EvaluationRuns, string Config = "")
{
    /// <summary>The evaluation's units, one per IPC, row and run, in the table's order (by IPC, then row, then run).</summary>
    public IReadOnlyList<EvaluationKey> EvaluationUnits =>
        [.. from ipc in Ipc from row in EvaluationRows from k in Enumerable.Range(0, EvaluationRuns) select new EvaluationKey(row, ipc, k)];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (MatchSteps < 0) throw new ArgumentException($"plan: MatchSteps {MatchSteps} must be ≥ 0");
        if (Shards < 1) throw new ArgumentException($"plan: Shards {Shards} must be ≥ 1");
        if (Ipc.Count == 0 || Ipc.Any(i => i < 1)) throw new ArgumentException("plan: Ipc needs one or more positive counts");
        if (Pool.Count == 0 || Pool.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("plan: Pool needs one or more architecture names");
        if (StepsPerEpoch < 1) throw new ArgumentException($"plan: StepsPerEpoch {StepsPerEpoch} must be ≥ 1");
        if (EvaluationRows.Count == 0 || EvaluationRows.Any(string.IsNullOrWhiteSpace) || EvaluationRows.Distinct().Count() != EvaluationRows.Count)
            throw new ArgumentException("plan: EvaluationRows needs one or more distinct row names");
        if (EvaluationRuns < 1) throw new ArgumentException($"plan: EvaluationRuns {EvaluationRuns} must be ≥ 1");
        if (Ipc.Distinct().Count() != Ipc.Count) throw new ArgumentException("plan: Ipc lists a count twice");
    }
}
