using Orchestrator.Cli.Tests.Deployment;

namespace Orchestrator.Cli.Tests;

/// <summary>Each check catches the mistake it is there for: the real manifests with one edit fail it.</summary>
public sealed class ManifestChecksTests
{
    [Theory]
    [InlineData("coordinator.yaml", "targetPort: grpc", "targetPort: gprc", "port grpc targets 'gprc'")]
    [InlineData("workers-cpu.yaml", "serviceName: orchestrator-workers", "serviceName: workers", "serviceName 'workers' is not a Service here")]
    [InlineData("workers-service.yaml", "  selector:\n    app.kubernetes.io/name: orchestrator\n    app.kubernetes.io/component: worker",
        "  selector:\n    app.kubernetes.io/name: orchestrator\n    app.kubernetes.io/component: wroker", "matches no workload's pod labels")]
    [InlineData("workers-service.yaml", "  clusterIP: None\n", "", "is not headless")]
    [InlineData("workers-cpu.yaml", "secretName: orchestrator-token", "secretName: orchestrator-tokens", "Secret 'orchestrator-tokens' is not defined")]
    [InlineData("workers-cpu.yaml", "claimName: orchestrator-shared", "claimName: shared", "PersistentVolumeClaim 'shared' is not defined")]
    [InlineData("workers-cpu.yaml", "- --threads", "- --thread", "worker has no flag --thread")]
    [InlineData("workers-cpu.yaml", "- --pool\n", "", "worker needs --pool")]
    [InlineData("workers-cpu.yaml", "http://$(POD_IP):7001", "http://$(POD_ADDRESS):7001", "$(POD_ADDRESS)")]
    [InlineData("workers-cpu.yaml", "http://$(POD_IP):7001", "http://$(POD_IP):7002", "--advertise")]
    [InlineData("workers-cpu.yaml", "- --push-port\n            - \"7002\"", "- --push-port\n            - \"7003\"", "--push-port 7003 is not its container port 'push' (7002)")]
    [InlineData("workers-gpu.yaml", "- --push-port\n            - \"7002\"", "", "worker needs --push-port")]
    [InlineData("workers-cpu.yaml", "http://orchestrator-coordinator:7000", "http://orchestrator-coordinator:9100", "--coordinator")]
    [InlineData("coordinator.yaml", "prometheus.io/port: \"9100\"", "prometheus.io/port: \"9101\"", "prometheus.io annotations")]
    [InlineData("coordinator.yaml", "- --metrics-port\n            - \"9100\"", "- --metrics-port\n            - \"9200\"", "--metrics-port 9200")]
    [InlineData("coordinator.yaml", "- sqlite", "- mysql", "--store mysql")]
    [InlineData("coordinator.yaml", "            - /shared\n            - --lease-seconds", "            - /data\n            - --lease-seconds", "--shared-dir /data")]
    [InlineData("coordinator.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "read-only")]
    [InlineData("sweep-job.yaml", "- /configs/mnist-cpu.yaml", "- /configs/paper.yaml", "--config /configs/paper.yaml")]
    [InlineData("sweep-job.yaml", "                path: token", "                path: bearer", "--token-file")]
    public void An_edit_that_breaks_the_deployment_is_reported(string file, string from, string to, string expected)
    {
        var problems = ManifestChecks.All(LoadWithEdit(file, from, to)).ToList();
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_unedited_copy_has_no_problems()
    {
        Assert.Empty(ManifestChecks.All(LoadWithEdit("coordinator.yaml", "", "")));
    }

    /// <summary>The top-level manifests with one file's text edited.</summary>
    private static IReadOnlyList<Manifest> LoadWithEdit(string file, string from, string to)
    {
        using var copy = EditedCopy.Of(RepositoryPaths.Kubernetes, KubernetesManifests.TopLevelFiles(), file, from, to);
        return Manifest.Load(Directory.GetFiles(copy.Folder, "*.yaml").Order());
    }
}
