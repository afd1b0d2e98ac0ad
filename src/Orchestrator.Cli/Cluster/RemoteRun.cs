using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary>
/// <c>run --coordinator</c>: submits a run to a standing cluster and follows it to its end; the run's files are on the
/// cluster's shared volume.
/// </summary>
internal static class RemoteRun
{
    public static async Task<int> RunAsync(ControlClient control, string? configPath, IReadOnlyList<string> overrides, string? output, CancellationToken cancellation)
    {
        ClusterRunConfig run = ClusterRunConfig.Read(configPath, overrides, output);
        SubmitRunResponse submitted = await control.SubmitRunAsync(run.Text, run.Overrides, cancellation);
        string folder = $"{run.Config.Output}/{submitted.RunId}";
        Console.WriteLine($"run {submitted.RunId}{(submitted.AlreadyExisted ? " (already submitted: following it)" : "")} → {folder} on the cluster's shared volume");
        RunStatus final = await RunFollower.FollowAsync(control, submitted.RunId, cancellation);
        if (!RunFollower.Succeeded(final)) return 1;
        Console.WriteLine();
        Console.WriteLine($"accuracy (distilled): {RunFollower.Accuracies(final)}");
        Console.WriteLine($"report: {folder}/report.md on the cluster's shared volume");
        return 0;
    }
}
