using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Tests.Support;

namespace Orchestrator.Coordinator.Tests;

public sealed class RunLifecycleTests : IAsyncLifetime
{
    private CoordinatorHarness _h = null!;

    private CoordinatorCore Core => _h.Core;

    public async Task InitializeAsync() => _h = await CoordinatorHarness.StartAsync(new FakePlanner(steps: 3, shards: 4));

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    private static RunSpec Spec(ulong seed = 1, params string[] more) => new("configs/mnist.yaml", [$"seed={seed}", .. more]);

    private async Task<WorkReceipt> ShardAsync(string runKey, string workerId, long step, int shard) =>
        (await Core.ReportShardsAsync(runKey, workerId, step, [shard], null, CancellationToken.None)).Single();

    /// <summary>A checkpoint after <paramref name="step"/> steps, reported alone (the report of step - 1 with no shards).</summary>
    private async Task<WorkReceipt> CheckpointAsync(string runKey, long step, string reference) =>
        (await Core.ReportShardsAsync(runKey, "w", step - 1, [], reference, CancellationToken.None)).Single();

    [Fact]
    public async Task Reading_a_run_signals_no_placement_change_but_a_transition_does()
    {
        FakeWorker conv = _h.Worker("w-conv", "ConvNet");
        await conv.RegisterAsync();
        RunSnapshot submitted = await Core.SubmitRunAsync(Spec(), CancellationToken.None);

        // Watchers (WatchRun, WatchAssignments) read the run when woken: a read that woke them would spin them.
        Task next = Core.NextPlacementChange;
        for (int i = 0; i < 3; i++) await Core.GetRunAsync(submitted.Key, CancellationToken.None);
        Assert.False(next.IsCompleted);

        await Core.CancelRunAsync(submitted.Key, "test", CancellationToken.None);
        Assert.True(next.IsCompleted);
    }

    [Fact]
    public async Task A_run_goes_through_every_stage_with_each_shard_done_once_by_an_owner()
    {
        FakeWorker conv = _h.Worker("w-conv", "ConvNet");
        FakeWorker res = _h.Worker("w-res", "ResNet18");
        await conv.RegisterAsync();
        await res.RegisterAsync("cuda:0");

        RunSnapshot submitted = await Core.SubmitRunAsync(Spec(), CancellationToken.None);
        Assert.Equal(RunStatus.Pretraining, submitted.Status);
        await FakeWorker.DriveAsync(conv, res);

        RunSnapshot run = (await Core.GetRunAsync(submitted.Key, CancellationToken.None))!;
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal([RunStatus.Queued, RunStatus.Pretraining, RunStatus.Matching, RunStatus.Evaluating, RunStatus.Completed],
            run.History.Select(t => t.To));
        Assert.Equal(3, run.Step);
        Assert.Equal(new Dictionary<int, double> { [1] = 0.52, [10] = 0.61 }, run.Accuracy);
        Assert.Equal(new CheckpointRef(RunStatus.Pretraining, 0, $"ckpt/{run.Key}/pretrain"), run.Checkpoint);
        Assert.Empty(run.Units);

        var shards = conv.Done.Concat(res.Done).Where(u => u.Kind == WorkKind.Shard).ToList();
        Assert.Equal(3 * 4, shards.Select(u => (u.Step, u.Shard)).Distinct().Count());
        Assert.Equal(3 * 4, shards.Count);
        Assert.All(conv.Done.Where(u => u.Kind == WorkKind.Shard), u => Assert.Equal("ConvNet", u.Architecture));
        Assert.All(res.Done.Where(u => u.Kind == WorkKind.Shard), u => Assert.Equal("ResNet18", u.Architecture));
        Assert.Equal(submitted.Plan.Pool[(int)((1 + 2) % 2)], shards.Single(u => u.Step == 1 && u.Shard == 2).Architecture);
        Assert.Equal([RunStatus.Queued, RunStatus.Pretraining, RunStatus.Matching, RunStatus.Evaluating, RunStatus.Completed],
            _h.Events.Of<RunStatusChanged>().Select(e => e.To));
    }

    [Fact]
    public async Task Without_a_worker_the_pretraining_waits_with_a_reason_and_the_first_worker_takes_it()
    {
        RunSnapshot run = await Core.SubmitRunAsync(Spec(), CancellationToken.None);
        UnitAssignment pretrain = Assert.Single(run.Units);
        Assert.Equal((UnitStatus.Pending, "no live worker"), (pretrain.Status, pretrain.PendingReason));

        FakeWorker w = _h.Worker("w1", "ConvNet");
        await w.RegisterAsync();
        WorkAssignment assigned = Assert.Single((await w.HeartbeatAsync()).Assignments);
        Assert.Equal(WorkKind.Pretrain, assigned.Unit.Kind);
        Assert.Equal(run.Spec, assigned.Spec);
    }

