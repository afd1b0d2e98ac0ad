namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>
/// An <c>orchestrator</c> container's args read as a subcommand and its flags (every flag takes one value),
/// with the problems found on the way: an unknown subcommand or flag, a flag without a value, a repeat.
/// </summary>
public sealed class ContainerCommand
{
    private readonly Dictionary<string, List<string>> _flags = [];

    public ContainerCommand(Manifest owner, Node container)
    {
        Owner = owner;
        Container = container;
        Where = $"{owner} container {container["name"].Text}";
        string[] args = container["args"].Texts.ToArray();
        Subcommand = args.Length > 0 ? CliSurface.All.FirstOrDefault(s => s.Name == args[0]) : null;
        if (container["command"].Exists) Problems.Add($"{Where}: sets command; the image's entrypoint is orchestrator");
        if (Subcommand is null)
        {
            Problems.Add($"{Where}: args start with '{args.FirstOrDefault()}', not one of {string.Join(", ", CliSurface.All.Select(s => s.Name))}");
            return;
        }
        for (int i = 1; i < args.Length; i += 2)
        {
            string flag = args[i];
            if (!flag.StartsWith("--", StringComparison.Ordinal)) { Problems.Add($"{Where}: '{flag}' where a flag was expected"); i--; continue; }
            if (!Subcommand.Accepts(flag)) Problems.Add($"{Where}: {Subcommand.Name} has no flag {flag}");
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) { Problems.Add($"{Where}: {flag} has no value"); i--; continue; }
            if (_flags.ContainsKey(flag) && !CliSurface.Repeatable.Contains(flag)) Problems.Add($"{Where}: {flag} given twice");
            (_flags.TryGetValue(flag, out var values) ? values : _flags[flag] = []).Add(args[i + 1]);
        }
        foreach (string missing in Subcommand.Required.Where(f => !_flags.ContainsKey(f)))
            Problems.Add($"{Where}: {Subcommand.Name} needs {missing}");
    }

    public Manifest Owner { get; }
    public Node Container { get; }
    public string Where { get; }
    public CliSurface.Subcommand? Subcommand { get; }
    public List<string> Problems { get; } = [];

    public string? this[string flag] => _flags.TryGetValue(flag, out var values) ? values[0] : null;

    public IReadOnlyList<string> All(string flag) => _flags.TryGetValue(flag, out var values) ? values : [];

    /// <summary>The containers of every workload that run the orchestrator image.</summary>
    public static IEnumerable<ContainerCommand> In(IEnumerable<Manifest> manifests) =>
        from manifest in manifests
        where manifest.IsWorkload
        from container in manifest.Containers
        where IsOrchestratorImage(container["image"].Text)
        select new ContainerCommand(manifest, container);

    private static bool IsOrchestratorImage(string? image)
    {
        string repository = (image ?? "").Split('@')[0];
        int tag = repository.LastIndexOf(':');
        if (tag > repository.LastIndexOf('/')) repository = repository[..tag];
        return repository.Split('/')[^1] == "orchestrator";
    }
}
