using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Hosting;
using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Tests.Support;
using Orchestrator.Coordinator.Workers;

namespace Orchestrator.Coordinator.Tests;

public sealed class WorkerLeaseTests : IAsyncLifetime
{
    private CoordinatorHarness _h = null!;

    private CoordinatorCore Core => _h.Core;

    public async Task InitializeAsync() => _h = await CoordinatorHarness.StartAsync(new FakePlanner(steps: 3, shards: 4));

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    private async Task<RunSnapshot> MatchingRunAsync(FakeWorker pretrainer)
    {
        RunSnapshot run = await Core.SubmitRunAsync(new RunSpec("cfg", ["seed=3"]), CancellationToken.None);
        await pretrainer.WorkAsync();
        run = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(RunStatus.Matching, run.Status);
        return run;
    }

    [Fact]
    public async Task Registration_gives_a_lease_and_heartbeats_renew_it()
    {
        DateTimeOffset t0 = _h.Time.GetUtcNow();
        WorkerLease lease = await _h.Worker("w1", "ConvNet").RegisterAsync("cuda:1");
        Assert.Equal((t0 + TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), 0), (lease.ExpiresAt, lease.HeartbeatInterval, lease.Restarts));

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        HeartbeatReply beat = await Core.HeartbeatAsync("w1", CancellationToken.None);
        Assert.Equal((true, t0 + TimeSpan.FromSeconds(25)), (beat.Live, beat.LeaseExpiresAt));

