using System.Collections.Concurrent;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Workers;

namespace Orchestrator.Coordinator.Placement;

/// <summary>
/// The units of every active run as last saved, kept in memory: worker loads for placement, what each worker holds for
/// its heartbeat, which runs to tell when a worker dies or joins. Only run entities write it, after their state is saved.
/// </summary>
internal sealed class AssignmentBook
{
    private readonly ConcurrentDictionary<string, RunSnapshot> _runs = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Takes a run's latest snapshot. Only a new one signals a change: a run republishes after every message it
    /// handles, reads included, and a reader woken by its own read would spin.
    /// </summary>
    public void Publish(RunSnapshot run)
    {
        if (run.Status.IsActive())
        {
            if (_runs.TryGetValue(run.Key, out RunSnapshot? known) && ReferenceEquals(known, run)) return;
            _runs[run.Key] = run;
        }
        else if (!_runs.TryRemove(run.Key, out _)) return;
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes at the next change of any run's units. Take it before reading, so no change slips between.</summary>
    public Task NextChange => Volatile.Read(ref _changed).Task;

    /// <summary>
    /// The orders of <paramref name="workerId"/>, by run: its pretrain or evaluation units, or its part of the current
    /// step once every shard of the step is placed (a step with a shard pending waits, since its all-reduce needs all).
    /// </summary>
    public IReadOnlyList<WorkOrder> OrdersFor(string workerId, Func<string, WorkerSnapshot?> liveWorker)
    {
        var orders = new List<WorkOrder>();
        foreach (RunSnapshot run in _runs.Values.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (run.Status == RunStatus.Matching)
            {
                if (run.Units.Any(u => u.Status == UnitStatus.Pending) || !run.Units.Any(u => u.WorkerId == workerId)) continue;
                var ring = run.Units.GroupBy(u => u.WorkerId!, StringComparer.Ordinal)
                    .Select(g => (Worker: liveWorker(g.Key), Id: g.Key, Shards: g.Select(u => u.Unit.Shard).Order().ToList()))
                    .Select(m => new RingPosition(m.Id, m.Worker?.Address ?? "", m.Shards, m.Worker?.PushAddress ?? ""))
                    .OrderBy(m => m.Shards[0]).ToList();
                int rank = ring.FindIndex(m => m.WorkerId == workerId);
                orders.Add(new WorkOrder(run.Key, WorkKind.Shard, run.Step, run.Attempt, ring[rank].Shards, ring, rank, run.Plan));
            }
            else
            {
                foreach (UnitAssignment unit in run.Units.Where(u => u.Status == UnitStatus.Assigned && u.WorkerId == workerId))
                    orders.Add(new WorkOrder(run.Key, unit.Unit.Kind, unit.Unit.Step, unit.Attempt, [], [], 0, run.Plan, unit.Unit.Evaluation));
            }
        }
        return orders;
    }

    /// <summary>Units held per worker, over every run but <paramref name="runKey"/>.</summary>
    public Dictionary<string, int> LoadsExcept(string runKey)
    {
        var loads = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (RunSnapshot run in _runs.Values)
        {
            if (run.Key == runKey) continue;
            foreach (UnitAssignment unit in run.Units)
                if (unit is { Status: UnitStatus.Assigned, WorkerId: { } id }) loads[id] = loads.GetValueOrDefault(id) + 1;
        }
        return loads;
    }

    /// <summary>The units <paramref name="workerId"/> holds, ordered by run then unit.</summary>
    public IReadOnlyList<WorkAssignment> AssignedTo(string workerId) =>
    [
        .. _runs.Values.OrderBy(r => r.Key, StringComparer.Ordinal).SelectMany(run => run.Units
            .Where(u => u.Status == UnitStatus.Assigned && u.WorkerId == workerId)
            .Select(u => new WorkAssignment(u.Unit, run.Spec, run.Plan, run.Checkpoint))),
    ];

    /// <summary>Runs where <paramref name="workerId"/> holds an assigned unit, or a reported shard of a step still in progress.</summary>
    public IReadOnlyList<string> RunsHolding(string workerId) =>
        [.. _runs.Values.Where(r => r.Units.Any(u => u.WorkerId == workerId && u.IsHeldWhile(r.Status)))
            .Select(r => r.Key).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> RunsWithPending() =>
        [.. _runs.Values.Where(r => r.Units.Any(u => u.Status == UnitStatus.Pending)).OrderBy(r => r.QueuedAt).ThenBy(r => r.Order).Select(r => r.Key)];
}