    [Fact]
    public async Task Reports_that_do_not_match_the_run_are_refused_and_change_nothing()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        FakeWorker b = _h.Worker("b", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        await b.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(), CancellationToken.None);
        string holder = run.Units[0].WorkerId!;
        string other = holder == "a" ? "b" : "a";

        WorkReceipt early = await ShardAsync(run.Key, holder, 0, 0);
        WorkReceipt wrongWorker = await Core.CompletePretrainAsync(run.Key, other, "ckpt", CancellationToken.None);
        WorkReceipt noCheckpoint = await Core.CompletePretrainAsync(run.Key, holder, " ", CancellationToken.None);
        Assert.True((await Core.CompletePretrainAsync(run.Key, holder, "ckpt", CancellationToken.None)).Accepted);

        run = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        UnitAssignment shard0 = run.Units[0];
        string notHolder = shard0.WorkerId == "a" ? "b" : "a";
        WorkReceipt wrongStep = await ShardAsync(run.Key, shard0.WorkerId!, 1, 0);
        WorkReceipt outside = await ShardAsync(run.Key, shard0.WorkerId!, 0, 9);
        WorkReceipt notYours = await ShardAsync(run.Key, notHolder, 0, 0);
        Assert.True((await ShardAsync(run.Key, shard0.WorkerId!, 0, 0)).Accepted);
        WorkReceipt twice = await ShardAsync(run.Key, shard0.WorkerId!, 0, 0);

        Assert.Equal("run is Pretraining, not Matching", early.Reason);
        Assert.Equal($"{run.Key} pretrain is assigned to '{holder}', not '{other}'", wrongWorker.Reason);
        Assert.Equal("pretraining finished without a checkpoint reference", noCheckpoint.Reason);
        Assert.Equal("step 1 is not the step in progress (0)", wrongStep.Reason);
        Assert.Equal("shard 9 is outside 0..3", outside.Reason);
        Assert.Contains($"is assigned to '{shard0.WorkerId}', not '{notHolder}'", notYours.Reason);
        // A member reporting its finished shard again (the step was placed anew) is answered yes, and nothing changes.
        Assert.True(twice.Accepted);
        Assert.All(new[] { early, wrongWorker, noCheckpoint, wrongStep, outside, notYours }, r => Assert.False(r.Accepted));

