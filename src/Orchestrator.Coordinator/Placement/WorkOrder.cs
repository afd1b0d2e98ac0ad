using Orchestrator.Coordinator.Runs;

namespace Orchestrator.Coordinator.Placement;

/// <summary>
/// What one worker is to do for one run now: pretrain, evaluate one unit, or compute its shards of the current step and join
/// the step's all-reduce with the other <see cref="Ring"/> members. A new attempt of the same step is a new order.
/// </summary>
/// <param name="Shards">This worker's shards of the step (empty for pretrain and evaluate).</param>
/// <param name="Ring">Every member of the step's all-reduce in rank order (members ranked by their first shard).</param>
/// <param name="Rank">This worker's position in <paramref name="Ring"/>.</param>
/// <param name="Evaluation">The evaluation unit to compute (evaluate orders only).</param>
public sealed record WorkOrder(string RunKey, WorkKind Kind, long Step, long Attempt, IReadOnlyList<int> Shards,
    IReadOnlyList<RingPosition> Ring, int Rank, RunPlan Plan, EvaluationKey? Evaluation = null)
{
    /// <summary>Identifies the order: the same run, kind, step, attempt (and evaluation unit) is the same order, sent once.</summary>
    public string Identity => Evaluation is null ? $"{RunKey}/{Kind}/{Step}/{Attempt}" : $"{RunKey}/{Kind}/{Step}/{Attempt}/{Evaluation}";
}

/// <summary>A member of a step's all-reduce: the worker, where it is reached (and takes gradient pushes, when apart), the step's shards it holds.</summary>
public sealed record RingPosition(string WorkerId, string Address, IReadOnlyList<int> Shards, string PushAddress = "");
