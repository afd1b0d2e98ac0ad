using Orchestrator.Protocol.V1;

namespace Orchestrator.Worker;

/// <summary>
/// The assignments a worker has taken, so one the coordinator sends again (its stream is re-opened after a
/// re-registration and starts with the current orders) runs once. Re-sends are of a run's latest orders, so each run
/// keeps only its last few; a finished run is forgotten. Not thread-safe: the caller holds its lock.
/// </summary>
internal sealed class SeenAssignments
{
    private const int PerRun = 8;
    private readonly Dictionary<string, Queue<(WorkKind Kind, long Step, long Attempt, EvaluationUnit? Unit)>> runs = new(StringComparer.Ordinal);

    /// <summary>True the first time an assignment is seen (an evaluation unit's attempt counts its own placements).</summary>
    public bool Add(StepAssignment assignment)
    {
        var identity = (assignment.Kind, assignment.Step, assignment.Attempt, assignment.Evaluation);
        var recent = runs.TryGetValue(assignment.RunId, out var known) ? known : runs[assignment.RunId] = new Queue<(WorkKind, long, long, EvaluationUnit?)>();
        if (recent.Contains(identity)) return false;
        if (recent.Count == PerRun) recent.Dequeue();
        recent.Enqueue(identity);
        return true;
    }

    public void Forget(string runId) => runs.Remove(runId);

    /// <summary>Forgets every run: after registering again, the coordinator's orders are taken anew.</summary>
    public void Clear() => runs.Clear();
}
