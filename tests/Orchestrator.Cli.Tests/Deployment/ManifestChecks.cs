using System.Text.RegularExpressions;

namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>
/// Consistency checks over a set of Kubernetes objects that together must deploy: each returns the problems it
/// finds, one line each naming the object, so an empty list means the check passed.
/// </summary>
public static partial class ManifestChecks
{
    public static IEnumerable<string> All(IReadOnlyList<Manifest> manifests) =>
        ServiceSelectors(manifests).Concat(ServiceTargetPorts(manifests)).Concat(WorkloadSelectors(manifests))
            .Concat(References(manifests)).Concat(Arguments(manifests)).Concat(Ports(manifests)).Concat(Mounts(manifests));

    /// <summary>Every Service selects the pods of some workload.</summary>
    public static IEnumerable<string> ServiceSelectors(IReadOnlyList<Manifest> manifests)
    {
        foreach (var service in OfKind(manifests, "Service"))
        {
            var selector = service.Spec["selector"].Strings;
            if (selector.Count == 0) yield return $"{service}: has no selector";
            else if (!manifests.Any(m => m.PodsMatch(selector)))
                yield return $"{service}: selector {Show(selector)} matches no workload's pod labels";
        }
    }

    /// <summary>Every Service port's targetPort names or numbers a container port of the pods it selects.</summary>
    public static IEnumerable<string> ServiceTargetPorts(IReadOnlyList<Manifest> manifests)
    {
        foreach (var service in OfKind(manifests, "Service"))
        {
            var selected = SelectedBy(manifests, service).ToList();
            foreach (var port in service.Spec["ports"].Items)
            {
                string target = port["targetPort"].Text ?? port["port"].Text ?? "";
                foreach (var workload in selected.Where(w => !w.Containers.Any(c => ContainerPort(c, target) is not null)))
                    yield return $"{service}: port {port["name"].Text} targets '{target}', which no container of {workload} declares";
            }
        }
    }

    /// <summary>Workload and disruption-budget selectors match their pods; a StatefulSet's service is headless.</summary>
    public static IEnumerable<string> WorkloadSelectors(IReadOnlyList<Manifest> manifests)
    {
        foreach (var workload in manifests.Where(m => m.IsWorkload && m.Kind != "Job"))
        {
            var selector = workload.Spec["selector"]["matchLabels"].Strings;
            if (!workload.PodsMatch(selector))
                yield return $"{workload}: selector {Show(selector)} does not match its own pod labels {Show(workload.PodLabels)}";
        }
        foreach (var budget in OfKind(manifests, "PodDisruptionBudget"))
            if (!manifests.Any(m => m.PodsMatch(budget.Spec["selector"]["matchLabels"].Strings)))
                yield return $"{budget}: selector matches no workload's pods";
        foreach (var set in OfKind(manifests, "StatefulSet"))
        {
            string governing = set.Spec["serviceName"].Text ?? "";
            var service = Find(manifests, "Service", governing);
            if (service is null) yield return $"{set}: serviceName '{governing}' is not a Service here";
            else if (service.Spec["clusterIP"].Text != "None") yield return $"{set}: its Service {governing} is not headless";
            else if (!set.PodsMatch(service.Spec["selector"].Strings)) yield return $"{set}: its Service {governing} does not select its pods";
        }
    }

    /// <summary>Every Secret, ConfigMap, PersistentVolumeClaim and ServiceAccount a pod uses is defined here, with the keys it reads.</summary>
    public static IEnumerable<string> References(IReadOnlyList<Manifest> manifests)
    {
        foreach (var workload in manifests.Where(m => m.IsWorkload))
        {
            var pod = workload.PodSpec;
            if (pod["serviceAccountName"].Text is { } account && Find(manifests, "ServiceAccount", account) is null)
                yield return $"{workload}: ServiceAccount '{account}' is not defined";
            foreach (var volume in pod["volumes"].Items)
            {
                foreach (var problem in Keyed(manifests, workload, "Secret", volume["secret"]["secretName"], volume["secret"]["items"].Items.Select(i => i["key"])))
                    yield return problem;
                foreach (var problem in Keyed(manifests, workload, "ConfigMap", volume["configMap"]["name"], volume["configMap"]["items"].Items.Select(i => i["key"])))
                    yield return problem;
                if (volume["persistentVolumeClaim"]["claimName"].Text is { } claim && Find(manifests, "PersistentVolumeClaim", claim) is null)
                    yield return $"{workload}: PersistentVolumeClaim '{claim}' is not defined";
            }
            foreach (var container in workload.Containers)
            {
                foreach (var variable in container["env"].Items)
                {
                    var from = variable["valueFrom"];
                    foreach (var problem in Keyed(manifests, workload, "Secret", from["secretKeyRef"]["name"], [from["secretKeyRef"]["key"]]))
                        yield return problem;
                    foreach (var problem in Keyed(manifests, workload, "ConfigMap", from["configMapKeyRef"]["name"], [from["configMapKeyRef"]["key"]]))
                        yield return problem;
                }
                foreach (var source in container["envFrom"].Items)
                {
                    foreach (var problem in Keyed(manifests, workload, "Secret", source["secretRef"]["name"], []))
                        yield return problem;
                    foreach (var problem in Keyed(manifests, workload, "ConfigMap", source["configMapRef"]["name"], []))
                        yield return problem;
                }
            }
        }
    }

