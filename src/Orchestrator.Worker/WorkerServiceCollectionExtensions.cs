using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orchestrator.Distillation.Progress;
using Orchestrator.Metrics;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Lanes;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Worker;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>Adds a worker: its gRPC endpoint, the all-reduce, the run replicas and the hosted service that drives them.</summary>
    public static IServiceCollection AddWorker(this IServiceCollection services, WorkerOptions options)
    {
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton(_ => new OrchestratorMetrics());
        services.AddSingleton<GradientMailbox>();
        // State transfers between peers: the direct HTTP/2 client sends them in frames as large as the peer allows.
        services.AddSingleton(_ => new PeerClients(new GrpcChannelOptions
        {
            BearerToken = options.BearerToken, MaxReceiveMessageSize = 64 * 1024 * 1024, DirectHttp2 = true, RemoteCertificateValidation = options.RemoteCertificateValidation,
        }));
        // Gradient pushes: push lanes to peers' lane servers.
        services.AddSingleton(_ => new PeerLanes(new PushLaneOptions { BearerToken = options.BearerToken, RemoteCertificateValidation = options.RemoteCertificateValidation }));
        services.AddSingleton<ShardOrderedAllReduce>();
        services.AddSingleton<IProgressReporter>(sp => new LoggerProgressReporter(sp.GetRequiredService<ILogger<LoggerProgressReporter>>()));
        services.AddSingleton<RunReplicas>();
        services.AddSingleton<WorkerEndpoint>();
        services.AddSingleton<AssignmentExecutor>();
        services.AddSingleton<WorkerService>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkerService>());
        return services;
    }
}
