using Orchestrator.Cli.Tests.Deployment;

namespace Orchestrator.Cli.Tests;

/// <summary>
/// The Helm chart, rendered with its defaults and with each optional part turned on, passes the checks the plain
/// manifests pass, and refuses values that cannot deploy with a message naming them.
/// </summary>
public sealed class HelmChartTests
{
    private const string TlsSecret = "orchestrator-tls";

    private static readonly string[] Tls = ["tls.enabled=true", $"tls.secretName={TlsSecret}"];

    public static TheoryData<string, string[]> ValueSets => new()
    {
        { "defaults", [] },
        { "GPU pool, sweep Job, ServiceMonitor and PrometheusRule",
            ["workers.pools.gpu.enabled=true", "sweep.enabled=true", "metrics.serviceMonitor.enabled=true", "metrics.prometheusRule.enabled=true"] },
        { "PostgreSQL store", ["coordinator.store.type=postgres", "coordinator.store.postgres.connectionString=Host=db;Username=orchestrator"] },
        { "TLS everywhere", [.. Tls, "workers.pools.gpu.enabled=true", "sweep.enabled=true"] },
        { "a release-named chart", ["fullnameOverride=distill", "workers.pools.cpu.replicas=4"] },
    };

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Every_check_passes(string valueSet, string[] sets)
    {
        var manifests = WithUsersTlsSecret(HelmChart.Render(sets));
        Assert.Empty(ManifestChecks.All(manifests));
        var commands = ContainerCommand.In(manifests).ToList();
        Assert.True(commands.Count(c => c.Subcommand == CliSurface.Coordinator) == 1, $"{valueSet}: not one coordinator");
        Assert.Contains(commands, c => c.Subcommand == CliSurface.Worker && c["--device"] == "cpu");
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void No_rendered_line_is_blank_but_for_its_indentation(string valueSet, string[] sets)
    {
        var (exitCode, output, error) = HelmChart.TryRender(HelmChart.Folder, sets);
        Assert.True(exitCode == 0, $"{valueSet}: {error}");
        Assert.DoesNotMatch(@"(?m)^[ \t]+$", output);
    }

    [Fact]
    public void Optional_parts_render_only_when_enabled()
    {
        var defaults = HelmChart.Render();
        var everything = HelmChart.Render("workers.pools.gpu.enabled=true", "sweep.enabled=true", "metrics.serviceMonitor.enabled=true");
        Assert.DoesNotContain(ContainerCommand.In(defaults), c => c["--device"] == "cuda:0");
        Assert.DoesNotContain(defaults, m => m.Kind is "Job" or "ServiceMonitor");
        var gpu = ContainerCommand.In(everything).Single(c => c["--device"] == "cuda:0");
        Assert.Equal("1", gpu.Container["resources"]["limits"]["nvidia.com/gpu"].Text);
        Assert.Equal(["ConvNet", "ResNet10", "ResNet18", "ResNet10AP", "ResNet18AP"], gpu["--pool"]!.Split(','));
        var sweep = ContainerCommand.In(everything).Single(c => c.Subcommand == CliSurface.Sweep);
        Assert.Equal(["seed=0,1,2", "evaluate.ipc=1,10"], sweep.All("--axis"));
        Assert.Contains(everything, m => m.Kind == "ServiceMonitor");
    }

    [Fact]
    public void The_prometheus_rule_carries_the_alerting_rules_file()
    {
        var rule = HelmChart.Render("metrics.prometheusRule.enabled=true", "metrics.prometheusRule.labels.release=prometheus").Single(m => m.Kind == "PrometheusRule");
        var file = Manifest.Parse(new StringReader(File.ReadAllText(Path.Combine(HelmChart.Folder, "rules", "orchestrator.rules.yaml"))), "rules").Single();
        Assert.Equal("prometheus", rule.Root["metadata"]["labels"]["release"].Text);
        static IEnumerable<(string?, string?, string?)> Alerts(Node groups) =>
            groups.Items.SelectMany(g => g["rules"].Items).Select(r => (r["alert"].Text, r["expr"].Text, r["annotations"]["summary"].Text));
        var expected = Alerts(file.Root["groups"]).ToList();
        Assert.Equal(5, expected.Count);
        Assert.Equal(expected, Alerts(rule.Spec["groups"]));
        Assert.DoesNotContain(HelmChart.Render(), m => m.Kind == "PrometheusRule");
    }

    [Fact]
    public void With_tls_every_server_serves_the_secrets_certificate_and_every_caller_trusts_its_authority()
    {
        var commands = ContainerCommand.In(WithUsersTlsSecret(HelmChart.Render([.. Tls, "sweep.enabled=true"]))).ToList();
        Assert.All(commands.Where(c => c.Subcommand != CliSurface.Sweep), server =>
        {
            Assert.StartsWith("https://", server["--listen"]);
            Assert.NotNull(server["--tls-cert"]);
            Assert.NotNull(server["--tls-key"]);
        });
        Assert.All(commands.Where(c => c.Subcommand != CliSurface.Coordinator), caller =>
        {
            Assert.StartsWith("https://", caller["--coordinator"]);
            Assert.NotNull(caller["--tls-ca"]);
        });
        // A worker is called by its peers at a name the certificate can cover: its stable name under the headless
        // Service, not its pod IP.
        var worker = commands.First(c => c.Subcommand == CliSurface.Worker);
        string governing = worker.Owner.Spec["serviceName"].Text!;
        Assert.StartsWith($"https://$(POD_NAME).{governing}.", worker["--advertise"]);
    }

    [Fact]
    public void Without_tls_nothing_mentions_it()
    {
        var manifests = HelmChart.Render("sweep.enabled=true");
        Assert.All(ContainerCommand.In(manifests), c =>
        {
            Assert.Null(c["--tls-cert"]);
            Assert.Null(c["--tls-ca"]);
            Assert.DoesNotContain(c.Container["volumeMounts"].Items, m => m["name"].Text == "tls");
        });
    }

    [Theory]
    [InlineData("tls.enable=true", "- tls: Additional property enable is not allowed")]
    [InlineData("workers.pools.cpu.replicas=two", "- workers.pools.cpu.replicas: Invalid type. Expected: integer, given: string")]
    [InlineData("workers.pools.cpu.architectures={ConvNet,ResNet}", "- workers.pools.cpu.architectures.1: workers.pools.cpu.architectures.1 must be one of the following")]
    [InlineData("workers.pools.gpu.device=gpu0", "- workers.pools.gpu.device: Does not match pattern")]
    [InlineData("coordinator.grpcPort=70000", "- coordinator.grpcPort: Must be less than or equal to 65535")]
    [InlineData("coordinator.store.type=mysql", "- coordinator.store.type: coordinator.store.type must be one of the following: \"sqlite\", \"postgres\"")]
    public void A_misspelt_or_mistyped_value_is_refused_by_the_schema_naming_it(string set, string expected)
    {
        var (exitCode, _, error) = HelmChart.TryRender(HelmChart.Folder, [set]);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("values don't meet the specifications of the schema(s)", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_schema_offers_exactly_the_architectures_a_worker_can_build()
    {
        using var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(HelmChart.Folder, "values.schema.json")));
        var offered = schema.RootElement.GetProperty("definitions").GetProperty("architectures").GetProperty("items").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()!);
        Assert.Equal(Orchestrator.Distillation.Networks.NetworkFactory.Names, offered);
    }

