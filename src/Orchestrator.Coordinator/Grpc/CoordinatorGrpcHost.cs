using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Transport.Server;

namespace Orchestrator.Coordinator.Grpc;

/// <summary>Serves the coordinator's two gRPC services (worker-facing and control) on one Kestrel h2c endpoint.</summary>
public sealed class CoordinatorGrpcHost(GrpcServerOptions options, WorkerGateway workers, ControlGateway control, ILogger<CoordinatorGrpcHost> logger) : IHostedService, IAsyncDisposable
{
    private GrpcServer? _server;

    /// <summary>The bound address; known once started.</summary>
    public Uri Address => _server?.Address ?? throw new InvalidOperationException("the coordinator's gRPC endpoint has not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new GrpcServer(options, workers.Definition(), control.Definition());
        await _server.StartAsync(cancellationToken);
        logger.LogInformation("coordinator serving gRPC at {Address}{Auth}", _server.Address, options.BearerToken is null ? " without authentication" : "");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
