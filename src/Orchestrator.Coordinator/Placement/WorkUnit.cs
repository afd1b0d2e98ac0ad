namespace Orchestrator.Coordinator.Placement;

/// <summary>
/// One unit of work of a run. A shard is (run, step, shard index) and needs a worker owning its pool
/// <see cref="Architecture"/>; pretraining and each evaluation unit (step 0, shard 0, the <see cref="Evaluation"/> it
/// computes) run on any worker.
/// </summary>
public sealed record WorkUnit(string RunKey, WorkKind Kind, long Step, int Shard, string? Architecture, EvaluationKey? Evaluation = null)
{
    public override string ToString() => Kind switch
    {
        WorkKind.Shard => $"{RunKey} step {Step} shard {Shard} ({Architecture})",
        WorkKind.Evaluate when Evaluation is not null => $"{RunKey} evaluate {Evaluation}",
        _ => $"{RunKey} {Kind.ToString().ToLowerInvariant()}",
    };
}
