using System.Globalization;
using System.Text.Json;
using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Sweeps;
using Orchestrator.Coordinator.Tests.Support;

namespace Orchestrator.Coordinator.Tests;

public sealed class SweepTests : IAsyncLifetime
{
    private CoordinatorHarness _h = null!;

    private CoordinatorCore Core => _h.Core;

    public async Task InitializeAsync() => _h = await CoordinatorHarness.StartAsync(new FakePlanner(steps: 2, shards: 2), o => o.SweepConcurrency = 2);

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    private static SweepSpec Spec(params ulong[] seeds) =>
        new("lw", "configs/mnist.yaml", seeds.Length > 0 ? seeds : [0, 1, 2], [1, 10], ["match.losses.local_weight=[0, 0.001]"], ["match.steps=2"]);

    [Fact]
    public async Task A_sweep_runs_its_grid_under_the_concurrency_limit_and_writes_its_table()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        FakeWorker b = _h.Worker("b", "ConvNet");
        FakeWorker c = _h.Worker("c", "ResNet18");
        foreach (FakeWorker w in new[] { a, b, c }) await w.RegisterAsync();
        // The accuracy depends on the setting and the seed, so the table has something to average.
        foreach (FakeWorker w in new[] { a, b, c })
            w.Accuracy = (x, ipc) => ((x.Spec.Overrides.Contains("match.losses.local_weight=0.001") ? 90 : 80) + ipc * 0.1 + x.Plan.Seed) / 100;

        SweepSubmission submitted = await Core.SubmitSweepAsync(Spec(), CancellationToken.None);
        Assert.Equal(6, submitted.Queued.Count);
        Assert.Empty(submitted.Skipped);
        IReadOnlyList<RunSnapshot> runs = await Core.ListRunsAsync(null, CancellationToken.None);
        Assert.Equal(2, runs.Count(r => r.Status.IsActive()));
        Assert.Equal(4, runs.Count(r => r.Status == RunStatus.Queued));
        // Grid order is admission order.
        Assert.Equal(submitted.Queued.Take(2).Order(), runs.Where(r => r.Status.IsActive()).Select(r => r.Key).Order());

        int maxActive = 0;
        for (int round = 0; round < 100; round++)
        {
            int worked = 0;
            foreach (FakeWorker w in new[] { a, b, c }) worked += await w.WorkAsync();
            maxActive = Math.Max(maxActive, (await Core.ListRunsAsync([RunStatus.Pretraining, RunStatus.Matching, RunStatus.Evaluating], CancellationToken.None)).Count);
            if (worked == 0) break;
        }
        Assert.Equal(2, maxActive);

        SweepSnapshot sweep = (await Core.GetSweepAsync("lw", CancellationToken.None))!;
        Assert.Equal(SweepStatus.Completed, sweep.Status);
        Assert.All(sweep.Members, m => Assert.Equal(RunStatus.Completed, m.Status));
        Assert.Single(_h.Events.Of<SweepCompleted>());

