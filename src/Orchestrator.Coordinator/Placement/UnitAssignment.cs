using Orchestrator.Coordinator.Runs;

namespace Orchestrator.Coordinator.Placement;

/// <summary>A unit of the run's current stage or step, and who holds it.</summary>
/// <param name="Attempt">The run's placement attempt that gave the unit to its worker: a unit placed anew is a new order.</param>
public sealed record UnitAssignment(WorkUnit Unit, UnitStatus Status, string? WorkerId, string? PendingReason, long Attempt = 0)
{
    /// <summary>
    /// Whether the unit's worker holds work that dies with it while the run is <paramref name="run"/>: an assigned unit,
    /// or, while matching, a shard it already reported. A step's shards live in its all-reduce until every member has
    /// reported, so a member lost before that takes its finished shards with it and they are computed again.
    /// </summary>
    public bool IsHeldWhile(RunStatus run) => Status == UnitStatus.Assigned || (Status == UnitStatus.Done && run == RunStatus.Matching);
}
