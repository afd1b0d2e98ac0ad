using Orchestrator.Distillation.Configuration;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary>
/// <c>run --coordinator</c>: submits a run to a standing cluster and follows it to its end. The config is checked here
/// first, so a bad key is named before anything is sent; the run's files are on the cluster's shared volume.
/// </summary>
internal static class RemoteRun
{
    public static async Task<int> RunAsync(ControlClient control, string? configPath, IReadOnlyList<string> overrides, string? output, CancellationToken cancellation)
    {
        string configText = configPath is null ? "{}" : File.ReadAllText(configPath);
        List<string> allOverrides = output is null ? [.. overrides] : [.. overrides, $"output={output}"];
        RunConfig config = RunConfigLoader.FromText(configText, configPath ?? "(defaults)", allOverrides);
        SubmitRunResponse submitted = await control.SubmitRunAsync(configText, allOverrides, cancellation);
        string folder = $"{config.Output}/{submitted.RunId}";
        Console.WriteLine($"run {submitted.RunId}{(submitted.AlreadyExisted ? " (already submitted: following it)" : "")} → {folder} on the cluster's shared volume");
        RunStatus final = await RunFollower.FollowAsync(control, submitted.RunId, cancellation);
        if (!RunFollower.Succeeded(final)) return 1;
        Console.WriteLine();
        Console.WriteLine($"accuracy (distilled): {RunFollower.Accuracies(final)}");
        Console.WriteLine($"report: {folder}/report.md on the cluster's shared volume");
        return 0;
    }
}
