using Orchestrator.Cli.Tests.Deployment;

namespace Orchestrator.Cli.Tests;

/// <summary>The manifests under k8s/ are consistent with each other and with the CLI's command-line surface.</summary>
public sealed class KubernetesManifestsTests
{
    private readonly IReadOnlyList<Manifest> _manifests = KubernetesManifests.TopLevel();

    [Fact]
    public void Every_document_is_a_named_object_of_a_known_kind()
    {
        Assert.NotEmpty(_manifests);
        Assert.All(_manifests, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.Root["apiVersion"].Text), $"{m.Root.Path}: no apiVersion");
            Assert.False(string.IsNullOrEmpty(m.Kind), $"{m.Root.Path}: no kind");
            Assert.False(string.IsNullOrEmpty(m.Name), $"{m.Root.Path}: no metadata.name or generateName");
        });
        Assert.Equal(_manifests.Count, _manifests.Select(m => (m.Kind, m.Name)).Distinct().Count());
    }

    [Fact]
    public void Each_service_selects_the_pods_of_some_workload()
    {
        Assert.Contains(_manifests, m => m.Kind == "Service");
        Assert.Empty(ManifestChecks.ServiceSelectors(_manifests));
    }

    [Fact]
    public void Each_service_target_port_names_or_numbers_a_container_port()
    {
        Assert.Empty(ManifestChecks.ServiceTargetPorts(_manifests));
    }

    [Fact]
    public void Workload_budget_and_governing_service_selectors_match_their_pods()
    {
        Assert.Contains(_manifests, m => m.Kind == "PodDisruptionBudget");
        Assert.Empty(ManifestChecks.WorkloadSelectors(_manifests));
    }

    [Fact]
    public void Every_referenced_secret_config_map_claim_and_service_account_is_defined()
    {
        Assert.Empty(ManifestChecks.References(_manifests));
    }

    [Fact]
    public void Coordinator_worker_and_sweep_containers_use_only_the_cli_flags()
    {
        var commands = ContainerCommand.In(_manifests).ToList();
        Assert.Contains(commands, c => c.Subcommand == CliSurface.Coordinator);
        Assert.Contains(commands, c => c.Subcommand == CliSurface.Worker && c["--device"] == "cpu");
        Assert.Contains(commands, c => c.Subcommand == CliSurface.Worker && c["--device"] == "cuda:0");
        Assert.Contains(commands, c => c.Subcommand == CliSurface.Sweep);
        Assert.Empty(ManifestChecks.Arguments(_manifests));
    }

    [Fact]
    public void Grpc_and_metrics_ports_agree_across_args_services_probes_and_annotations()
    {
        Assert.Empty(ManifestChecks.Ports(_manifests));
    }

    [Fact]
    public void Token_shared_folder_and_configs_come_from_the_right_volumes_on_a_read_only_root()
    {
        Assert.Empty(ManifestChecks.Mounts(_manifests));
    }

    [Fact]
    public void Gpu_workers_own_one_gpu_each()
    {
        var gpu = ContainerCommand.In(_manifests).Single(c => c["--device"] == "cuda:0");
        Assert.Equal("1", gpu.Container["resources"]["limits"]["nvidia.com/gpu"].Text);
        Assert.Equal("StatefulSet", gpu.Owner.Kind);
    }

    [Fact]
    public void The_postgres_component_passes_every_check_and_reads_the_connection_from_its_secret()
    {
        var manifests = KubernetesManifests.WithPostgres();
        Assert.Empty(ManifestChecks.All(manifests));
        var coordinator = ContainerCommand.In(manifests).Single(c => c.Subcommand == CliSurface.Coordinator);
        Assert.Equal("postgres", coordinator["--store"]);
        Assert.Equal("$(STORE_CONNECTION)", coordinator["--store-connection"]);
    }

    [Fact]
    public void The_base_stays_on_sqlite_in_the_shared_folder()
    {
        var coordinator = ContainerCommand.In(_manifests).Single(c => c.Subcommand == CliSurface.Coordinator);
        Assert.Equal("sqlite", coordinator["--store"]);
        Assert.StartsWith(coordinator["--shared-dir"] + "/", coordinator["--store-connection"]);
    }

    [Fact]
    public void The_kustomization_lists_existing_files_and_every_manifest_but_the_optional_ones()
    {
        string path = Path.Combine(RepositoryPaths.Kubernetes, "kustomization.yaml");
        var listed = Manifest.Load([path]).Single().Root["resources"].Texts.ToList();
        Assert.All(listed, file => Assert.True(File.Exists(Path.Combine(RepositoryPaths.Kubernetes, file)), $"{file} is listed but missing"));
        string[] optional = ["workers-gpu.yaml", "sweep-job.yaml"];
        var expected = KubernetesManifests.TopLevelFiles().Select(Path.GetFileName).Except(optional).Order();
        Assert.Equal(expected, listed.Order());
        Assert.Contains("# - workers-gpu.yaml", File.ReadAllText(path));
    }

    [Fact]
    public void The_config_map_and_the_chart_carry_configs_mnist_cpu_verbatim()
    {
        string config = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "configs", "mnist-cpu.yaml"));
        var map = _manifests.Single(m => m.Kind == "ConfigMap" && m.Name == "orchestrator-configs");
        Assert.Equal(config, map.Root["data"]["mnist-cpu.yaml"].Text);
        Assert.Equal(config, File.ReadAllText(Path.Combine(RepositoryPaths.Root, "helm", "orchestrator", "files", "mnist-cpu.yaml")));
    }
}
