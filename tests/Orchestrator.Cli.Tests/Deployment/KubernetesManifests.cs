namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>The object sets under k8s/ that are deployed together.</summary>
public static class KubernetesManifests
{
    /// <summary>Every k8s/*.yaml object: the base, the optional GPU pool and the sweep Job example.</summary>
    public static IReadOnlyList<Manifest> TopLevel() => Manifest.Load(TopLevelFiles());

    /// <summary>The top-level objects with the PostgreSQL component's patch applied and its Secret added.</summary>
    public static IReadOnlyList<Manifest> WithPostgres()
    {
        string component = Path.Combine(RepositoryPaths.Kubernetes, "postgres");
        var patch = Manifest.Load([Path.Combine(component, "coordinator-postgres.yaml")]).Single();
        var patched = Manifest.Load(TopLevelFiles()).Select(m => m.Kind == patch.Kind && m.Name == patch.Name ? StrategicMerge.Apply(m, patch) : m);
        return [.. patched, .. Manifest.Load([Path.Combine(component, "secret-store.yaml")])];
    }

    public static IEnumerable<string> TopLevelFiles() =>
        Directory.GetFiles(RepositoryPaths.Kubernetes, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order();
}
