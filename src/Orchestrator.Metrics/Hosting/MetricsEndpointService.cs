using Microsoft.Extensions.Hosting;

namespace Orchestrator.Metrics.Hosting;

/// <summary>Serves /metrics on its own port for as long as the host runs, exporting the process's orchestrator meters.</summary>
public sealed class MetricsEndpointService(int port) : IHostedService, IAsyncDisposable
{
    private PrometheusExporter? _exporter;
    private MetricsServer? _server;

    public Uri Url => _server?.Url ?? throw new InvalidOperationException("the metrics endpoint has not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _exporter = new PrometheusExporter(OrchestratorMetrics.DefaultMeterName);
        _server = await MetricsServer.StartAsync(_exporter, port, cancellationToken: cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = null;
        _exporter?.Dispose();
        _exporter = null;
    }
}
