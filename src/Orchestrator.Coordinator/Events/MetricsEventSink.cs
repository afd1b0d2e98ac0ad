using Microsoft.Extensions.Logging;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Metrics;

namespace Orchestrator.Coordinator.Events;

/// <summary>Logs every event (as <see cref="LoggingEventSink"/>) and keeps the coordinator's metrics: workers up, restarts, runs by state.</summary>
public sealed class MetricsEventSink(OrchestratorMetrics metrics, ILogger<LoggingEventSink> logger) : ICoordinatorEventSink
{
    private readonly LoggingEventSink _log = new(logger);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _runStates = new(StringComparer.Ordinal);

    public void Publish(CoordinatorEvent coordinatorEvent)
    {
        _log.Publish(coordinatorEvent);
        switch (coordinatorEvent)
        {
            case WorkerJoined joined:
                metrics.SetWorkerUp(joined.WorkerId, true);
                if (joined.Restarts > 0) metrics.RecordWorkerRestart(joined.WorkerId);
                break;
            case WorkerDied died:
                metrics.SetWorkerUp(died.WorkerId, false);
                break;
            case WorkerLeft left:
                metrics.RemoveWorker(left.WorkerId);
                break;
            case RunStatusChanged changed:
                SetRunState(changed.RunKey, changed.To);
                break;
            case RunRecovered recovered:
                SetRunState(recovered.RunKey, recovered.Status);
                break;
        }
    }

    private void SetRunState(string runKey, RunStatus status)
    {
        lock (_gate)
        {
            _runStates[runKey] = MetricState(status);
            foreach (string state in OrchestratorMetricsOptions.DefaultRunStates)
                metrics.SetRuns(state, _runStates.Values.Count(s => s == state));
        }
    }

    private static string MetricState(RunStatus status) => status switch
    {
        RunStatus.Queued => "pending",
        RunStatus.Completed => "succeeded",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        _ => "running",
    };
}
