using Microsoft.Extensions.Logging;

namespace Orchestrator.Coordinator.Events;

/// <summary>The default sink: one log line per event.</summary>
public sealed class LoggingEventSink(ILogger<LoggingEventSink> logger) : ICoordinatorEventSink
{
    public void Publish(CoordinatorEvent coordinatorEvent)
    {
        // A restarted coordinator announces every stored run; one line each would bury the log under old runs.
        LogLevel level = coordinatorEvent switch { WorkerDied => LogLevel.Warning, RunRecovered => LogLevel.Debug, _ => LogLevel.Information };
        logger.Log(level, "{Event}", coordinatorEvent);
    }
}
