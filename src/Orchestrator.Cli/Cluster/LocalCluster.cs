using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Coordinator;
using Orchestrator.Coordinator.Grpc;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary>
/// The embedded default behind <c>run</c>: a coordinator in this process (SQLite under the run's output folder) and N
/// local worker processes, every RPC authenticated with a token made for this cluster. The run goes through the real
/// distributed path: placement, shards on workers, the gRPC all-reduce. Running it again resumes it (or reports it, if done).
/// </summary>
internal static class LocalCluster
{
    public static async Task<int> RunAsync(string? configPath, IReadOnlyList<string> overrides, string? output, int workers, double leaseSeconds, CancellationToken cancellation)
    {
        ClusterRunConfig run = ClusterRunConfig.Read(configPath, overrides, output);
        RunConfig config = run.Config;
        string shared = Environment.CurrentDirectory;
        string clusterDir = Path.GetFullPath(Path.Combine(shared, config.Output, "cluster"));
        Directory.CreateDirectory(clusterDir);
        string tokenFile = Path.Combine(clusterDir, "token");
        if (!File.Exists(tokenFile))
        {
            File.WriteAllText(tokenFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        string token = File.ReadAllText(tokenFile).Trim();

        var options = new CoordinatorOptions
        {
            StoreConnection = Path.Combine(clusterDir, "coordinator.db"),
            ResultsDirectory = Path.Combine(clusterDir, "sweeps"),
            LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
            HeartbeatInterval = TimeSpan.FromSeconds(Math.Max(0.2, leaseSeconds / 4)),
        };
        using IHost coordinator = ClusterHosts.Coordinator(options, new Uri("http://127.0.0.1:0"), token, tls: null, shared, metricsPort: null, LogLevel.Warning);
        await coordinator.StartAsync(cancellation);
        Uri address = coordinator.Services.GetRequiredService<CoordinatorGrpcHost>().Address;
        Console.WriteLine($"coordinator at {address} (SQLite {options.StoreConnection}); starting {workers} local worker(s), logs in {Path.Combine(clusterDir, "workers")}");

        await using (var processes = new WorkerProcesses())
        {
            for (int i = 0; i < workers; i++)
                processes.Start($"local-{i}", ["--coordinator", address.ToString(), "--token-file", tokenFile, "--pool", string.Join(',', config.Match.Pool),
                        "--device", WorkerDevice(config.Device, i, Torch.torch.cuda.device_count)],
                    Path.Combine(clusterDir, "workers", $"local-{i}.log"));
            using var control = new ControlClient(address, token);
            SubmitRunResponse submitted = await control.SubmitRunAsync(run.Text, run.Overrides, cancellation);
            string runFolder = Path.GetFullPath(Path.Combine(shared, config.Output, submitted.RunId));
            Console.WriteLine($"run {submitted.RunId}{(submitted.AlreadyExisted ? " (already submitted: resuming or reporting it)" : "")} → {runFolder}");
            using var follow = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            Task<RunStatus> following = RunFollower.FollowAsync(control, submitted.RunId, follow.Token);
            Task exited = Task.WhenAll(processes.Processes.Select(p => p.WaitForExitAsync(follow.Token)));
            if (await Task.WhenAny(following, exited) == exited && !following.IsCompleted)
            {
                await follow.CancelAsync();
                throw new IOException($"every local worker exited before the run finished; see {Path.Combine(clusterDir, "workers")}");
            }
            await follow.CancelAsync();
            RunStatus final = await following;
            await coordinator.StopAsync(CancellationToken.None);
            if (!RunFollower.Succeeded(final)) return 1;
            string report = Path.Combine(runFolder, "report.md");
            Console.WriteLine();
            Console.Write(File.Exists(report) ? File.ReadAllText(report) : $"(no report at {report})\n");
            Console.WriteLine($"report: {report}");
            return 0;
        }
    }

    /// <summary>
    /// The device of local worker <paramref name="index"/>: the config's, since a worker runs its shards on its own
    /// device whatever a run's config names; a bare <c>cuda</c> deals the workers over the GPUs this machine has.
    /// </summary>
    internal static string WorkerDevice(string configDevice, int index, Func<int> cudaDevices) =>
        configDevice.Trim().Equals("cuda", StringComparison.OrdinalIgnoreCase)
            ? $"cuda:{index % Math.Max(1, cudaDevices())}"
            : Torch.Device.Parse(configDevice).ToString();
}
