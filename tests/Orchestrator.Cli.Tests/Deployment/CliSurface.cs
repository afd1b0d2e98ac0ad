namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>
/// The flags of the subcommands the manifests run, each taking one value. Written out here until the tests can
/// ask the CLI's parser; a manifest using a flag not listed (or missing a required one) fails the tests.
/// </summary>
public static class CliSurface
{
    public sealed record Subcommand(string Name, IReadOnlySet<string> Required, IReadOnlySet<string> Optional)
    {
        public bool Accepts(string flag) => Required.Contains(flag) || Optional.Contains(flag);
    }

    public static readonly Subcommand Coordinator = new("coordinator",
        new HashSet<string> { "--listen", "--metrics-port", "--store", "--store-connection", "--token-file", "--shared-dir" },
        new HashSet<string> { "--lease-seconds", "--heartbeat-seconds", "--concurrency", "--tls-cert", "--tls-key" });

    public static readonly Subcommand Worker = new("worker",
        new HashSet<string> { "--coordinator", "--id", "--listen", "--push-port", "--advertise", "--metrics-port", "--device", "--pool",
            "--threads", "--token-file", "--shared-dir" },
        new HashSet<string> { "--tls-cert", "--tls-key", "--tls-ca" });

    public static readonly Subcommand Sweep = new("sweep",
        new HashSet<string> { "--coordinator", "--token-file", "--config", "--axis" },
        new HashSet<string> { "--repeat-key", "--tls-ca" });

    public static readonly IReadOnlyList<Subcommand> All = [Coordinator, Worker, Sweep];

    /// <summary>Flags that may be given more than once.</summary>
    public static readonly IReadOnlySet<string> Repeatable = new HashSet<string> { "--axis" };

    public static readonly IReadOnlySet<string> Stores = new HashSet<string> { "sqlite", "postgres" };
}
