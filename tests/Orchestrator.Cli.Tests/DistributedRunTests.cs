using System.Text.RegularExpressions;
using Orchestrator.Cli.Cluster;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Tests;

/// <summary>
/// The real distributed path, in child processes on loopback: a coordinator, workers, the gRPC all-reduce. The distilled
/// generator must be the single-process pipeline's to the bit, whatever the number of workers and whatever fails, and
/// so must the evaluation's report, its units spread over the workers.
/// </summary>
[Collection(nameof(DistributedRunTests))]
public sealed class DistributedRunTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(6);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orchestrator-cli-tests", Guid.NewGuid().ToString("N"));

    public DistributedRunTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    // Twelve generator steps of three shards on ~300 MNIST images: seconds per step on two cores. Every member keeps the
    // moving average of the generator (match.ema) and hands it on with the state. The evaluation is 3 rows × 2 runs: six units.
    private const string Config = """
        seed: 3
        threads: 1
        output: runs/tiny
        dataset: {name: mnist, train_per_class: 30, test_limit: 300}
        gan: {width: 16}
        pretrain: {epochs: 2, steps_per_epoch: 3, batch: 32, checkpoint_every: 1, score_ipc: 2, score_epochs: 2}
        match: {epochs: 4, steps_per_epoch: 3, batch: 16, shards: 3, pool: [ConvNetW32, ConvNet], pool_steps: 2, checkpoint_every: 5, ema: 0.9}
        evaluate: {ipc: [1], runs: 2, epochs: 2}
        """;

    private string ConfigFile
    {
        get
        {
            string path = Path.Combine(_root, "tiny.yaml");
            if (!File.Exists(path)) File.WriteAllText(path, Config);
            return path;
        }
    }

    /// <param name="configFile">The run's config; <see cref="ConfigFile"/> when null.</param>
    private async Task<byte[]> SingleProcessGeneratorAsync(string? configFile = null)
    {
        await OrchestratorProcess.RunAsync(_root, Generous, "run", "--single-process", "--config", configFile ?? ConfigFile, "--output", "runs/single");
        return File.ReadAllBytes(Path.Combine(_root, "runs", "single", "generator.safetensors"));
    }

    private byte[] DistributedGenerator(string output) =>
        File.ReadAllBytes(Directory.GetFiles(Path.Combine(_root, output), "generator.safetensors", SearchOption.AllDirectories).Single());

    /// <summary>The run's report.md and report.json under <paramref name="output"/> (the cluster writes them in the run's folder).</summary>
    private (string Table, string Json) Report(string output)
    {
        string folder = Path.GetDirectoryName(Directory.GetFiles(Path.Combine(_root, output), "report.md", SearchOption.AllDirectories).Single())!;
        return (File.ReadAllText(Path.Combine(folder, "report.md")), File.ReadAllText(Path.Combine(folder, "report.json")));
    }

    [Fact]
    public async Task One_two_and_three_workers_give_the_single_process_generator_and_report_bit_for_bit()
    {
        byte[] reference = await SingleProcessGeneratorAsync();
        var (table, json) = Report("runs/single");
        foreach (int workers in new[] { 1, 2, 3 })
        {
            string output = await OrchestratorProcess.RunAsync(_root, Generous, "run", "--config", ConfigFile, "--workers", workers.ToString(), "--output", $"runs/w{workers}");
            Assert.Contains(table, output);
            Assert.Matches(@"\[evaluate\] units [0-5]/6 ", output);
            Assert.True(reference.AsSpan().SequenceEqual(DistributedGenerator($"runs/w{workers}")), $"{workers} worker(s): the generator differs from the single-process one");
            Assert.Equal((table, json), Report($"runs/w{workers}"));
            // The evaluation's units start one per worker, so every worker evaluates.
            for (int i = 0; i < workers; i++)
                Assert.Matches(@"evaluation (random|cgan|distilled) IPC 1 run [01]: test accuracy",
                    File.ReadAllText(Path.Combine(_root, "runs", $"w{workers}", "cluster", "workers", $"local-{i}.log")));
            // bench/scaling.py times steps from these lines (STEP_LINE there): millisecond timestamps and every field.
            string log = File.ReadAllText(Path.Combine(_root, "runs", $"w{workers}", "cluster", "workers", "local-0.log"));
            Assert.Matches(@"(?m)^\d\d:\d\d:\d\d\.\d{3} info: \S+ \S+ step 1: shards \[[\d, ]+\] in [\d.]+ s \([\d.]+ s CPU\), all-reduce of a \d+ B buffer \(\d+ B sent\) in [\d.]+ s \(.*\), step [\d.]+ s\r?$", log);
        }
    }

    [Fact]
    public async Task A_device_this_libtorch_cannot_use_is_refused_before_any_work_on_every_path()
    {
        // The tests' libtorch is Debian's CPU-only build, so cuda:0 is a device it cannot use.
        Assert.False(Torch.torch.cuda.is_available());
        using (var single = OrchestratorProcess.Start(_root, "run", "--single-process", "--config", ConfigFile, "--set", "device=cuda:0", "--output", "runs/cuda-single"))
        {
            Assert.Equal(2, await single.WaitAsync(Generous));
            Assert.Contains("config key 'device': cuda:0: this libtorch sees no CUDA device", single.Output);
        }
        // The embedded cluster gives its workers the config's device (they used to start on the CPU whatever the config
        // said), and a worker refuses a device it cannot use when it starts, before it registers.
        using (var embedded = OrchestratorProcess.Start(_root, "run", "--config", ConfigFile, "--set", "device=cuda:0", "--workers", "1", "--output", "runs/cuda-cluster"))
        {
            Assert.NotEqual(0, await embedded.WaitAsync(Generous));
            Assert.Contains("every local worker exited before the run finished", embedded.Output);
            Assert.Contains("Worker:Device cuda:0: this libtorch sees no CUDA device",
                File.ReadAllText(Path.Combine(_root, "runs", "cuda-cluster", "cluster", "workers", "local-0.log")));
        }
        using (var worker = OrchestratorProcess.Start(_root, "worker", "--coordinator", "http://127.0.0.1:9", "--device", "cuda:1"))
        {
            Assert.Equal(2, await worker.WaitAsync(Generous));
            Assert.Contains("Worker:Device cuda:1: this libtorch sees no CUDA device", worker.Output);
        }
    }

    [Theory]
    [InlineData("cpu", 3, 0, "cpu")]
    [InlineData("cuda:1", 0, 4, "cuda:1")]
    [InlineData("CUDA:1", 2, 4, "cuda:1")]
    [InlineData("cuda", 0, 2, "cuda:0")]
    [InlineData("cuda", 3, 2, "cuda:1")]
    [InlineData("cuda", 2, 0, "cuda:0")]
    public void Local_workers_take_the_configs_device_and_a_bare_cuda_is_dealt_over_the_gpus(string device, int worker, int gpus, string expected) =>
        Assert.Equal(expected, LocalCluster.WorkerDevice(device, worker, () => gpus));

    [Fact]
    public async Task A_cluster_runs_folder_is_named_to_a_stage_command_and_deploys_from_there_as_recorded()
    {
        await OrchestratorProcess.RunAsync(_root, Generous, "run", "--config", ConfigFile, "--workers", "1", "--output", "runs/deploy");
        string runFolder = Path.GetRelativePath(_root, Path.GetDirectoryName(Directory.GetFiles(Path.Combine(_root, "runs", "deploy"), "generator.safetensors", SearchOption.AllDirectories).Single())!);

        // Pointed at the cluster's output, generate finds no generator there, and is told where the run is.
        using OrchestratorProcess missed = OrchestratorProcess.Start(_root, "generate", "--config", ConfigFile, "--output", "runs/deploy", "--ipc", "2");
        Assert.Equal(2, await missed.WaitAsync(Generous));
        Assert.Contains($"note: runs/deploy holds no run of its own but the cluster's runs {runFolder} (newest first); --output {runFolder} uses the newest", missed.Output);

        // Pointed at the run, it deploys, and the run's recorded config (output absolute, as the worker wrote it) is the same config.
        string output = await OrchestratorProcess.RunAsync(_root, Generous, "generate", "--config", ConfigFile, "--output", runFolder, "--ipc", "2");
        Assert.DoesNotContain("differs from this run's config", output);
        Assert.True(File.Exists(Path.Combine(_root, runFolder, "sets", "generator-ipc2.safetensors")), output);
    }

    [Fact]
    public async Task A_killed_worker_a_joining_worker_and_a_restarted_coordinator_lose_no_step_nor_evaluation_unit()
    {
        byte[] reference = await SingleProcessGeneratorAsync();
        string token = TokenFile("a-test-token");
        string[] leases = ["--lease-seconds", "3", "--heartbeat-seconds", "0.5"];
        var (coordinator, address) = await StartCoordinatorAsync(token, 0, leases);
        OrchestratorProcess Worker(string id) => OrchestratorProcess.Start(_root, "worker", "--coordinator", address.ToString(), "--id", id, "--token-file", token, "--pool", "ConvNetW32,ConvNet");
        var workers = new Dictionary<string, OrchestratorProcess> { ["a"] = Worker("a"), ["b"] = Worker("b"), ["c"] = Worker("c") };
        try
        {
            using var control = await ConnectAsync(address, "a-test-token");
            SubmitRunResponse run = await control.SubmitRunAsync(Config, [], CancellationToken.None);

            await WaitForStepAsync(control, run.RunId, 3);
            workers["b"].Kill();                 // kill -9 in the middle of the matching stage
            await WaitForStepAsync(control, run.RunId, 6);
            workers["d"] = Worker("d");          // joins mid-run and takes shards from a later step
            await WaitForStepAsync(control, run.RunId, 8);
            coordinator.Kill();                  // the coordinator dies mid-run ...
            coordinator.Dispose();
            (coordinator, _) = await StartCoordinatorAsync(token, address.Port, leases);   // ... and resumes from its SQLite store

            using var again = await ConnectAsync(address, "a-test-token");
            await WaitForEvaluationAsync(again, run.RunId);
            workers["a"].Kill();                 // as the evaluation starts, each worker holding a unit: a's is placed again
            RunStatus final = await WaitForEndAsync(again, run.RunId);
            Assert.True(final.State == RunState.Succeeded, $"run ended {final.State}: {final.Error}\n{coordinator.Output}");
            Assert.True(reference.AsSpan().SequenceEqual(DistributedGenerator("runs/tiny")), "the generator differs from the single-process one");
            Assert.Equal(Report("runs/single"), Report("runs/tiny"));
            Assert.Equal((6, 6), (final.EvaluationUnitsDone, final.EvaluationUnitsTotal));
            Assert.Matches(@"step (9|10|11): shards", workers["d"].Output);
        }
        finally
        {
            coordinator.Dispose();
            foreach (OrchestratorProcess worker in workers.Values) worker.Dispose();
        }
    }

    /// <summary>
    /// A worker frozen past its lease in the middle of stage 1 is declared dead, and the stage is placed on the other
    /// worker. Thawed, the frozen one registers again and must drop its stale copy of the stage, which would otherwise
    /// run to the end beside the new one, writing the same run folder.
    /// </summary>
    [Fact]
    public async Task A_worker_frozen_past_its_lease_drops_the_stage_placed_elsewhere_and_the_run_ends_bit_for_bit()
    {
        const string frozenConfig = """
            seed: 5
            threads: 1
            output: runs/frozen
            dataset: {name: mnist, train_per_class: 30, test_limit: 300}
            gan: {width: 16}
            pretrain: {epochs: 10, steps_per_epoch: 15, batch: 32, checkpoint_every: 2, score_ipc: 2, score_epochs: 2}
            match: {epochs: 1, steps_per_epoch: 2, batch: 16, shards: 2, pool: [ConvNetW32, ConvNet], pool_steps: 2, checkpoint_every: 5}
            evaluate: {ipc: [1], runs: 1, epochs: 2}
            """;
        string configFile = Path.Combine(_root, "frozen.yaml");
        File.WriteAllText(configFile, frozenConfig);
        byte[] reference = await SingleProcessGeneratorAsync(configFile);

        string token = TokenFile("a-test-token");
        var (coordinator, address) = await StartCoordinatorAsync(token, 0, "--lease-seconds", "3", "--heartbeat-seconds", "0.5");
        OrchestratorProcess Worker(string id) => OrchestratorProcess.Start(_root, "worker", "--coordinator", address.ToString(), "--id", id, "--token-file", token, "--pool", "ConvNetW32,ConvNet");
        var workers = new Dictionary<string, OrchestratorProcess> { ["a"] = Worker("a"), ["b"] = Worker("b") };
        try
        {
            using var control = await ConnectAsync(address, "a-test-token");
            SubmitRunResponse run = await control.SubmitRunAsync(frozenConfig, [], CancellationToken.None);
            string holder = await WhichPrintsAsync(workers, new Regex(@"\[pretrain\] 1/150"));
            OrchestratorProcess frozen = workers[holder];
            frozen.Pause();
            await coordinator.WaitForOutputAsync(new Regex($"declared dead: {holder}"), TimeSpan.FromSeconds(60));
            frozen.Resume();

            await frozen.WaitForOutputAsync(new Regex(@"registered again: abandoning \S+ Pretrain"), TimeSpan.FromSeconds(60));
            RunStatus final = await WaitForEndAsync(control, run.RunId);
            Assert.True(final.State == RunState.Succeeded, $"run ended {final.State}: {final.Error}\n{coordinator.Output}");
            Assert.DoesNotContain("[pretrain] 150/150", frozen.Output);
            Assert.Contains("[pretrain] 150/150", workers[holder == "a" ? "b" : "a"].Output);
            Assert.True(reference.AsSpan().SequenceEqual(DistributedGenerator("runs/frozen")), "the generator differs from the single-process one");
        }
        finally
        {
            coordinator.Dispose();
            foreach (OrchestratorProcess worker in workers.Values) worker.Dispose();
        }
    }

    /// <summary>The name of the first of <paramref name="processes"/> to print <paramref name="pattern"/>.</summary>
    private static async Task<string> WhichPrintsAsync(IReadOnlyDictionary<string, OrchestratorProcess> processes, Regex pattern)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var (name, process) in processes)
                if (pattern.IsMatch(process.Output)) return name;
            await Task.Delay(20);
        }
        throw new TimeoutException($"none printed /{pattern}/ within {Generous}");
    }

    [Fact]
    public async Task Prometheus_scrapes_the_live_coordinator_and_workers_and_the_run_reports_its_losses()
    {
        string token = TokenFile("metrics-token");
        int[] metricsPorts = [OrchestratorProcess.FreePort(), OrchestratorProcess.FreePort(), OrchestratorProcess.FreePort()];
        var (coordinator, address) = await StartCoordinatorAsync(token, 0, "--metrics-port", metricsPorts[0].ToString());
        using OrchestratorProcess owned = coordinator;
        using OrchestratorProcess first = OrchestratorProcess.Start(_root, "worker", "--coordinator", address.ToString(), "--id", "m0", "--token-file", token,
            "--pool", "ConvNetW32,ConvNet", "--metrics-port", metricsPorts[1].ToString());
        using OrchestratorProcess second = OrchestratorProcess.Start(_root, "worker", "--coordinator", address.ToString(), "--id", "m1", "--token-file", token,
            "--pool", "ConvNetW32,ConvNet", "--metrics-port", metricsPorts[2].ToString());
        await using var prometheus = await Orchestrator.Metrics.Tests.PrometheusProcess.StartAsync(
            [.. metricsPorts.Select(p => new Uri($"http://127.0.0.1:{p}/metrics"))]);

        using var control = await ConnectAsync(address, "metrics-token");
        SubmitRunResponse run = await control.SubmitRunAsync(Config, [], CancellationToken.None);
        RunStatus final = await WaitForEndAsync(control, run.RunId);
        Assert.True(final.State == RunState.Succeeded, $"run ended {final.State}: {final.Error}\n{coordinator.Output}");
        Assert.Contains("global", final.Losses.Keys);
        Assert.All(final.Losses.Values, v => Assert.True(double.IsFinite(v), $"loss {v}"));

        static double Sum(List<(Dictionary<string, string> Labels, string Value)> result) => result.Sum(r => double.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture));
        // 12 generator steps of 3 shards, each computed once in an undisturbed run, by the two workers together.
        var shards = await prometheus.QueryAsync("orchestrator_shards_computed_total", r => Sum(r) == 36);
        Assert.Equal(["m0", "m1"], shards.Select(s => s.Labels["worker"]).Order());
        await prometheus.QueryAsync("sum(orchestrator_allreduce_bytes_total)", r => Sum(r) > 0);
        await prometheus.QueryAsync("sum(orchestrator_step_duration_seconds_count)", r => Sum(r) >= 12);
        await prometheus.QueryAsync("orchestrator_runs{state=\"succeeded\"}", r => Sum(r) == 1);
        var up = await prometheus.QueryAsync("orchestrator_worker_up", r => r.Count == 2 && Sum(r) == 2);
        Assert.All(up, u => Assert.Equal(metricsPorts[0].ToString(), u.Labels["instance"].Split(':')[1]));
    }

    [Fact]
    public async Task A_call_without_the_token_is_refused_and_a_bad_config_is_named()
    {
        string token = TokenFile("another-token");
        var (coordinator, address) = await StartCoordinatorAsync(token, 0);
        using OrchestratorProcess owned = coordinator;
        using var anonymous = await ConnectAsync(address, null, expectFailure: true);
        var refused = await Assert.ThrowsAsync<Transport.RpcException>(() => anonymous.SubmitRunAsync(Config, [], CancellationToken.None));
        Assert.Equal(Transport.StatusCode.Unauthenticated, refused.StatusCode);

        using var control = await ConnectAsync(address, "another-token");
        var invalid = await Assert.ThrowsAsync<Transport.RpcException>(() => control.SubmitRunAsync(Config, ["match.shardz=3"], CancellationToken.None));
        Assert.Equal(Transport.StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("match.shardz", invalid.Status.Detail);
    }

    [Fact]
    public async Task A_TLS_cluster_runs_end_to_end_and_its_authority_is_required_to_call_it()
    {
        string token = TokenFile("tls-token");
        // Signed by an intermediate that tls.crt carries after it: every caller trusts the root alone.
        var (certificate, key, authority) = Transport.Tests.TestAuthority.WriteServerFiles(_root, intermediate: true);
        string[] tls = ["--tls-cert", certificate, "--tls-key", key];
        var (coordinator, address) = await StartCoordinatorAsync(token, 0, [.. tls], scheme: "https");
        using OrchestratorProcess owned = coordinator;
        OrchestratorProcess Worker(string id) => OrchestratorProcess.Start(_root, ["worker", "--coordinator", address.ToString(), "--id", id, "--token-file", token,
            "--pool", "ConvNetW32,ConvNet", "--listen", "https://127.0.0.1:0", .. tls, "--tls-ca", authority]);
        using OrchestratorProcess first = Worker("t0"), second = Worker("t1");

        // Submitted and followed by the CLI, as a user of a standing cluster would.
        string[] client = ["--coordinator", address.ToString(), "--token-file", token, "--tls-ca", authority];
        string output = await OrchestratorProcess.RunAsync(_root, Generous, ["run", .. client, "--config", ConfigFile]);
        Assert.Matches(@"accuracy \(distilled\): IPC 1 \d+\.\d\d %", output);
        // Both workers served https and took part in the all-reduce of every step.
        foreach (OrchestratorProcess worker in new[] { first, second })
        {
            Assert.Matches(@"serving at https://127\.0\.0\.1:\d+/", worker.Output);
            Assert.Matches(@"step 11: shards", worker.Output);
        }
        string status = await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client]);
        Assert.Contains("workers: 2 live of 2", status);
        Assert.Matches(@"\nt0 +live +cpu +ConvNetW32,ConvNet +https://127\.0\.0\.1:\d+/ +\d+ s left\n", status);
        Assert.Matches(@"\nrun-[0-9a-f]+ +succeeded +- +- +IPC 1 \d+\.\d\d %", status);

        // A client that trusts only the system's authorities cannot call it; plain h2c gets no gRPC answer either.
        using var untrusting = new ControlClient(address, "tls-token");
        var refused = await Assert.ThrowsAsync<Transport.RpcException>(() => untrusting.GetSweepAsync("none", CancellationToken.None));
        Assert.Equal(Transport.StatusCode.Unavailable, refused.StatusCode);
        using var cleartext = new ControlClient(new UriBuilder(address) { Scheme = "http" }.Uri, "tls-token");
        await Assert.ThrowsAsync<Transport.RpcException>(() => cleartext.GetSweepAsync("none", CancellationToken.None));
    }

    [Fact]
    public async Task Status_lists_a_standalone_coordinators_runs_and_cancel_ends_one_its_follower_sees_end()
    {
        string token = TokenFile("status-token");
        var (coordinator, address) = await StartCoordinatorAsync(token, 0);
        using OrchestratorProcess owned = coordinator;
        string[] client = ["--coordinator", address.ToString(), "--token-file", token];
        // No worker: the run waits in its first stage, its follower with it.
        using OrchestratorProcess follower = OrchestratorProcess.Start(_root, ["run", .. client, "--config", ConfigFile]);
        string runId = (await follower.WaitForOutputAsync(new Regex(@"run (run-[0-9a-f]+) → runs/tiny/\1 on the cluster's shared volume"), TimeSpan.FromSeconds(60))).Groups[1].Value;

        string status = await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client]);
        Assert.Contains("workers: none registered", status);
        Assert.Matches($@"\n{runId} +running +pretrain +- +- +-\n", status);
        Assert.StartsWith($"run {runId}: running, pretrain -\n", await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client, "--run", runId]));
        // For scripts: the same answers as protobuf's JSON.
        using (var json = System.Text.Json.JsonDocument.Parse(await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client, "--json"])))
        {
            System.Text.Json.JsonElement listed = json.RootElement.GetProperty("runs")[0];
            Assert.Equal((runId, "RUN_STATE_RUNNING", "RUN_STAGE_PRETRAIN"), (listed.GetProperty("runId").GetString(), listed.GetProperty("state").GetString(), listed.GetProperty("stage").GetString()));
            Assert.Equal(1, json.RootElement.GetProperty("cluster").GetProperty("runsByState").GetProperty("Running").GetInt32());
        }
        using (var json = System.Text.Json.JsonDocument.Parse(await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client, "--run", runId, "--json"])))
            Assert.Equal(runId, json.RootElement.GetProperty("runId").GetString());

        Assert.Contains($"run {runId}: cancelled", await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["cancel", runId, .. client]));
        Assert.Equal(1, await follower.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"orchestrator: run {runId} cancelled", follower.Output);
        Assert.Matches($@"\n{runId} +cancelled +- +- +- +-\n", await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client]));

        // A sweep left queued: status shows its runs and (empty) results; cancel --sweep ends every unfinished run of it.
        Assert.Contains("sweep tiny: 2 runs, 2 queued, 0 already queued or done",
            await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["sweep", .. client, "--config", ConfigFile, "--axis", "seed=5,6", "--no-wait"]));
        string sweep = await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client, "--sweep", "tiny"]);
        Assert.StartsWith("sweep tiny: 0/2 runs finished\n", sweep);
        Assert.Equal(2, Regex.Matches(sweep, @"(?m)^run-[0-9a-f]+ +(queued|running) .* tiny$").Count);
        Assert.Matches(@"\| setting \| IPC \| accuracy % \(mean ± std\) \| seeds \|\n\|-+\|-+\|-+\|-+\|\n$", sweep);
        string cancelled = await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["cancel", .. client, "--sweep", "tiny"]);
        Assert.Equal(2, Regex.Matches(cancelled, @"run run-[0-9a-f]+: cancelled\n").Count);
        Assert.Contains("sweep tiny: 2 unfinished run(s) cancelled", cancelled);
        Assert.StartsWith("sweep tiny: 2/2 runs finished\n", await OrchestratorProcess.RunAsync(_root, TimeSpan.FromSeconds(60), ["status", .. client, "--sweep", "tiny"]));

        // Refusals read as the coordinator's message and status code.
        using OrchestratorProcess again = OrchestratorProcess.Start(_root, ["cancel", runId, .. client]);
        Assert.Equal(2, await again.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("orchestrator: run is already Cancelled (FailedPrecondition)", again.Output);
        using OrchestratorProcess unknown = OrchestratorProcess.Start(_root, ["status", .. client, "--run", "run-none"]);
        Assert.Equal(2, await unknown.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("orchestrator: no run 'run-none' (NotFound)", unknown.Output);
    }

    [Fact]
    public async Task A_followed_run_is_followed_again_after_its_coordinator_restarts_and_ends_there()
    {
        string token = TokenFile("follow-token");
        var (coordinator, address) = await StartCoordinatorAsync(token, 0);
        string[] client = ["--coordinator", address.ToString(), "--token-file", token];
        using OrchestratorProcess follower = OrchestratorProcess.Start(_root, ["run", .. client, "--config", ConfigFile]);
        try
        {
            await follower.WaitForOutputAsync(new Regex(@"run run-[0-9a-f]+ → "), TimeSpan.FromSeconds(60));
            coordinator.Kill();
            coordinator.Dispose();
            await follower.WaitForOutputAsync(new Regex(@"lost the coordinator \(.*\); the run goes on there, following again"), TimeSpan.FromSeconds(60));
            (coordinator, _) = await StartCoordinatorAsync(token, address.Port);
            using OrchestratorProcess worker = OrchestratorProcess.Start(_root, "worker", "--coordinator", address.ToString(), "--id", "f0", "--token-file", token, "--pool", "ConvNetW32,ConvNet");
            Assert.Equal(0, await follower.WaitAsync(Generous));
            Assert.Matches(@"accuracy \(distilled\): IPC 1 \d+\.\d\d %", follower.Output);
        }
        finally
        {
            coordinator.Dispose();
        }
    }

    [Fact]
    public async Task A_sweep_names_each_failed_run_with_its_reason_as_it_fails_and_exits_1()
    {
        string token = TokenFile("sweep-token");
        var (coordinator, address) = await StartCoordinatorAsync(token, 0);
        using OrchestratorProcess owned = coordinator;
        using OrchestratorProcess worker = OrchestratorProcess.Start(_root, "worker", "--coordinator", address.ToString(), "--id", "s0", "--token-file", token, "--pool", "ConvNetW32,ConvNet");
        string missing = Path.Combine(_root, "no-datasets");
        using OrchestratorProcess sweep = OrchestratorProcess.Start(_root, ["sweep", "--coordinator", address.ToString(), "--token-file", token, "--config", ConfigFile,
            "--axis", "seed=1", "--axis", $"dataset.root={missing}"]);
        Assert.Equal(1, await sweep.WaitAsync(Generous));
        Assert.Matches($@"run run-[0-9a-f]+ failed: s0: {Regex.Escape(missing)}/\S+: no such file", sweep.Output);
        Assert.Contains("1/1 runs finished", sweep.Output);
        Assert.Contains("orchestrator: sweep tiny: 1 of 1 runs did not succeed; submitting the sweep again retries them", sweep.Output);
    }

    [Theory]
    [InlineData("run --coordinator http://127.0.0.1:1 --workers 3", "--coordinator submits to a standing cluster: --single-process, --workers and --lease-seconds are for running here")]
    [InlineData("run --single-process --token-file token", "--token-file and --tls-ca are for --coordinator; the embedded cluster makes its own token")]
    [InlineData("cancel --coordinator http://127.0.0.1:1", "name a run, or a sweep with --sweep (not both)")]
    [InlineData("status --coordinator http://127.0.0.1:1 --limit 0", "--limit 0 must be at least 1")]
    public async Task Cluster_client_flags_that_do_not_fit_together_are_named(string command, string message)
    {
        File.WriteAllText(Path.Combine(_root, "token"), "unused");
        using OrchestratorProcess process = OrchestratorProcess.Start(_root, command.Split(' '));
        Assert.Equal(2, await process.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"orchestrator: {message}", process.Output);
    }

    [Theory]
    [InlineData("coordinator --listen https://127.0.0.1:0", "--listen https://127.0.0.1:0/ is https://: give the certificate to serve with (--tls-cert and --tls-key)")]
    [InlineData("coordinator --listen https://127.0.0.1:0 --tls-cert c.pem", "--tls-cert and --tls-key go together")]
    [InlineData("coordinator --listen http://127.0.0.1:0 --tls-cert c.pem --tls-key k.pem", "--tls-cert serves TLS, so --listen must be https://, not http://127.0.0.1:0/")]
    [InlineData("coordinator --listen https://127.0.0.1:0 --tls-cert missing.pem --tls-key k.pem", "missing.pem does not exist")]
    [InlineData("worker --coordinator https://127.0.0.1:1 --listen https://127.0.0.1:0 --tls-cert c.pem --tls-key k.pem --advertise http://127.0.0.1:7001",
        "Worker:AdvertiseAddress 'http://127.0.0.1:7001/' must be https:// since the worker serves TLS")]
    [InlineData("worker --coordinator https://127.0.0.1:1 --tls-ca k.pem", "k.pem holds no PEM certificate")]
    public async Task TLS_flags_that_do_not_fit_together_are_named(string command, string message)
    {
        var (certificate, key, _) = Transport.Tests.TestAuthority.WriteServerFiles(_root);
        File.Copy(certificate, Path.Combine(_root, "c.pem"));
        File.Copy(key, Path.Combine(_root, "k.pem"));
        using OrchestratorProcess process = OrchestratorProcess.Start(_root, [.. command.Split(' '), "--shared-dir", _root]);
        Assert.NotEqual(0, await process.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(message, process.Output);
    }

    /// <summary>The cluster's token file, holding <paramref name="token"/>.</summary>
    private string TokenFile(string token)
    {
        string path = Path.Combine(_root, "token");
        File.WriteAllText(path, token);
        return path;
    }

    private static readonly Regex Serving = new(@"coordinator serving gRPC at (\S+)");

    /// <summary>
    /// A coordinator on loopback <paramref name="port"/> (0: one the system picks, so no other process can hold it),
    /// and the address it serves, read from its log once it listens.
    /// </summary>
    private Task<(OrchestratorProcess Process, Uri Address)> StartCoordinatorAsync(string tokenFile, int port, params string[] more) =>
        StartCoordinatorAsync(tokenFile, port, more, "http");

    private async Task<(OrchestratorProcess Process, Uri Address)> StartCoordinatorAsync(string tokenFile, int port, string[] more, string scheme)
    {
        OrchestratorProcess process = OrchestratorProcess.Start(_root,
            ["coordinator", "--listen", $"{scheme}://127.0.0.1:{port}", "--shared-dir", _root, "--token-file", tokenFile, .. more]);
        try
        {
            Match serving = await process.WaitForOutputAsync(Serving, TimeSpan.FromSeconds(60));
            return (process, new Uri(serving.Groups[1].Value));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    private static async Task<ControlClient> ConnectAsync(Uri address, string? token, bool expectFailure = false)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var client = new ControlClient(address, token);
            try
            {
                await client.GetSweepAsync("none", CancellationToken.None);
            }
            catch (Transport.RpcException e) when (e.StatusCode is Transport.StatusCode.NotFound || (expectFailure && e.StatusCode == Transport.StatusCode.Unauthenticated))
            {
                return client;
            }
            catch (Exception e) when (e is Transport.RpcException or HttpRequestException && DateTime.UtcNow < deadline)
            {
                client.Dispose();
                await Task.Delay(200);
            }
        }
    }

    private static async Task WaitForStepAsync(ControlClient control, string runId, long step)
    {
        using var timeout = new CancellationTokenSource(Generous);
        await foreach (RunStatus status in control.WatchRunAsync(runId, timeout.Token))
            if ((status.Stage == RunStage.Match && status.Step >= step) || status.State != RunState.Running && status.State != RunState.Queued)
            {
                Assert.Equal(RunStage.Match, status.Stage);
                return;
            }
    }

    private static async Task WaitForEvaluationAsync(ControlClient control, string runId)
    {
        using var timeout = new CancellationTokenSource(Generous);
        await foreach (RunStatus status in control.WatchRunAsync(runId, timeout.Token))
            if (status.Stage == RunStage.Evaluate || status.State != RunState.Running && status.State != RunState.Queued)
            {
                Assert.Equal(RunStage.Evaluate, status.Stage);
                return;
            }
    }

    private static async Task<RunStatus> WaitForEndAsync(ControlClient control, string runId)
    {
        using var timeout = new CancellationTokenSource(Generous);
        RunStatus last = new();
        await foreach (RunStatus status in control.WatchRunAsync(runId, timeout.Token)) last = status;
        return last;
    }
}
