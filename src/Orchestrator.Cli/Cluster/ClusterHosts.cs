using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Coordinator;
using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Hosting;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Metrics;
using Orchestrator.Metrics.Hosting;
using Orchestrator.Transport.Server;
using Orchestrator.Worker;

namespace Orchestrator.Cli.Cluster;

/// <summary>Builds the coordinator and worker processes' hosts: the services, their gRPC endpoints and /metrics.</summary>
internal static class ClusterHosts
{
    public static IHost Coordinator(CoordinatorOptions options, Uri listen, string? token, (X509Certificate2 Certificate, X509Certificate2Collection Chain)? tls, string sharedDirectory, int? metricsPort,
        LogLevel logLevel = LogLevel.Information)
    {
        HostApplicationBuilder builder = NewBuilder(logLevel);
        builder.Services.AddSingleton(_ => new OrchestratorMetrics());
        builder.Services.AddSingleton<ICoordinatorEventSink>(sp => new MetricsEventSink(sp.GetRequiredService<OrchestratorMetrics>(), sp.GetRequiredService<ILogger<LoggingEventSink>>()));
        builder.Services.AddSingleton<IRunPlanner>(new DistillationRunPlanner(sharedDirectory));
        builder.Services.AddCoordinator(options);
        builder.Services.AddCoordinatorGrpc(new GrpcServerOptions
        {
            ListenAddress = ListenAddress(listen), Port = listen.Port, BearerToken = token, MaxReceiveMessageSize = 64 * 1024 * 1024,
            Certificate = tls?.Certificate, CertificateChain = tls?.Chain,
        });
        if (metricsPort is { } port) builder.Services.AddHostedService(_ => new MetricsEndpointService(port));
        return builder.Build();
    }

    public static IHost Worker(WorkerOptions options, LogLevel logLevel = LogLevel.Information)
    {
        HostApplicationBuilder builder = NewBuilder(logLevel);
        builder.Services.AddWorker(options);
        if (options.MetricsPort is { } port) builder.Services.AddHostedService(_ => new MetricsEndpointService(port));
        return builder.Build();
    }

    public static IPAddress ListenAddress(Uri listen) =>
        listen.Host is "localhost" ? IPAddress.Loopback : IPAddress.TryParse(listen.Host, out IPAddress? ip) ? ip
            : throw new ArgumentException($"listen address '{listen}' must name an IP address (0.0.0.0 for every interface) or localhost");

    /// <summary>The bearer token in <paramref name="file"/> (trimmed), or null without a file.</summary>
    public static string? ReadToken(FileInfo? file)
    {
        if (file is null) return null;
        string token = File.ReadAllText(file.FullName).Trim();
        return token.Length > 0 ? token : throw new ArgumentException($"token file {file.FullName} is empty");
    }

    private static HostApplicationBuilder NewBuilder(LogLevel logLevel)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Milliseconds: bench/scaling.py times generator steps from the workers' step lines.
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }
}
