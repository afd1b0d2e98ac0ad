using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>
/// The part of kustomize's strategic merge patch that the k8s/ patches use: mappings merge key by key, lists of
/// named entries (containers, env, volumes, ports) merge by name, and any other list or scalar is replaced.
/// </summary>
public static class StrategicMerge
{
    public static Manifest Apply(Manifest target, Manifest patch) =>
        new(target.File, new Node(Merge(target.Root.Yaml!, patch.Root.Yaml!), target.Root.Path));

    private static YamlNode Merge(YamlNode target, YamlNode patch) => (target, patch) switch
    {
        (YamlMappingNode t, YamlMappingNode p) => MergeMappings(t, p),
        (YamlSequenceNode t, YamlSequenceNode p) when IsNamed(t) && IsNamed(p) => MergeNamed(t, p),
        _ => patch,
    };

    private static YamlMappingNode MergeMappings(YamlMappingNode target, YamlMappingNode patch)
    {
        var merged = new YamlMappingNode();
        foreach (var (key, value) in target.Children)
            merged.Add(key, patch.Children.TryGetValue(key, out var change) ? Merge(value, change) : value);
        foreach (var (key, value) in patch.Children.Where(c => !target.Children.ContainsKey(c.Key)))
            merged.Add(key, value);
        return merged;
    }

    private static YamlSequenceNode MergeNamed(YamlSequenceNode target, YamlSequenceNode patch)
    {
        var merged = new YamlSequenceNode();
        foreach (var entry in target.Children)
            merged.Add(patch.Children.FirstOrDefault(p => Name(p) == Name(entry)) is { } change ? Merge(entry, change) : entry);
        foreach (var entry in patch.Children.Where(p => target.Children.All(t => Name(t) != Name(p))))
            merged.Add(entry);
        return merged;
    }

    private static bool IsNamed(YamlSequenceNode list) => list.Children.Count > 0 && list.Children.All(e => Name(e) is not null);

    private static string? Name(YamlNode entry) =>
        entry is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("name"), out var name) ? (name as YamlScalarNode)?.Value : null;
}