        _h.Time.Advance(TimeSpan.FromSeconds(14));
        Assert.Empty(await Core.ExpireLapsedLeasesAsync(CancellationToken.None));
        WorkerSnapshot worker = (await Core.GetWorkerAsync("w1", CancellationToken.None))!;
        Assert.Equal((WorkerStatus.Live, "cuda:1", t0 + TimeSpan.FromSeconds(10)), (worker.Status, worker.Device, worker.LastHeartbeatAt));
    }

    [Fact]
    public async Task A_worker_that_leaves_in_order_is_not_a_death_and_its_up_series_ends()
    {
        await _h.Worker("a", "ConvNet").RegisterAsync();
        await _h.Worker("b", "ConvNet").RegisterAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(["a", "b"], (await Core.ExpireLapsedLeasesAsync(CancellationToken.None)).Order());
        await _h.Worker("a", "ConvNet").RegisterAsync();
        DateTimeOffset leftAt = _h.Time.GetUtcNow();

        Assert.True(await Core.DeregisterWorkerAsync("a", CancellationToken.None));
        Assert.False(await Core.DeregisterWorkerAsync("a", CancellationToken.None));

        WorkerSnapshot a = (await Core.GetWorkerAsync("a", CancellationToken.None))!;
        Assert.Equal((WorkerStatus.Dead, 1), (a.Status, a.Deaths));   // the lapse before, not the leave
        Assert.Equal([new WorkerLeft(leftAt, "a")], _h.Events.Of<WorkerLeft>());
        Assert.Equal(["a", "b"], _h.Events.Of<WorkerDied>().Select(d => d.WorkerId).Order());

        // Down is a lapsed lease (an alert), a leave is no series at all (a scale-down is no outage).
        string scrape = EventMetrics.Scrape(_h.Events.All);
        Assert.Contains("orchestrator_worker_up{worker=\"b\"} 0\n", scrape);
        Assert.DoesNotContain("orchestrator_worker_up{worker=\"a\"}", scrape);
    }

    [Fact]
    public async Task A_lapsed_worker_is_declared_dead_and_its_shards_go_to_another_owner()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        FakeWorker b = _h.Worker("b", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        await b.RegisterAsync();
        RunSnapshot run = await MatchingRunAsync(a);
        Assert.Equal(2, run.Units.Count(u => u.WorkerId == "a"));

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await b.HeartbeatAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(6));
        IReadOnlyList<string> died = await Core.ExpireLapsedLeasesAsync(CancellationToken.None);

        Assert.Equal(["a"], died);
        WorkerDied death = Assert.Single(_h.Events.Of<WorkerDied>());
        Assert.Equal(("a", _h.Time.GetUtcNow() - TimeSpan.FromSeconds(1)), (death.WorkerId, death.LeaseExpiredAt));
        run = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.All(run.Units, u => Assert.Equal((UnitStatus.Assigned, "b"), (u.Status, u.WorkerId)));
        Assert.Equal(4, (await b.HeartbeatAsync()).Assignments.Count);

        HeartbeatReply late = await a.HeartbeatAsync();
        Assert.Equal((false, (DateTimeOffset?)null), (late.Live, late.LeaseExpiresAt));
        Assert.False((await Core.ReportShardsAsync(run.Key, "a", 0, [0], null, CancellationToken.None)).Single().Accepted);
        Assert.Equal((WorkerStatus.Dead, 1), ((await Core.GetWorkerAsync("a", CancellationToken.None))!.Status, (await Core.GetWorkerAsync("a", CancellationToken.None))!.Deaths));

        await FakeWorker.DriveAsync(b);
        Assert.Equal(RunStatus.Completed, (await Core.GetRunAsync(run.Key, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_shard_no_live_worker_owns_waits_with_its_reason_until_an_owner_joins()
    {
        FakeWorker conv = _h.Worker("conv", "ConvNet");
        await conv.RegisterAsync();
        RunSnapshot run = await MatchingRunAsync(conv);

        var waiting = run.Units.Where(u => u.Unit.Architecture == "ResNet18").ToList();
        Assert.Equal(2, waiting.Count);
        Assert.All(waiting, u => Assert.Equal((UnitStatus.Pending, "no live worker owns architecture 'ResNet18' (live: conv [ConvNet])"), (u.Status, u.PendingReason)));
        await conv.WorkAsync();
        Assert.Equal(0L, (await Core.GetRunAsync(run.Key, CancellationToken.None))!.Step);

        FakeWorker res = _h.Worker("res", "ResNet18");
        await res.RegisterAsync();
        run = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.All(run.Units.Where(u => u.Unit.Architecture == "ResNet18"), u => Assert.Equal((UnitStatus.Assigned, "res"), (u.Status, u.WorkerId)));
        await FakeWorker.DriveAsync(conv, res);
        Assert.Equal(RunStatus.Completed, (await Core.GetRunAsync(run.Key, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_worker_joining_mid_run_takes_shards_from_the_next_step()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        RunSnapshot run = await MatchingRunAsync(a);
        Assert.All(run.Units, u => Assert.Equal("a", u.WorkerId));

        FakeWorker b = _h.Worker("b", "ConvNet", "ResNet18");
        await b.RegisterAsync();
        Assert.All((await Core.GetRunAsync(run.Key, CancellationToken.None))!.Units, u => Assert.Equal("a", u.WorkerId));
        Assert.Empty((await b.HeartbeatAsync()).Assignments);

        await a.WorkAsync();
        run = (await Core.GetRunAsync(run.Key, CancellationToken.None))!;
        Assert.Equal(1L, run.Step);
        Assert.Equal(2, run.Units.Count(u => u.WorkerId == "a"));
        Assert.Equal(2, run.Units.Count(u => u.WorkerId == "b"));
    }

    [Fact]
    public async Task Registering_again_counts_a_restart_and_places_again_what_the_worker_held()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        RunSnapshot run = await MatchingRunAsync(a);
        int placementsBefore = _h.Events.Of<UnitsPlaced>().Count;

        WorkerLease again = await a.RegisterAsync();

        Assert.Equal(1, again.Restarts);
        Assert.Equal([0, 1], _h.Events.Of<WorkerJoined>().Select(e => e.Restarts));
        UnitsPlaced replaced = _h.Events.Of<UnitsPlaced>().Skip(placementsBefore).Single();
        Assert.Equal(run.Units.Select(u => u.Unit), replaced.Decisions.Select(d => d.Unit));
        Assert.Equal(1, (await Core.GetWorkerAsync("a", CancellationToken.None))!.Restarts);

        _h.Time.Advance(TimeSpan.FromSeconds(16));
        await Core.ExpireLapsedLeasesAsync(CancellationToken.None);
        Assert.False((await a.HeartbeatAsync()).Live);
        WorkerLease back = await a.RegisterAsync();
        Assert.Equal(2, back.Restarts);
        Assert.Equal(4, (await a.HeartbeatAsync()).Assignments.Count);
    }

    [Fact]
    public async Task A_steps_ring_names_where_each_member_takes_pushes_also_after_a_restart()
    {
        FakeWorker a = _h.Worker("a", "ConvNet", "ResNet18");
        a.PushAddress = "http://a.local:7002";
        FakeWorker b = _h.Worker("b", "ConvNet", "ResNet18");
        await a.RegisterAsync();
        await b.RegisterAsync();
        await MatchingRunAsync(a);
        IReadOnlyDictionary<string, (string, string)> Ring() =>
            Core.OrdersFor("a").Single().Ring.ToDictionary(m => m.WorkerId, m => (m.Address, m.PushAddress));
        var expected = new Dictionary<string, (string, string)> { ["a"] = ("a.local:7000", "http://a.local:7002"), ["b"] = ("b.local:7000", "") };
        Assert.Equal(expected, Ring());
        await _h.RestartAsync();
        Assert.Equal(expected, Ring());
    }

    [Fact]
    public async Task A_bad_registration_is_refused_naming_the_problem()
    {
        var device = await Assert.ThrowsAsync<ArgumentException>(() =>
            Core.RegisterWorkerAsync(new WorkerRegistration("w", "cuda0", ["ConvNet"], "h:1"), CancellationToken.None));
        var none = await Assert.ThrowsAsync<ArgumentException>(() =>
            Core.RegisterWorkerAsync(new WorkerRegistration("w", "cpu", [], "h:1"), CancellationToken.None));
        var twice = await Assert.ThrowsAsync<ArgumentException>(() =>
            Core.RegisterWorkerAsync(new WorkerRegistration("w", "cpu", ["ConvNet", "convnet"], "h:1"), CancellationToken.None));
        var push = await Assert.ThrowsAsync<ArgumentException>(() =>
            Core.RegisterWorkerAsync(new WorkerRegistration("w", "cpu", ["ConvNet"], "h:1", "h:2"), CancellationToken.None));

        Assert.Equal("worker 'w': 'cuda0' is not a device: expected cpu or cuda:N", device.Message);
        Assert.Equal("worker 'w' owns no pool architecture", none.Message);
        Assert.Equal("worker 'w' lists architecture 'ConvNet' twice", twice.Message);
        Assert.Equal("worker 'w': push address 'h:2' is not an http:// or https:// URI", push.Message);
        Assert.Null(await Core.GetWorkerAsync("w", CancellationToken.None));
    }

    [Fact]
    public async Task A_heartbeat_from_an_unknown_worker_says_register()
    {
        HeartbeatReply reply = await Core.HeartbeatAsync("stranger", CancellationToken.None);
        Assert.False(reply.Live);
        Assert.Empty(reply.Assignments);
    }

    [Fact]
    public async Task The_lease_monitor_declares_lapsed_workers_dead_on_its_own()
    {
        await _h.Worker("w1", "ConvNet").RegisterAsync();
        var monitor = new LeaseMonitor(Core, _h.Options, _h.Time, NullLogger<LeaseMonitor>.Instance);
        await monitor.StartAsync(CancellationToken.None);
        try
        {
            // Each advance is one heartbeat interval; the monitor's periodic timer ticks on each.
            for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline && _h.Events.Of<WorkerDied>().Count == 0;)
            {
                _h.Time.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(5);
            }
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
        }
        WorkerDied died = Assert.Single(_h.Events.Of<WorkerDied>());
        Assert.Equal("w1", died.WorkerId);
        Assert.True(died.At >= died.LeaseExpiredAt);
        Assert.Equal(WorkerStatus.Dead, (await Core.GetWorkerAsync("w1", CancellationToken.None))!.Status);
    }
}
