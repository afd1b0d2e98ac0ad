namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>Folders of the repository the tests run from, found by walking up to the solution file.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Kubernetes => Path.Combine(Root, "k8s");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}