    /// <summary>The orchestrator containers' args use the CLI's flags only, and every $(VAR) in them is set.</summary>
    public static IEnumerable<string> Arguments(IReadOnlyList<Manifest> manifests)
    {
        foreach (var command in ContainerCommand.In(manifests))
        {
            foreach (var problem in command.Problems) yield return problem;
            var defined = command.Container["env"].Items.Select(v => v["name"].Text).ToHashSet();
            foreach (Match use in VariableReference().Matches(string.Join(' ', command.Container["args"].Texts)))
                if (!defined.Contains(use.Groups[1].Value))
                    yield return $"{command.Where}: args use $({use.Groups[1].Value}), which its env does not set";
            if (command["--store"] is { } store && !CliSurface.Stores.Contains(store))
                yield return $"{command.Where}: --store {store} is not one of {string.Join(", ", CliSurface.Stores)}";
        }
    }

    /// <summary>
    /// The gRPC and metrics ports agree across a server's args, its container ports, its probes and its scrape
    /// annotations, a worker's --push-port is its container port 'push' (apart from gRPC's), and every --coordinator
    /// URL reaches the coordinator's gRPC port through a Service.
    /// </summary>
    public static IEnumerable<string> Ports(IReadOnlyList<Manifest> manifests)
    {
        var commands = ContainerCommand.In(manifests).ToList();
        foreach (var server in commands.Where(c => c.Subcommand != CliSurface.Sweep))
        {
            var listen = Url(server["--listen"]);
            string? grpc = ContainerPort(server.Container, "grpc");
            string? metrics = ContainerPort(server.Container, "metrics");
            string scheme = server["--tls-cert"] is null ? "http" : "https";
            if (listen is null || listen.Scheme != scheme)
                yield return $"{server.Where}: --listen '{server["--listen"]}' is not an {scheme}:// URL (gRPC is {(scheme == "http" ? "h2c without --tls-cert" : "TLS with --tls-cert")})";
            else if (listen.Port.ToString() != grpc) yield return $"{server.Where}: --listen port {listen.Port} is not its container port 'grpc' ({grpc})";
            if (server["--metrics-port"] != metrics) yield return $"{server.Where}: --metrics-port {server["--metrics-port"]} is not its container port 'metrics' ({metrics})";
            var annotations = server.Owner.PodAnnotations;
            if (annotations.GetValueOrDefault("prometheus.io/scrape") != "true" || annotations.GetValueOrDefault("prometheus.io/port") != metrics
                || annotations.GetValueOrDefault("prometheus.io/path") != "/metrics")
                yield return $"{server.Where}: the pod's prometheus.io annotations do not point at /metrics on port {metrics}";
            foreach (string probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
            {
                var get = server.Container[probe]["httpGet"];
                if (get["path"].Text != "/metrics" || ContainerPort(server.Container, get["port"].Text ?? "") != metrics)
                    yield return $"{server.Where}: {probe} is not an HTTP GET of /metrics on the metrics port";
            }
            if (server.Subcommand == CliSurface.Worker && (server["--push-port"] != ContainerPort(server.Container, "push") || server["--push-port"] == grpc))
                yield return $"{server.Where}: --push-port {server["--push-port"]} is not its container port 'push' ({ContainerPort(server.Container, "push")}) apart from gRPC's";
            if (server.Subcommand == CliSurface.Worker && Url(server["--advertise"]) is var advertised && (advertised?.Port.ToString() != grpc || advertised?.Scheme != scheme))
                yield return $"{server.Where}: --advertise '{server["--advertise"]}' is not {scheme}:// on its gRPC port {grpc}";
        }
        var coordinators = commands.Where(c => c.Subcommand == CliSurface.Coordinator).ToList();
        foreach (var client in commands.Where(c => c["--coordinator"] is not null))
            if (!ReachesCoordinator(manifests, coordinators, Url(client["--coordinator"])))
                yield return $"{client.Where}: --coordinator '{client["--coordinator"]}' is not a Service port that targets a coordinator's gRPC port in its scheme";
    }

    /// <summary>
    /// The token, the TLS files, the shared folder and the run configs are where the args say, from the right volumes; containers
    /// run as non-root on a read-only root file system with /tmp writable.
    /// </summary>
    public static IEnumerable<string> Mounts(IReadOnlyList<Manifest> manifests)
    {
        foreach (var command in ContainerCommand.In(manifests))
        {
            if (command["--config"] is { } config && !FileFromVolume(manifests, command, config, "configMap", "name", "ConfigMap"))
                yield return $"{command.Where}: --config {config} is not a key of a mounted ConfigMap";
            foreach (string flag in new[] { "--token-file", "--tls-cert", "--tls-key", "--tls-ca" })
                if (command[flag] is { } file && !FileFromVolume(manifests, command, file, "secret", "secretName", "Secret"))
                    yield return $"{command.Where}: {flag} {file} is not a key of a mounted Secret";
            if (command["--shared-dir"] is { } shared
                && !(MountAt(command, shared) is { } mount && mount.Path == shared && mount.Volume["persistentVolumeClaim"].Exists))
                yield return $"{command.Where}: --shared-dir {shared} is not the mount path of a PersistentVolumeClaim";
            var security = command.Container["securityContext"];
            if (security["readOnlyRootFilesystem"].Text != "true" || security["allowPrivilegeEscalation"].Text != "false")
                yield return $"{command.Where}: the root file system is not read-only or privilege escalation is allowed";
            if (command.Owner.PodSpec["securityContext"]["runAsNonRoot"].Text != "true")
                yield return $"{command.Where}: the pod does not require a non-root user";
            if (MountAt(command, "/tmp") is not { Path: "/tmp" } tmp || !tmp.Volume["emptyDir"].Exists)
                yield return $"{command.Where}: /tmp is not a writable emptyDir";
        }
    }

    private static bool ReachesCoordinator(IReadOnlyList<Manifest> manifests, List<ContainerCommand> coordinators, Uri? url)
    {
        if (url is null) return false;
        var service = Find(manifests, "Service", url.Host.Split('.')[0]);
        var port = service?.Spec["ports"].Items.FirstOrDefault(p => p["port"].Text == url.Port.ToString());
        if (service is null || port is null) return false;
        string target = port["targetPort"].Text ?? port["port"].Text ?? "";
        return coordinators.Any(c => c.Owner.PodsMatch(service.Spec["selector"].Strings) && Url(c["--listen"])?.Scheme == url.Scheme
            && ContainerPort(c.Container, target) is { } reached && reached == ContainerPort(c.Container, "grpc"));
    }

    /// <summary>Whether <paramref name="file"/> is a key of the Secret or ConfigMap mounted over its folder.</summary>
    private static bool FileFromVolume(IReadOnlyList<Manifest> manifests, ContainerCommand command, string file, string source, string nameKey, string kind)
    {
        if (MountAt(command, file) is not { } mount || !mount.Volume[source].Exists) return false;
        string relative = Path.GetRelativePath(mount.Path, file);
        var items = mount.Volume[source]["items"].Items.ToList();
        string? key = items.Count == 0 ? relative : items.FirstOrDefault(i => i["path"].Text == relative)?["key"].Text;
        var owner = Find(manifests, kind, mount.Volume[source][nameKey].Text ?? "");
        return key is not null && owner is not null && (owner.Root["data"][key].Exists || owner.Root["stringData"][key].Exists);
    }

    /// <summary>The volume mounted over <paramref name="path"/> (the deepest mount containing it) and its mount path.</summary>
    private static (string Path, Node Volume)? MountAt(ContainerCommand command, string path)
    {
        var mounts = command.Container["volumeMounts"].Items
            .Where(m => m["mountPath"].Text is { } at && (path == at || path.StartsWith(at.TrimEnd('/') + "/", StringComparison.Ordinal)))
            .OrderByDescending(m => m["mountPath"].Text!.Length);
        foreach (var mount in mounts)
        {
            var volume = command.Owner.PodSpec["volumes"].Items.FirstOrDefault(v => v["name"].Text == mount["name"].Text);
            if (volume is not null) return (mount["mountPath"].Text!, volume);
        }
        return null;
    }

    private static IEnumerable<string> Keyed(IReadOnlyList<Manifest> manifests, Manifest user, string kind, Node name, IEnumerable<Node> keys)
    {
        if (name.Text is null) yield break;
        var defined = Find(manifests, kind, name.Text);
        if (defined is null) { yield return $"{user}: {kind} '{name.Text}' is not defined"; yield break; }
        foreach (string key in keys.Select(k => k.Text ?? ""))
            if (!defined.Root["data"][key].Exists && !defined.Root["stringData"][key].Exists)
                yield return $"{user}: {kind} '{name.Text}' has no key '{key}'";
    }

    /// <summary>The port number a container declares under this name or number, or null.</summary>
    public static string? ContainerPort(Node container, string nameOrNumber) =>
        container["ports"].Items.FirstOrDefault(p => p["name"].Text == nameOrNumber || p["containerPort"].Text == nameOrNumber)?["containerPort"].Text;

    private static IEnumerable<Manifest> SelectedBy(IReadOnlyList<Manifest> manifests, Manifest service) =>
        manifests.Where(m => m.PodsMatch(service.Spec["selector"].Strings));

    private static IEnumerable<Manifest> OfKind(IReadOnlyList<Manifest> manifests, string kind) => manifests.Where(m => m.Kind == kind);

    private static Manifest? Find(IReadOnlyList<Manifest> manifests, string kind, string name) =>
        manifests.FirstOrDefault(m => m.Kind == kind && m.Name == name);

    private static Uri? Url(string? text) => Uri.TryCreate(text?.Replace("$(", "").Replace(")", ""), UriKind.Absolute, out var url) ? url : null;

    private static string Show(IReadOnlyDictionary<string, string> labels) => "{" + string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}")) + "}";

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();
}