        RunSnapshot after = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal((RunStatus.Matching, 0L), (after.Status, after.Step));
        Assert.Equal(1, after.Units.Count(u => u.Status == UnitStatus.Done));
    }

    [Fact]
    public async Task A_report_of_several_shards_and_a_checkpoint_is_one_saved_transition()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(), CancellationToken.None);
        await w.WorkAsync();
        long before = (await _h.Store.LoadAsync(RunEntity.Kind, run.Key, CancellationToken.None))!.Version;

        IReadOnlyList<WorkReceipt> receipts = await Core.ReportShardsAsync(run.Key, "w", 0, [0, 1, 2, 3], "ckpt/step1", CancellationToken.None);

        Assert.Equal(5, receipts.Count);
        Assert.All(receipts, r => Assert.True(r.Accepted, r.Reason));
        // The store syncs once per report, whatever the number of shards in it: that write is on every step's path.
        Assert.Equal(before + 1, (await _h.Store.LoadAsync(RunEntity.Kind, run.Key, CancellationToken.None))!.Version);
        RunSnapshot after = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal((1L, new CheckpointRef(RunStatus.Matching, 1, "ckpt/step1")), (after.Step, after.Checkpoint));
        Assert.All(after.Units, u => Assert.Equal((UnitStatus.Assigned, 1L), (u.Status, u.Unit.Step)));
    }

    [Fact]
    public async Task Checkpoints_are_recorded_for_finished_steps_only_and_travel_with_the_assignments()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(), CancellationToken.None);
        await w.WorkAsync();
        WorkReceipt tooEarly = await CheckpointAsync(run.Key, 2, "ckpt/step2");
        await w.WorkAsync();

        WorkReceipt step1 = await CheckpointAsync(run.Key, 1, "ckpt/step1");
        WorkReceipt empty = await CheckpointAsync(run.Key, 1, "");
        // A member that applied step 0 may record the checkpoint after it before the others report; step 2 is too early.
        Assert.Equal("step 2 is not a finished step (1..1)", tooEarly.Reason);
        Assert.True(step1.Accepted);
        Assert.False(empty.Accepted);

        await w.WorkAsync();
        Assert.True((await CheckpointAsync(run.Key, 2, "ckpt/step2")).Accepted);
        WorkReceipt older = await CheckpointAsync(run.Key, 1, "ckpt/old");
        Assert.Equal("a checkpoint after step 2 is already recorded", older.Reason);

        var assignments = (await w.HeartbeatAsync()).Assignments;
        Assert.Equal(4, assignments.Count);
        Assert.All(assignments, a => Assert.Equal(new CheckpointRef(RunStatus.Matching, 2, "ckpt/step2"), a.Checkpoint));
    }

    private static List<string> Sorted(IEnumerable<EvaluationKey> units) => [.. units.Select(u => u.ToString()).Order(StringComparer.Ordinal)];

    // A distinct accuracy per unit, so a sum in the wrong order or a unit counted twice shows in the means.
    private static double AccuracyOf(EvaluationKey unit) => 0.3 + unit.Ipc * 0.005 + (unit.Row == "random" ? 0.1 : 0) + unit.Run * 0.037;

    /// <summary>Reports every evaluation unit the workers hold, round after round, until the run is done; returns who computed what.</summary>
    private async Task<List<(string Worker, EvaluationKey Unit)>> EvaluateAllAsync(params FakeWorker[] workers)
    {
        var done = new List<(string, EvaluationKey)>();
        for (int round = 0; round < 100; round++)
        {
            int reported = 0;
            foreach (FakeWorker w in workers)
                foreach (WorkAssignment a in (await w.HeartbeatAsync()).Assignments)
                {
                    EvaluationKey unit = a.Unit.Evaluation!;
                    Assert.True((await Core.CompleteEvaluationAsync(a.Unit.RunKey, w.Id, unit, AccuracyOf(unit), CancellationToken.None)).Accepted);
                    done.Add((w.Id, unit));
                    reported++;
                }
            if (reported == 0) return done;
        }
        throw new InvalidOperationException("evaluation still running after 100 rounds");
    }

    [Fact]
    public async Task Evaluation_units_go_one_per_worker_and_the_run_takes_the_last_rows_mean_per_IPC()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        FakeWorker b = _h.Worker("b", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        await b.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(7, "match.steps=0", "evaluate.ipc=[1, 10, 50]", "evaluate.runs=3"), CancellationToken.None);
        await a.WorkAsync(); // pretraining (the smallest id wins the placement tie)
        run = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;

        // 3 IPC × 2 rows × 3 runs, in the table's order; one unit per worker at a time, the rest waiting with the reason.
        Assert.Equal(RunStatus.Evaluating, run.Status);
        Assert.Equal(18, run.Units.Count);
        Assert.Equal(new EvaluationKey("random", 1, 0), run.Units[0].Unit.Evaluation);
        Assert.Equal(new EvaluationKey("distilled", 50, 2), run.Units[^1].Unit.Evaluation);
        Assert.Equal(["a", "b"], run.Units.Where(u => u.Status == UnitStatus.Assigned).Select(u => u.WorkerId!).Order());
        Assert.All(run.Units.Where(u => u.Status == UnitStatus.Pending), u => Assert.Equal("every live worker is computing a unit of this evaluation", u.PendingReason));

        UnitAssignment held = run.Units.First(u => u.Status == UnitStatus.Assigned);
        EvaluationKey heldUnit = held.Unit.Evaluation!;
        string other = held.WorkerId == "a" ? "b" : "a";
        WorkReceipt unknown = await Core.CompleteEvaluationAsync(run.Key, held.WorkerId!, new EvaluationKey("cgan", 1, 0), 0.9, CancellationToken.None);
        WorkReceipt notYours = await Core.CompleteEvaluationAsync(run.Key, other, heldUnit, 0.9, CancellationToken.None);
        WorkReceipt notFinite = await Core.CompleteEvaluationAsync(run.Key, held.WorkerId!, heldUnit, double.NaN, CancellationToken.None);
        WorkReceipt percent = await Core.CompleteEvaluationAsync(run.Key, held.WorkerId!, heldUnit, 90.5, CancellationToken.None);
        WorkReceipt pending = await Core.CompleteEvaluationAsync(run.Key, other, run.Units.First(u => u.Status == UnitStatus.Pending).Unit.Evaluation!, 0.9, CancellationToken.None);
        Assert.Equal($"{new EvaluationKey("cgan", 1, 0)} is not a unit of this run's evaluation", unknown.Reason);
        Assert.Equal($"{held.Unit} is assigned to '{held.WorkerId}', not '{other}'", notYours.Reason);
        Assert.Equal($"the accuracy of {heldUnit}, NaN, is not a fraction in [0, 1]", notFinite.Reason);
        Assert.Equal($"the accuracy of {heldUnit}, 90.5, is not a fraction in [0, 1]", percent.Reason);
        Assert.EndsWith("is not assigned to anyone", pending.Reason);
        Assert.Empty((await Core.GetRunAsync(run.Key, CancellationToken.None))!.Evaluations);

        var done = await EvaluateAllAsync(a, b);
        Assert.Equal(Sorted(run.Plan.EvaluationUnits), Sorted(done.Select(d => d.Unit)));   // each unit once
        Assert.Contains(done, d => d.Worker == "a");
        Assert.Contains(done, d => d.Worker == "b");

        RunSnapshot completed = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(RunStatus.Completed, completed.Status);
        Assert.Empty(completed.Units);
        foreach (int ipc in new[] { 1, 10, 50 })
        {
            List<double> distilled = [.. Enumerable.Range(0, 3).Select(k => AccuracyOf(new EvaluationKey("distilled", ipc, k)))];
            Assert.Equal(distilled.Average(), completed.Accuracy[ipc]);
        }
        var (plan, results) = Assert.Single(_h.Planner.Reports);
        Assert.Equal(run.Plan, plan);
        Assert.Equal(done.Select(d => new EvaluationResult(d.Unit, AccuracyOf(d.Unit))), results);
        Assert.Equal([RunStatus.Queued, RunStatus.Pretraining, RunStatus.Evaluating, RunStatus.Completed], completed.History.Select(t => t.To));

        // Submitting the completed run again writes its report again, from the same results.
        await Core.SubmitRunAsync(Spec(7, "match.steps=0", "evaluate.ipc=[1, 10, 50]", "evaluate.runs=3"), CancellationToken.None);
        Assert.Equal(2, _h.Planner.Reports.Count);
        Assert.Equal(results, _h.Planner.Reports[1].Results);
    }

    [Fact]
    public async Task The_report_is_written_before_the_run_is_saved_completed_and_a_failed_write_completes_nothing()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(8, "match.steps=0", "evaluate.ipc=[1]", "evaluate.runs=1"), CancellationToken.None);
        await a.WorkAsync();
        _h.Planner.FailingReports = 1;
        EvaluationKey last = default!;
        for (int i = 0; i < 2; i++)
        {
            last = Assert.Single((await a.HeartbeatAsync()).Assignments).Unit.Evaluation!;
            if (i == 0) Assert.True((await Core.CompleteEvaluationAsync(run.Key, a.Id, last, 0.7, CancellationToken.None)).Accepted);
        }

        await Assert.ThrowsAsync<IOException>(() => Core.CompleteEvaluationAsync(run.Key, a.Id, last, 0.8, CancellationToken.None));
        RunSnapshot stored = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(RunStatus.Evaluating, stored.Status);
        Assert.Single(stored.Evaluations);
        Assert.Empty(_h.Planner.Reports);

        // The worker sends its report again (it does until answered): now the run completes, with its report.
        Assert.True((await Core.CompleteEvaluationAsync(run.Key, a.Id, last, 0.8, CancellationToken.None)).Accepted);
        Assert.Equal(RunStatus.Completed, (await Core.GetRunAsync(run.Key, CancellationToken.None))!.Status);
        Assert.Equal([0.7, 0.8], Assert.Single(_h.Planner.Reports).Results.Select(r => r.Accuracy));
    }

    [Fact]
    public async Task A_lost_worker_gives_back_only_its_unit_in_flight_and_a_joining_worker_takes_units()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        FakeWorker b = _h.Worker("b", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        await b.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(9, "match.steps=0"), CancellationToken.None);
        await a.WorkAsync(); // pretraining

        // b finishes one unit and takes the next, then leaves with it.
        WorkAssignment first = Assert.Single((await b.HeartbeatAsync()).Assignments);
        Assert.True((await Core.CompleteEvaluationAsync(run.Key, "b", first.Unit.Evaluation!, 0.8, CancellationToken.None)).Accepted);
        WorkAssignment inFlight = Assert.Single((await b.HeartbeatAsync()).Assignments);
        Assert.True(await Core.DeregisterWorkerAsync("b", CancellationToken.None));

        run = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal([new EvaluationResult(first.Unit.Evaluation!, 0.8)], run.Evaluations);
        UnitAssignment lost = run.Units.Single(u => u.Unit == inFlight.Unit);
        Assert.Equal((UnitStatus.Pending, (string?)null), (lost.Status, lost.WorkerId));   // a is busy with its own unit
        Assert.Equal(UnitStatus.Done, run.Units.Single(u => u.Unit == first.Unit).Status);

        FakeWorker c = _h.Worker("c", "ConvNet");
        await c.RegisterAsync();
        Assert.Single((await c.HeartbeatAsync()).Assignments);

        var done = await EvaluateAllAsync(a, c);
        Assert.Contains(done, d => d.Worker == "c");
        Assert.Contains(done, d => d.Unit == inFlight.Unit.Evaluation);
        RunSnapshot completed = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(RunStatus.Completed, completed.Status);
        Assert.Equal(Sorted(run.Plan.EvaluationUnits), Sorted(completed.Evaluations.Select(e => e.Unit)));
    }

    [Fact]
    public async Task A_cancelled_run_gives_its_units_back_and_refuses_reports()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(), CancellationToken.None);
        await w.WorkAsync();

        WorkReceipt cancelled = await Core.CancelRunAsync(run.Key, "operator", CancellationToken.None);
        Assert.Equal((true, RunStatus.Cancelled), (cancelled.Accepted, cancelled.Run!.Status));
        Assert.Equal("operator", cancelled.Run.History[^1].Reason);
        Assert.Empty((await w.HeartbeatAsync()).Assignments);
        Assert.Equal("run is Cancelled, not Matching", (await ShardAsync(run.Key, "w", 0, 0)).Reason);
        Assert.Equal("run is already Cancelled", (await Core.CancelRunAsync(run.Key, "again", CancellationToken.None)).Reason);
    }

    [Fact]
    public async Task A_worker_holding_a_unit_can_fail_the_run_and_a_stranger_cannot()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot run = await Core.SubmitRunAsync(Spec(), CancellationToken.None);

        WorkReceipt stranger = await Core.FailRunAsync(run.Key, "nobody", "out of memory", CancellationToken.None);
        WorkReceipt failed = await Core.FailRunAsync(run.Key, "w", "CUDA out of memory", CancellationToken.None);

        Assert.Equal("worker 'nobody' holds no unit of this run", stranger.Reason);
        Assert.Equal((RunStatus.Failed, "w: CUDA out of memory"), (failed.Run!.Status, failed.Run.Failure));
    }

    [Fact]
    public async Task Submitting_again_skips_a_live_or_completed_run_and_restarts_a_failed_one()
    {
        FakeWorker w = _h.Worker("w", "ConvNet", "ResNet18");
        await w.RegisterAsync();
        RunSnapshot first = await Core.SubmitRunAsync(Spec(1), CancellationToken.None);
        RunSnapshot again = await Core.SubmitRunAsync(new RunSpec("configs/mnist.yaml", [" seed = 1 "]), CancellationToken.None);
        Assert.Equal(first.Key, again.Key);
        Assert.Equal((RunStatus.Pretraining, 1), (again.Status, again.Attempts));

        await Core.FailRunAsync(first.Key, null, "bad node", CancellationToken.None);
        RunSnapshot restarted = await Core.SubmitRunAsync(Spec(1), CancellationToken.None);
        Assert.Equal((RunStatus.Pretraining, 2, 0L, (CheckpointRef?)null), (restarted.Status, restarted.Attempts, restarted.Step, restarted.Checkpoint));
        Assert.Equal([RunStatus.Queued, RunStatus.Pretraining, RunStatus.Failed, RunStatus.Queued, RunStatus.Pretraining], restarted.History.Select(t => t.To));

        await FakeWorker.DriveAsync(w);
        RunSnapshot done = await Core.SubmitRunAsync(Spec(1), CancellationToken.None);
        Assert.Equal((RunStatus.Completed, 2), (done.Status, done.Attempts));
    }

    [Fact]
    public async Task A_spec_the_planner_refuses_is_not_recorded()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Core.SubmitRunAsync(Spec(1, "invalid=3"), CancellationToken.None));
        Assert.Contains("invalid", e.Message);
        Assert.Empty(await Core.ListRunsAsync(null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Core.SubmitRunAsync(new RunSpec("cfg", ["no-equals-sign"]), CancellationToken.None));
    }

    [Fact]
    public async Task Reports_about_a_run_never_submitted_fail_clearly()
    {
        var e = await Assert.ThrowsAsync<KeyNotFoundException>(() => ShardAsync("run-0000", "w", 0, 0));
        Assert.Equal("run 'run-0000' was never submitted", e.Message);
        Assert.Null(await Core.GetRunAsync("run-0000", CancellationToken.None));
    }
}