        string folder = Path.Combine(_h.Options.ResultsDirectory, "lw");
        string[] csv = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        // The runs report fractions; the table is in percent.
        Assert.Equal("setting,ipc,runs,mean,std,seeds", csv[0]);
        string[] first = csv[1].Split(',');
        Assert.Equal(["match.losses.local_weight=0", "1", "3", "0;1;2"], [.. first[..3], first[^1]]);
        Assert.Equal(81.1, double.Parse(first[3], CultureInfo.InvariantCulture), 9);
        Assert.Equal(Math.Sqrt(2.0 / 3), double.Parse(first[4], CultureInfo.InvariantCulture), 9);
        Assert.Equal(5, csv.Length);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        JsonElement last = json.RootElement.GetProperty("rows")[3];
        Assert.Equal(("match.losses.local_weight=0.001", 10), (last.GetProperty("setting").GetString(), last.GetProperty("ipc").GetInt32()));
        Assert.Equal(92.0, last.GetProperty("mean").GetDouble(), 9);
        Assert.Contains("91.10 ± 0.82", File.ReadAllText(Path.Combine(folder, "results.txt")));
    }

    [Fact]
    public void Without_a_seed_or_IPC_axis_a_submitted_sweep_takes_the_base_configs()
    {
        var submitted = new Protocol.V1.SweepSpec { Name = "defaults", BaseConfigYaml = "seed=7\nevaluate.ipc=[1, 50]" };
        submitted.Axes.Add(new Protocol.V1.SweepAxis { Key = "match.losses.local_weight", Values = { "0", "0.001" } });
        SweepSpec spec = Grpc.ControlGateway.ToSweepSpec(submitted, new FakePlanner());
        Assert.Equal([7UL], spec.Seeds);
        Assert.Equal([1, 50], spec.Ipc);
        Assert.Equal(["match.losses.local_weight=[0, 0.001]"], spec.Settings);

        submitted.Axes.Add(new Protocol.V1.SweepAxis { Key = "seed", Values = { "0", "1" } });
        submitted.Axes.Add(new Protocol.V1.SweepAxis { Key = "evaluate.ipc", Values = { "10" } });
        spec = Grpc.ControlGateway.ToSweepSpec(submitted, new FakePlanner());
        Assert.Equal([0UL, 1], spec.Seeds);
        Assert.Equal([10], spec.Ipc);
    }

    [Fact]
    public async Task Submitting_again_skips_runs_queued_or_done_and_adds_only_the_new_ones()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        SweepSubmission first = await Core.SubmitSweepAsync(Spec(0, 1), CancellationToken.None);
        await FakeWorker.DriveAsync(w);
        Assert.Equal(SweepStatus.Completed, (await Core.GetSweepAsync("lw", CancellationToken.None))!.Status);
        int unitsDone = w.Done.Count;

        SweepSubmission again = await Core.SubmitSweepAsync(Spec(0, 1, 2), CancellationToken.None);

        Assert.Equal(first.Queued.Order(), again.Skipped.Order());
        Assert.Equal(2, again.Queued.Count);
        Assert.Equal(SweepStatus.Active, again.Sweep.Status);
        Assert.Equal(4, again.Sweep.Members.Count(m => m.Status == RunStatus.Completed));
        await FakeWorker.DriveAsync(w);
        Assert.Equal(unitsDone / 4 * 2, w.Done.Count - unitsDone);
        Assert.Equal(SweepStatus.Completed, (await Core.GetSweepAsync("lw", CancellationToken.None))!.Status);
        Assert.Equal(2, _h.Events.Of<SweepCompleted>().Count);
    }

    [Fact]
    public async Task A_failed_run_completes_the_sweep_with_fewer_seeds_for_its_setting()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        SweepSubmission submitted = await Core.SubmitSweepAsync(Spec(0, 1), CancellationToken.None);
        await Core.FailRunAsync(submitted.Queued[0], null, "diverged", CancellationToken.None);
        await FakeWorker.DriveAsync(w);

        SweepReport report = await Core.WriteSweepReportAsync("lw", CancellationToken.None);
        Assert.Equal(SweepStatus.Completed, (await Core.GetSweepAsync("lw", CancellationToken.None))!.Status);
        Assert.Equal([1, 1, 2, 2], report.Table.Rows.Select(r => r.Runs));
        Assert.EndsWith("1/2", File.ReadAllLines(report.Files[2])[3]);

        // Submitting the sweep again retries the failed run only.
        SweepSubmission again = await Core.SubmitSweepAsync(Spec(0, 1), CancellationToken.None);
        Assert.Equal([submitted.Queued[0]], again.Queued);
        Assert.Equal(2, (await Core.GetRunAsync(submitted.Queued[0], CancellationToken.None))!.Attempts);
    }

    [Fact]
    public async Task A_sweep_with_a_setting_the_planner_refuses_records_nothing()
    {
        SweepSpec bad = Spec() with { Settings = ["invalid=[1, 2]"] };
        await Assert.ThrowsAsync<ArgumentException>(() => Core.SubmitSweepAsync(bad, CancellationToken.None));
        await Assert.ThrowsAsync<FormatException>(() => Core.SubmitSweepAsync(Spec() with { Settings = ["k=[1"] }, CancellationToken.None));
        Assert.Null(await Core.GetSweepAsync("lw", CancellationToken.None));
        Assert.Empty(await Core.ListRunsAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Two_sweeps_sharing_a_run_both_hear_of_it()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        await Core.SubmitSweepAsync(Spec(0), CancellationToken.None);
        SweepSubmission other = await Core.SubmitSweepAsync(Spec(0) with { Name = "lw-copy", Settings = ["match.losses.local_weight=[0]"] }, CancellationToken.None);
        Assert.Single(other.Skipped);
        await FakeWorker.DriveAsync(w);

        Assert.Equal(SweepStatus.Completed, (await Core.GetSweepAsync("lw", CancellationToken.None))!.Status);
        Assert.Equal(SweepStatus.Completed, (await Core.GetSweepAsync("lw-copy", CancellationToken.None))!.Status);
        Assert.Equal(["lw", "lw-copy"], (await Core.GetRunAsync(other.Skipped[0], CancellationToken.None))!.Sweeps);
    }
}
