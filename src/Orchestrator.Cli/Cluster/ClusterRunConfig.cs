using Orchestrator.Distillation.Configuration;

namespace Orchestrator.Cli.Cluster;

/// <summary>
/// A run as the CLI submits it to a coordinator: the config file's text as written (the run's key is computed from it),
/// the overrides with <c>--output</c> as one more, and the config they resolve to, checked here so a bad key is named
/// before anything is sent.
/// </summary>
internal sealed record ClusterRunConfig(string Text, IReadOnlyList<string> Overrides, RunConfig Config)
{
    public static ClusterRunConfig Read(string? configPath, IReadOnlyList<string> overrides, string? output)
    {
        string text = configPath is null ? "{}" : File.ReadAllText(configPath);
        List<string> all = output is null ? [.. overrides] : [.. overrides, $"output={output}"];
        return new ClusterRunConfig(text, all, RunConfigLoader.FromText(text, configPath ?? "(defaults)", all));
    }
}
