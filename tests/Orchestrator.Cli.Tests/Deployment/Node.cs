using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>
/// A read-only view of one place in a parsed YAML document that remembers its path, so a failed check can say
/// where it looked. A missing key gives a node that does not exist rather than an exception.
/// </summary>
public sealed class Node
{
    private readonly YamlNode? _yaml;

    public Node(YamlNode? yaml, string path)
    {
        _yaml = yaml;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The parsed YAML under this node; null where the node does not exist.</summary>
    public YamlNode? Yaml => _yaml;

    public bool Exists => _yaml is not null;

    /// <summary>A scalar's text (quoted or not: YAML's "9100" and 9100 both read "9100"); null otherwise.</summary>
    public string? Text => (_yaml as YamlScalarNode)?.Value;

    public Node this[string key] =>
        new(_yaml is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null,
            $"{Path}.{key}");

    public IEnumerable<Node> Items => _yaml is YamlSequenceNode sequence
        ? sequence.Children.Select((child, i) => new Node(child, $"{Path}[{i}]"))
        : [];

    public IEnumerable<(string Key, Node Value)> Entries => _yaml is YamlMappingNode map
        ? map.Children.Select(pair => (((YamlScalarNode)pair.Key).Value ?? "", new Node(pair.Value, $"{Path}.{((YamlScalarNode)pair.Key).Value}")))
        : [];

    /// <summary>A mapping of scalars, such as labels or a selector.</summary>
    public IReadOnlyDictionary<string, string> Strings => Entries.ToDictionary(e => e.Key, e => e.Value.Text ?? "");

    public IEnumerable<string> Texts => Items.Select(item => item.Text ?? "");
}
