using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Sweeps;
using Orchestrator.Coordinator.Tests.Support;
using Orchestrator.Coordinator.Workers;

namespace Orchestrator.Coordinator.Tests;

/// <summary>A coordinator disposed and rebuilt over the same SQLite file continues where the first one stopped.</summary>
public sealed class CoordinatorRestartTests : IAsyncLifetime
{
    private CoordinatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await CoordinatorHarness.StartAsync(new FakePlanner(steps: 3, shards: 4), o => o.SweepConcurrency = 1);

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    [Fact]
    public async Task A_run_mid_matching_resumes_at_its_step_with_its_units()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot run = await _h.Core.SubmitRunAsync(new RunSpec("cfg", ["seed=5"]), CancellationToken.None);
        await w.WorkAsync();
        await w.WorkAsync();
        await _h.Core.ReportShardsAsync(run.Key, "w", 1, [2], null, CancellationToken.None);
        await _h.Core.ReportShardsAsync(run.Key, "w", 0, [], "ckpt/1", CancellationToken.None);
        RunSnapshot before = (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!;

        await _h.RestartAsync();
        w = _h.Worker("w", "ConvNet", "ResNet18");

        RunSnapshot after = (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal((RunStatus.Matching, 1L), (after.Status, after.Step));
        Assert.Equal(before.Units, after.Units);
        Assert.Equal(new CheckpointRef(RunStatus.Matching, 1, "ckpt/1"), after.Checkpoint);
        HeartbeatReply beat = await w.HeartbeatAsync();
        Assert.True(beat.Live);
        Assert.Equal(3, beat.Assignments.Count);
        Assert.DoesNotContain(beat.Assignments, a => a.Unit.Shard == 2);

        await FakeWorker.DriveAsync(w);
        Assert.Equal(RunStatus.Completed, (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!.Status);
        Assert.Equal(3 + 4 + 2 * 2 * 2, w.Done.Count); // the rest of step 1, step 2, the evaluation (IPC × row × run)
    }

    [Fact]
    public async Task A_restarted_coordinator_announces_every_stored_run_in_its_state_so_the_runs_metric_counts_them_all()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot completed = await _h.Core.SubmitRunAsync(new RunSpec("cfg", ["seed=1"]), CancellationToken.None);
        await FakeWorker.DriveAsync(w);
        RunSnapshot cancelled = await _h.Core.SubmitRunAsync(new RunSpec("cfg", ["seed=2"]), CancellationToken.None);
        await _h.Core.CancelRunAsync(cancelled.Key, "test", CancellationToken.None);
        RunSnapshot active = await _h.Core.SubmitRunAsync(new RunSpec("cfg", ["seed=3"]), CancellationToken.None);
        await w.WorkAsync();
        RunStatus activeStatus = (await _h.Core.GetRunAsync(active.Key, CancellationToken.None))!.Status;
        Assert.True(activeStatus.IsActive());

        int before = _h.Events.All.Count;
        await _h.RestartAsync();
        var published = _h.Events.All.Skip(before).ToList();
        var recovered = published.OfType<RunRecovered>().ToDictionary(r => r.RunKey, r => r.Status);
        Assert.Equal(new Dictionary<string, RunStatus> { [completed.Key] = RunStatus.Completed, [cancelled.Key] = RunStatus.Cancelled, [active.Key] = activeStatus }, recovered);
        int lastRecovered = published.FindLastIndex(e => e is RunRecovered), firstMove = published.FindIndex(e => e is RunStatusChanged);
        Assert.True(firstMove < 0 || lastRecovered < firstMove, "a run moved on before every stored run was announced");

        // Metrics fed only what the restarted coordinator published count every run, not just those that move again.
        string scrape = EventMetrics.Scrape(published);
        foreach (string state in new[] { "succeeded", "cancelled", "running" })
            Assert.Contains($"orchestrator_runs{{state=\"{state}\"}} 1\n", scrape);
    }

    [Fact]
    public async Task Finished_evaluation_units_survive_a_restart_and_only_the_unit_in_flight_is_computed_again()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot run = await _h.Core.SubmitRunAsync(new RunSpec("cfg", ["seed=5", "match.steps=0"]), CancellationToken.None);
        await w.WorkAsync();   // pretraining
        await w.WorkAsync();   // two evaluation units
        await w.WorkAsync();
        RunSnapshot before = (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(2, before.Evaluations.Count);
        UnitAssignment inFlight = Assert.Single(before.Units, u => u.Status == UnitStatus.Assigned);

        await _h.RestartAsync();
        RunSnapshot after = (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(before.Evaluations, after.Evaluations);
        Assert.Equal(before.Units, after.Units);

        // The worker went down too: registering again gives back its unit in flight, which is placed anew.
        w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        UnitAssignment again = (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!.Units.Single(u => u.Unit == inFlight.Unit);
        Assert.Equal((UnitStatus.Assigned, "w"), (again.Status, again.WorkerId));
        Assert.True(again.Attempt > inFlight.Attempt, "a unit placed anew must be a new order");

        await FakeWorker.DriveAsync(w);
        RunSnapshot completed = (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(RunStatus.Completed, completed.Status);
        Assert.Equal(2 * 2 * 2, completed.Evaluations.Count);
        Assert.Equal(before.Evaluations, completed.Evaluations.Take(2));
        Assert.Equal(2 * 2 * 2 - 2, w.Done.Count(u => u.Kind == WorkKind.Evaluate));
    }

    [Fact]
    public async Task Workers_get_a_fresh_lease_after_a_restart_and_one_that_never_returns_loses_its_shards()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        FakeWorker b = _h.Worker("b", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        await b.RegisterAsync();
        RunSnapshot run = await _h.Core.SubmitRunAsync(new RunSpec("cfg", ["seed=5"]), CancellationToken.None);
        await a.WorkAsync();
        await b.WorkAsync();

        // The coordinator is down longer than a lease.
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        await _h.RestartAsync();
        Assert.Empty(await _h.Core.ExpireLapsedLeasesAsync(CancellationToken.None));
        Assert.Equal(WorkerStatus.Live, (await _h.Core.GetWorkerAsync("a", CancellationToken.None))!.Status);

        b = _h.Worker("b", "ConvNet", "ResNet18");
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await b.HeartbeatAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(["a"], await _h.Core.ExpireLapsedLeasesAsync(CancellationToken.None));
        Assert.All((await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!.Units, u => Assert.Equal("b", u.WorkerId));
    }

    [Fact]
    public async Task Shards_of_a_worker_that_died_while_the_coordinator_was_down_are_placed_again_on_resume()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        RunSnapshot run = await _h.Core.SubmitRunAsync(new RunSpec("cfg", ["seed=5"]), CancellationToken.None);
        await a.WorkAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(16));
        await _h.Core.ExpireLapsedLeasesAsync(CancellationToken.None);
        await _h.Core.RegisterWorkerAsync(new WorkerRegistration("c", "cpu", ["ConvNet", "ResNet18"], "c:1"), CancellationToken.None);

        await _h.RestartAsync();

        RunSnapshot after = (await _h.Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.All(after.Units, u => Assert.Equal((UnitStatus.Assigned, "c"), (u.Status, u.WorkerId)));
    }

    [Fact]
    public async Task Queued_runs_and_an_active_sweep_carry_on_and_the_sweep_report_is_written()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        var spec = new SweepSpec("restart", "cfg", [1, 2], [1, 10], ["match.losses.local_weight=[0, 0.001]"], ["match.steps=1"]);
        SweepSubmission submitted = await _h.Core.SubmitSweepAsync(spec, CancellationToken.None);
        Assert.Equal(4, submitted.Queued.Count);
        await w.WorkAsync();

        await _h.RestartAsync();
        w = _h.Worker("w", "ConvNet", "ResNet18");
        IReadOnlyList<RunSnapshot> runs = await _h.Core.ListRunsAsync(null, CancellationToken.None);
        Assert.Equal(1, runs.Count(r => r.Status.IsActive()));
        Assert.Equal(3, runs.Count(r => r.Status == RunStatus.Queued));

        await FakeWorker.DriveAsync(w);
        SweepSnapshot sweep = (await _h.Core.GetSweepAsync("restart", CancellationToken.None))!;
        Assert.Equal(SweepStatus.Completed, sweep.Status);
        Assert.True(File.Exists(Path.Combine(_h.Options.ResultsDirectory, "restart", "results.csv")));
    }
}