    /// <summary>What the schema cannot say, the templates refuse; they also guard a render that skips the schema.</summary>
    [Theory]
    [InlineData(new[] { "tls.enabled=true" }, true, "tls.enabled needs tls.secretName")]
    [InlineData(new[] { "coordinator.store.type=postgres" }, true, "coordinator.store.postgres.connectionString (or existingSecret) is required")]
    [InlineData(new[] { "coordinator.store.type=mysql" }, false, "coordinator.store.type must be sqlite or postgres, not mysql")]
    public void Values_that_cannot_deploy_are_refused_by_the_templates_naming_them(string[] sets, bool validateSchema, string expected)
    {
        var (exitCode, _, error) = HelmChart.TryRender(HelmChart.Folder, sets, validateSchema);
        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("schema", error);
        Assert.Contains(expected, error);
    }

    /// <summary>The checks judge what the chart renders: a copy of the chart with one edit fails them, naming it.</summary>
    [Theory]
    [InlineData("templates/coordinator.yaml", "targetPort: grpc", "targetPort: gprc", "targets 'gprc'")]
    [InlineData("templates/_helpers.tpl", "  mountPath: /etc/orchestrator-tls", "  mountPath: /etc/tls", "--tls-cert /etc/orchestrator-tls/tls.crt is not a key of a mounted Secret")]
    [InlineData("templates/_helpers.tpl", "{{ include \"orchestrator.scheme\" . }}://{{ include \"orchestrator.fullname\" . }}-coordinator",
        "http://{{ include \"orchestrator.fullname\" . }}-coordinator", "--coordinator 'http://release-orchestrator-coordinator:7000' is not a Service port")]
    [InlineData("templates/workers.yaml", "- https://$(POD_NAME)", "- http://$(POD_NAME)", "--advertise 'http://$(POD_NAME)")]
    [InlineData("templates/_helpers.tpl", "- --tls-ca", "- --tls-authority", "worker has no flag --tls-authority")]
    [InlineData("templates/workers.yaml", "containerPort: {{ $.Values.workers.pushPort }}", "containerPort: {{ $.Values.workers.grpcPort }}", "--push-port 7002 is not its container port 'push' (7001)")]
    public void An_edit_that_breaks_the_chart_is_reported(string file, string from, string to, string expected)
    {
        using var copy = EditedCopy.Of(HelmChart.Folder, Directory.GetFiles(HelmChart.Folder, "*", SearchOption.AllDirectories), file, from, to);
        var problems = ManifestChecks.All(WithUsersTlsSecret(HelmChart.RenderFrom(copy.Folder, [.. Tls, "sweep.enabled=true"]))).ToList();
        Assert.Contains(problems, p => p.Contains(expected));
    }

    [Fact]
    public void A_token_secret_the_user_names_must_exist_beside_the_chart()
    {
        var manifests = HelmChart.Render("token.existingSecret=elsewhere");
        Assert.DoesNotContain(manifests, m => m.Kind == "Secret");
        Assert.Contains(ManifestChecks.References(manifests), p => p.Contains("Secret 'elsewhere' is not defined"));
    }

    /// <summary>The Secret a user creates (or cert-manager issues) for tls.secretName, with the keys the chart mounts.</summary>
    private static IReadOnlyList<Manifest> WithUsersTlsSecret(IReadOnlyList<Manifest> manifests) =>
    [
        .. manifests,
        .. Manifest.Parse(new StringReader($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: {{TlsSecret}}}
            type: kubernetes.io/tls
            data: {tls.crt: "", tls.key: "", ca.crt: ""}
            """), "users-tls-secret.yaml"),
    ];
}
