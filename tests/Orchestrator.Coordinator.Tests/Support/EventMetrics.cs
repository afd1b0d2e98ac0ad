using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Coordinator.Events;
using Orchestrator.Metrics;

namespace Orchestrator.Coordinator.Tests.Support;

/// <summary>What the coordinator's /metrics would show after these events: a fresh metrics sink fed them, scraped.</summary>
public static class EventMetrics
{
    public static string Scrape(IEnumerable<CoordinatorEvent> events)
    {
        string meter = "Test." + Guid.NewGuid().ToString("N");
        using var metrics = new OrchestratorMetrics(new OrchestratorMetricsOptions { MeterName = meter });
        using var exporter = new PrometheusExporter(meter);
        var sink = new MetricsEventSink(metrics, NullLogger<LoggingEventSink>.Instance);
        foreach (CoordinatorEvent e in events) sink.Publish(e);
        return exporter.Scrape();
    }
}
