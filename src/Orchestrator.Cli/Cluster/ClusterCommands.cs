using System.CommandLine;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Orchestrator.Coordinator;
using Orchestrator.Transport.Tls;
using Orchestrator.Worker;

namespace Orchestrator.Cli.Cluster;

/// <summary>The subcommands that start one role of a cluster: <c>coordinator</c> and <c>worker</c>.</summary>
internal static class ClusterCommands
{
    /// <summary>The coordinator a worker or a client command talks to.</summary>
    public static readonly Option<string> CoordinatorAddress = new("--coordinator") { Description = "The coordinator's gRPC address", Required = true };
    public static readonly Option<FileInfo?> TokenFile = new("--token-file") { Description = "File holding the bearer token every RPC carries (both ways); none: no authentication" };
    public static readonly Option<FileInfo?> TlsCertificate = new("--tls-cert") { Description = "PEM certificate (chain) to serve gRPC over TLS with; needs --tls-key and an https:// --listen" };
    public static readonly Option<FileInfo?> TlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert" };
    public static readonly Option<FileInfo?> TlsAuthority = new("--tls-ca") { Description = "PEM certificate authority that https:// servers this process calls must chain to (default: the system's trust)" };

    /// <summary>A client of the coordinator that <paramref name="coordinator"/> names, with this command's token and trust.</summary>
    public static ControlClient Connect(ParseResult parse, Option<string> coordinator) =>
        new(Address(parse.GetValue(coordinator)!, coordinator.Name), ClusterHosts.ReadToken(parse.GetValue(TokenFile)), Trust(parse));

    /// <summary>Parses an http:// or https:// address given to <paramref name="option"/>.</summary>
    public static Uri Address(string text, string option) =>
        Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"
            ? uri : throw new ArgumentException($"{option} '{text}' is not an http:// or https:// address");

    /// <summary>
    /// The certificate to serve with and the intermediates after it, from <c>--tls-cert</c> and <c>--tls-key</c>: both
    /// or neither, and given exactly when <paramref name="listen"/> is https://.
    /// </summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Chain)? ServerCertificate(ParseResult parse, Uri listen)
    {
        FileInfo? certificate = parse.GetValue(TlsCertificate), key = parse.GetValue(TlsKey);
        if ((certificate is null) != (key is null)) throw new ArgumentException("--tls-cert and --tls-key go together: the certificate and its private key");
        bool https = listen.Scheme == Uri.UriSchemeHttps;
        if (certificate is null)
            return https ? throw new ArgumentException($"--listen {listen} is https://: give the certificate to serve with (--tls-cert and --tls-key)") : null;
        if (!https) throw new ArgumentException($"--tls-cert serves TLS, so --listen must be https://, not {listen}");
        return (PemCredentials.LoadServerCertificate(certificate.FullName, key!.FullName), PemCredentials.LoadChain(certificate.FullName));
    }

    /// <summary>How this process checks the https servers it calls: the <c>--tls-ca</c> authority, or the system's trust.</summary>
    public static RemoteCertificateValidationCallback? Trust(ParseResult parse) =>
        parse.GetValue(TlsAuthority) is { } authority ? PemCredentials.TrustAuthorities(authority.FullName) : null;

