using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Grpc;
using Orchestrator.Transport.Server;
using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Storage;

namespace Orchestrator.Coordinator.Hosting;

public static class CoordinatorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the coordinator core, its store, the lease monitor and their defaults (least-loaded placement, log events,
    /// the system clock). The caller registers the <see cref="IRunPlanner"/>: it is the method's part.
    /// </summary>
    public static IServiceCollection AddCoordinator(this IServiceCollection services, CoordinatorOptions options)
    {
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IShardPlacement, LeastLoadedPlacement>();
        services.TryAddSingleton<ICoordinatorEventSink>(sp => new LoggingEventSink(sp.GetRequiredService<ILogger<LoggingEventSink>>()));
        services.TryAddSingleton(_ => EntityStores.Create(options));
        services.AddSingleton(sp => new CoordinatorCore(options, sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<IRunPlanner>(),
            sp.GetRequiredService<IShardPlacement>(), sp.GetRequiredService<ICoordinatorEventSink>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CoordinatorCore>>()));
        services.AddHostedService<CoordinatorService>();
        services.AddHostedService<LeaseMonitor>();
        return services;
    }

    /// <summary>Adds the coordinator's gRPC endpoint (worker-facing and control services) on top of <see cref="AddCoordinator"/>.</summary>
    public static IServiceCollection AddCoordinatorGrpc(this IServiceCollection services, GrpcServerOptions options)
    {
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<StepLosses>();
        services.AddSingleton<WorkerGateway>();
        services.AddSingleton<ControlGateway>();
        services.AddSingleton<CoordinatorGrpcHost>();
        services.AddHostedService(sp => sp.GetRequiredService<CoordinatorGrpcHost>());
        return services;
    }
}
