using System.Collections.Concurrent;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Progress;
using Orchestrator.Distillation.Stages;

namespace Orchestrator.Worker;

/// <summary>
/// The runs this worker holds a copy of, opened from the resolved config an assignment carries. The worker's own device
/// replaces the config's. At most <see cref="Capacity"/> are kept; the least recently used goes first.
/// </summary>
public sealed class RunReplicas(WorkerOptions options, IProgressReporter progress) : IDisposable
{
    public const int Capacity = 2;
    private readonly ConcurrentDictionary<string, (RunReplica Replica, long LastUse)> _replicas = new(StringComparer.Ordinal);
    private long _clock;

    public RunReplica? Find(string runId) => _replicas.TryGetValue(runId, out var entry) ? entry.Replica : null;

    /// <summary>The run's replica, opening it (loading its dataset) on first use. A bad config throws <see cref="ConfigException"/>.</summary>
    public RunReplica Open(string runId, string configText)
    {
        if (_replicas.TryGetValue(runId, out var entry))
        {
            _replicas[runId] = (entry.Replica, Interlocked.Increment(ref _clock));
            return entry.Replica;
        }
        RunConfig config = RunConfigLoader.FromText(configText, $"run {runId}");
        config.Device = options.Device;
        if (options.Threads is { } threads) config.Threads = threads;
        var replica = new RunReplica(runId, Pipeline.Open(config, progress));
        _replicas[runId] = (replica, Interlocked.Increment(ref _clock));
        while (_replicas.Count > Capacity)
        {
            string oldest = _replicas.MinBy(kv => kv.Value.LastUse).Key;
            Close(oldest);
        }
        return replica;
    }

    /// <summary>Drops the run's replica (it finished here, or was evicted).</summary>
    public void Close(string runId)
    {
        if (_replicas.TryRemove(runId, out var entry)) entry.Replica.Dispose();
    }

    public void Dispose()
    {
        foreach (string runId in _replicas.Keys.ToList()) Close(runId);
    }
}