    public static Command Coordinator()
    {
        var listen = new Option<string>("--listen") { Description = "gRPC address: http:// (h2c), or https:// with --tls-cert and --tls-key", DefaultValueFactory = _ => "http://0.0.0.0:7000" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Port of /metrics (Prometheus text 0.0.4)", DefaultValueFactory = _ => 9100 };
        var store = new Option<StoreKind>("--store") { Description = "sqlite (embedded) or postgres (a cluster)", DefaultValueFactory = _ => StoreKind.Sqlite };
        var connection = new Option<string?>("--store-connection") { Description = "SQLite file, or PostgreSQL connection string (default: <shared-dir>/coordinator.db)" };
        var shared = new Option<DirectoryInfo>("--shared-dir") { Description = "Volume every worker mounts at the same path: run folders, checkpoints, sweep results", DefaultValueFactory = _ => new DirectoryInfo(".") };
        var lease = new Option<double>("--lease-seconds") { Description = "A worker without a heartbeat for this long is declared dead", DefaultValueFactory = _ => 15 };
        var heartbeat = new Option<double>("--heartbeat-seconds") { Description = "How often workers heartbeat", DefaultValueFactory = _ => 5 };
        var concurrency = new Option<int>("--concurrency") { Description = "Runs in progress at once; the rest queue", DefaultValueFactory = _ => 2 };
        var command = new Command("coordinator", "Start the coordinator: schedules runs and sweeps onto workers, persists every transition")
        {
            listen, metricsPort, store, connection, shared, lease, heartbeat, concurrency, TokenFile, TlsCertificate, TlsKey,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            string sharedDir = parse.GetValue(shared)!.FullName;
            Directory.CreateDirectory(sharedDir);
            var options = new CoordinatorOptions
            {
                Store = parse.GetValue(store),
                StoreConnection = parse.GetValue(connection) ?? Path.Combine(sharedDir, "coordinator.db"),
                LeaseDuration = TimeSpan.FromSeconds(parse.GetValue(lease)),
                HeartbeatInterval = TimeSpan.FromSeconds(parse.GetValue(heartbeat)),
                SweepConcurrency = parse.GetValue(concurrency),
                ResultsDirectory = Path.Combine(sharedDir, "sweeps"),
            };
            Uri bind = Address(parse.GetValue(listen)!, "--listen");
            using var host = ClusterHosts.Coordinator(options, bind, ClusterHosts.ReadToken(parse.GetValue(TokenFile)), ServerCertificate(parse, bind), sharedDir, parse.GetValue(metricsPort));
            await host.RunAsync(cancellation);
        }));
        return command;
    }

    public static Command Worker()
    {
        var coordinator = CoordinatorAddress;
        var id = new Option<string>("--id") { Description = "Stable worker id (e.g. the pod name)", DefaultValueFactory = _ => Environment.MachineName };
        var listen = new Option<string>("--listen") { Description = "This worker's gRPC address, http:// (h2c) or https:// (with --tls-cert and --tls-key); port 0 picks one", DefaultValueFactory = _ => "http://127.0.0.1:0" };
        var pushPort = new Option<int>("--push-port") { Description = "Port of the lane server that takes peers' gradient pushes (same host, scheme and certificate as --listen); 0 picks one", DefaultValueFactory = _ => 0 };
        var advertise = new Option<string?>("--advertise") { Description = "The address peers reach this worker at (default: the bound listen address; pushes go to its host at --push-port)" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Port of /metrics; none: no endpoint" };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N", DefaultValueFactory = _ => "cpu" };
        var pool = new Option<string>("--pool") { Description = "Comma-separated pool architectures this worker owns", DefaultValueFactory = _ => "ConvNet" };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (replaces the run config's; keep equal on every worker)" };
        var shared = new Option<DirectoryInfo?>("--shared-dir") { Description = "The shared volume; its cache/ holds converted datasets for every worker" };
        var command = new Command("worker", "Start a worker: owns one device and part of the model pool, computes shards, all-reduces their gradients")
        {
            coordinator, id, listen, pushPort, advertise, metricsPort, device, pool, threads, shared, TokenFile, TlsCertificate, TlsKey, TlsAuthority,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            Uri bind = Address(parse.GetValue(listen)!, "--listen");
            if (parse.GetValue(shared) is { } sharedDir && Environment.GetEnvironmentVariable(Distillation.Data.DataPaths.CacheVariable) is null)
                Environment.SetEnvironmentVariable(Distillation.Data.DataPaths.CacheVariable, Path.Combine(sharedDir.FullName, "cache"));
            var options = new WorkerOptions
            {
                WorkerId = parse.GetValue(id)!, Coordinator = Address(parse.GetValue(coordinator)!, "--coordinator"), ListenAddress = ClusterHosts.ListenAddress(bind), Port = bind.Port,
                PushPort = parse.GetValue(pushPort), AdvertiseAddress = parse.GetValue(advertise) is { } advertised ? Address(advertised, "--advertise") : null, MetricsPort = parse.GetValue(metricsPort), Device = parse.GetValue(device)!,
                Pool = [.. parse.GetValue(pool)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                Threads = parse.GetValue(threads), BearerToken = ClusterHosts.ReadToken(parse.GetValue(TokenFile)),
                RemoteCertificateValidation = Trust(parse),
            };
            if (ServerCertificate(parse, bind) is var (served, chain)) (options.Certificate, options.CertificateChain) = (served, chain);
            using var host = ClusterHosts.Worker(options);
            await host.RunAsync(cancellation);
        }));
        return command;
    }
}
