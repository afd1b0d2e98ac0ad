using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>One Kubernetes object from a manifest file.</summary>
public sealed record Manifest(string File, Node Root)
{
    private static readonly HashSet<string> PodOwners = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];

    public string Kind => Root["kind"].Text ?? "";

    /// <summary>The name, or the prefix a Job created with <c>generateName</c> gets.</summary>
    public string Name => Root["metadata"]["name"].Text ?? Root["metadata"]["generateName"].Text ?? "";

    public override string ToString() => $"{Kind} {Name} ({System.IO.Path.GetFileName(File)})";

    public Node Spec => Root["spec"];

    /// <summary>The pod template of a workload; a node that does not exist for other kinds.</summary>
    public Node PodTemplate => Kind switch
    {
        "CronJob" => Spec["jobTemplate"]["spec"]["template"],
        _ when PodOwners.Contains(Kind) => Spec["template"],
        _ => new Node(null, $"{this}: no pod template"),
    };

    public bool IsWorkload => PodTemplate.Exists;

    public IReadOnlyDictionary<string, string> PodLabels => PodTemplate["metadata"]["labels"].Strings;

    public IReadOnlyDictionary<string, string> PodAnnotations => PodTemplate["metadata"]["annotations"].Strings;

    public Node PodSpec => PodTemplate["spec"];

    public IEnumerable<Node> Containers => PodSpec["initContainers"].Items.Concat(PodSpec["containers"].Items);

    /// <summary>Every object in the given files; empty YAML documents (a file of comments) hold none.</summary>
    public static IReadOnlyList<Manifest> Load(IEnumerable<string> files)
    {
        var manifests = new List<Manifest>();
        foreach (string file in files)
        {
            using var reader = new StreamReader(file);
            manifests.AddRange(Parse(reader, file));
        }
        return manifests;
    }

    /// <summary>Every object in one YAML stream, named after <paramref name="source"/>.</summary>
    public static IEnumerable<Manifest> Parse(TextReader reader, string source)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        foreach (var (document, i) in stream.Documents.Select((d, i) => (d, i)))
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" }) continue;
            yield return new Manifest(source, new Node(document.RootNode, $"{System.IO.Path.GetFileName(source)}#{i}"));
        }
    }

    /// <summary>Whether every label the selector asks for is on this workload's pods.</summary>
    public bool PodsMatch(IReadOnlyDictionary<string, string> selector) =>
        IsWorkload && selector.Count > 0 && selector.All(s => PodLabels.TryGetValue(s.Key, out var v) && v == s.Value);
}
