namespace Orchestrator.Coordinator.Runs;

/// <summary>
/// The method's knowledge the scheduler needs, kept behind one seam: how a spec resolves to a plan, which pool
/// architecture a shard draws (it follows from the run seed, the step and the shard index), and how the evaluation's
/// results become the run's report.
/// </summary>
public interface IRunPlanner
{
    /// <summary>Resolves and checks <paramref name="spec"/>; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    RunPlan Plan(RunSpec spec);

    /// <summary>The pool architecture of shard <paramref name="shard"/> of generator step <paramref name="step"/>.</summary>
    string ArchitectureOf(RunPlan plan, long step, int shard);

    /// <summary>
    /// Writes the report of a run whose evaluation finished (the table of every unit's accuracy) where the run's outputs
    /// go. Called again for a completed run submitted again, so it must give the same files each time.
    /// </summary>
    void WriteReport(RunPlan plan, IReadOnlyList<EvaluationResult> results);
}
