using System.Collections.Concurrent;

namespace Orchestrator.Coordinator.Workers;

/// <summary>
/// The workers as last saved, kept in memory for placement and the lease monitor. Only worker entities write it,
/// after their state is saved; it is rebuilt from the store when the coordinator starts.
/// </summary>
internal sealed class ClusterView
{
    private readonly ConcurrentDictionary<string, WorkerSnapshot> _workers = new(StringComparer.Ordinal);

    public void Update(WorkerSnapshot worker) => _workers[worker.WorkerId] = worker;

    public bool IsLive(string workerId) => _workers.TryGetValue(workerId, out WorkerSnapshot? w) && w.Status == WorkerStatus.Live;

    /// <summary>A live worker as last saved (where it is reached), or null if it is not live.</summary>
    public WorkerSnapshot? LiveWorker(string workerId) =>
        _workers.TryGetValue(workerId, out WorkerSnapshot? w) && w.Status == WorkerStatus.Live ? w : null;

    /// <summary>Live workers, ordered by id.</summary>
    public IReadOnlyList<WorkerSnapshot> Live() =>
        [.. _workers.Values.Where(w => w.Status == WorkerStatus.Live).OrderBy(w => w.WorkerId, StringComparer.Ordinal)];

    /// <summary>Live workers whose lease ended at or before <paramref name="now"/>, ordered by id.</summary>
    public IReadOnlyList<string> Lapsed(DateTimeOffset now) =>
        [.. Live().Where(w => w.LeaseExpiresAt <= now).Select(w => w.WorkerId)];
}
