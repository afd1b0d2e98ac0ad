using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Coordinator.Entities;
using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Storage;
using Orchestrator.Coordinator.Sweeps;
using Orchestrator.Coordinator.Workers;

namespace Orchestrator.Coordinator;

/// <summary>
/// The coordinator without its network: runs, sweeps and workers as single-owner entities over a store. Entities never
/// call each other; what spans several of them (a worker dies, so its runs re-place shards; a run finishes, so its sweeps
/// learn of it and the queue admits the next) is sequenced here, each step awaited, so a caller sees all of it done.
/// After a crash, <see cref="StartAsync"/> redoes whatever of it was lost.
/// </summary>
public sealed class CoordinatorCore : IAsyncDisposable
{
    private readonly CoordinatorOptions _options;
    private readonly IEntityStore _store;
    private readonly IRunPlanner _planner;
    private readonly TimeProvider _time;
    private readonly ClusterView _cluster = new();
    private readonly AssignmentBook _book = new();
    private readonly RunQueue _queue;
    private readonly EntityDirectory _directory;
    private readonly ICoordinatorEventSink _events;
    private bool _started;

    /// <param name="store">Not owned: the caller disposes it after the core.</param>
    public CoordinatorCore(CoordinatorOptions options, IEntityStore store, IRunPlanner planner, IShardPlacement? placement = null,
        ICoordinatorEventSink? events = null, TimeProvider? time = null, ILogger<CoordinatorCore>? logger = null)
    {
        options.Validate();
        _options = options;
        _store = store;
        _planner = planner;
        _time = time ?? TimeProvider.System;
        _queue = new RunQueue(options.SweepConcurrency);
        _events = events ?? new LoggingEventSink(NullLogger<LoggingEventSink>.Instance);
        var context = new CoordinatorContext(options, _time, planner, placement ?? new LeastLoadedPlacement(), _events, _cluster, _book);
        var factories = new Dictionary<string, Func<string, IEntity>>
        {
            [RunEntity.Kind] = key => new RunEntity(key, context),
            [WorkerEntity.Kind] = key => new WorkerEntity(key, context),
            [SweepEntity.Kind] = key => new SweepEntity(key, context),
        };
        _directory = new EntityDirectory(store, factories, options.EntityIdleTimeout, _time, (ILogger?)logger ?? NullLogger.Instance);
    }

    public CoordinatorOptions Options => _options;

    /// <summary>
    /// Migrates the store and picks up where a previous coordinator stopped: workers get a fresh lease to reach this
    /// one, every stored run is announced in its state, unfinished runs are resumed (shards of workers no longer live are placed again), active sweeps catch up with
    /// their runs, and the queue admits what fits.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        foreach (StoredEntity worker in await _store.ListAsync(WorkerEntity.Kind, null, cancellationToken))
            await _directory.AskAsync(WorkerEntity.Kind, worker.Key, new ResumeWorker(), cancellationToken);
        // Every stored run as found, finished ones too, before any moves on: the runs-by-state metrics count them all.
        foreach (StoredEntity run in await _store.ListAsync(RunEntity.Kind, null, cancellationToken))
            if (Enum.TryParse(run.Status, out RunStatus status)) _events.Publish(new RunRecovered(_time.GetUtcNow(), run.Key, status));
        foreach (StoredEntity run in await _store.ListAsync(RunEntity.Kind, RunStatusExtensions.Unfinished, cancellationToken))
        {
            if (await _directory.AskAsync(RunEntity.Kind, run.Key, new ResumeRun(), cancellationToken) is { } resumed) _queue.Track(resumed);
        }
        _started = true;
        foreach (StoredEntity sweep in await _store.ListAsync(SweepEntity.Kind, [nameof(SweepStatus.Active)], cancellationToken))
            await ReconcileSweepAsync(sweep.Key, resubmit: false, cancellationToken);
        await PumpQueueAsync(cancellationToken);
    }

    // ---- workers ----

    /// <summary>Registers (or re-registers, counting a restart) a worker and gives it a lease.</summary>
    public async Task<WorkerLease> RegisterWorkerAsync(WorkerRegistration registration, CancellationToken cancellationToken)
    {
        registration.Validate();
        WorkerRegistered registered = await AskAsync(WorkerEntity.Kind, registration.WorkerId, new RegisterWorker(registration), cancellationToken);
        // A live worker registering again has restarted: whatever it held is lost.
        if (registered.HeldWork) await TellRunsAsync(_book.RunsHolding(registration.WorkerId), new WorkerLost(registration.WorkerId), cancellationToken);
        await TellRunsAsync(_book.RunsWithPending(), new PlacePending(), cancellationToken);
        WorkerSnapshot worker = registered.Worker;
        return new WorkerLease(worker.WorkerId, worker.LeaseExpiresAt, _options.HeartbeatInterval, worker.Restarts);
    }

    /// <summary>Renews the worker's lease and tells it what it holds; a worker not live must register again.</summary>
    public async Task<HeartbeatReply> HeartbeatAsync(string workerId, CancellationToken cancellationToken)
    {
        DateTimeOffset? expires = await AskAsync(WorkerEntity.Kind, workerId, new RenewLease(), cancellationToken);
        return expires is null ? new HeartbeatReply(false, null, []) : new HeartbeatReply(true, expires, _book.AssignedTo(workerId));
    }

    /// <summary>Declares dead every worker whose lease lapsed and places its units elsewhere; returns the dead.</summary>
    public async Task<IReadOnlyList<string>> ExpireLapsedLeasesAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        DateTimeOffset now = _time.GetUtcNow();
        var died = new List<string>();
        foreach (string workerId in _cluster.Lapsed(now))
        {
            if (!await AskAsync(WorkerEntity.Kind, workerId, new ExpireLease(now), cancellationToken)) continue;
            died.Add(workerId);
            await TellRunsAsync(_book.RunsHolding(workerId), new WorkerLost(workerId), cancellationToken);
        }
        return died;
    }

    public Task<WorkerSnapshot?> GetWorkerAsync(string workerId, CancellationToken cancellationToken) =>
        AskAsync(WorkerEntity.Kind, workerId, new GetWorker(), cancellationToken);

    /// <summary>An orderly leave: the worker is dead at once and its units are placed elsewhere. False if it was not live.</summary>
    public async Task<bool> DeregisterWorkerAsync(string workerId, CancellationToken cancellationToken)
    {
        if (!await AskAsync(WorkerEntity.Kind, workerId, new LeaveCluster(_time.GetUtcNow()), cancellationToken)) return false;
        await TellRunsAsync(_book.RunsHolding(workerId), new WorkerLost(workerId), cancellationToken);
        return true;
    }

    /// <summary>Every worker ever registered, as saved, ordered by id.</summary>
    public async Task<IReadOnlyList<WorkerSnapshot>> ListWorkersAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        IReadOnlyList<StoredEntity> stored = await _store.ListAsync(WorkerEntity.Kind, null, cancellationToken);
        return [.. stored.Select(s => JsonSerializer.Deserialize<WorkerSnapshot>(s.Json, EntityJson.Options)!)];
    }

    /// <summary>What <paramref name="workerId"/> is to do now, one order per run it takes part in.</summary>
    public IReadOnlyList<WorkOrder> OrdersFor(string workerId) =>
        _book.OrdersFor(workerId, _cluster.LiveWorker);

    /// <summary>Completes at the next change of any run's placement; take it before reading <see cref="OrdersFor"/>.</summary>
    public Task NextPlacementChange => _book.NextChange;

    // ---- runs ----

    /// <summary>
    /// Queues a run (a run already queued, running or done is left as it is) and admits what fits. A completed run's
    /// report is written again from its saved results, so one deleted since comes back.
    /// </summary>
    public async Task<RunSnapshot> SubmitRunAsync(RunSpec spec, CancellationToken cancellationToken)
    {
        spec.Validate();
        RunPlan plan = _planner.Plan(spec);
        SubmitRunReply reply = await SubmitOneAsync(spec, plan, null, 0, cancellationToken);
        if (reply.Run.Status == RunStatus.Completed) _planner.WriteReport(reply.Run.Plan, reply.Run.Evaluations);
        await PumpQueueAsync(cancellationToken);
        return (await GetRunAsync(spec.Key, cancellationToken))!;
    }

    public Task<RunSnapshot?> GetRunAsync(string runKey, CancellationToken cancellationToken) =>
        AskAsync(RunEntity.Kind, runKey, new GetRun(), cancellationToken);

    /// <summary>Runs as saved, ordered by key; only those in <paramref name="statuses"/> when given.</summary>
    public async Task<IReadOnlyList<RunSnapshot>> ListRunsAsync(IReadOnlyCollection<RunStatus>? statuses, CancellationToken cancellationToken)
    {
        EnsureStarted();
        IReadOnlyList<StoredEntity> stored = await _store.ListAsync(RunEntity.Kind, statuses?.Select(s => s.ToString()).ToList(), cancellationToken);
        return [.. stored.Select(s => JsonSerializer.Deserialize<RunSnapshot>(s.Json, EntityJson.Options)!)];
    }

    public Task<WorkReceipt> CancelRunAsync(string runKey, string reason, CancellationToken cancellationToken) =>
        ReportAsync(runKey, new CancelRun(reason), cancellationToken);

    /// <summary>A worker finished pretraining <paramref name="runKey"/> and saved the generator at <paramref name="checkpoint"/>.</summary>
    public Task<WorkReceipt> CompletePretrainAsync(string runKey, string workerId, string checkpoint, CancellationToken cancellationToken) =>
        ReportAsync(runKey, new CompletePretrain(workerId, checkpoint), cancellationToken);

    /// <summary>
    /// A worker finished <paramref name="shards"/> of step <paramref name="step"/> and, when <paramref name="checkpoint"/>
    /// is given, saved the generator after the step there: one transition. A receipt per shard, then the checkpoint's.
    /// Matching never ends a run (evaluation follows), so there is no queue or sweep to update.
    /// </summary>
    public Task<IReadOnlyList<WorkReceipt>> ReportShardsAsync(string runKey, string workerId, long step, IReadOnlyList<int> shards, string? checkpoint,
        CancellationToken cancellationToken) =>
        AskAsync(RunEntity.Kind, runKey, new ReportShards(workerId, step, shards, checkpoint), cancellationToken);

    /// <summary>
    /// A worker trained the network of evaluation unit <paramref name="unit"/>: its test accuracy in [0, 1]. The last
    /// unit completes the run, and its report is written.
    /// </summary>
    public Task<WorkReceipt> CompleteEvaluationAsync(string runKey, string workerId, EvaluationKey unit, double accuracy, CancellationToken cancellationToken) =>
        ReportAsync(runKey, new CompleteEvaluation(workerId, unit, accuracy), cancellationToken);

    /// <summary>The run failed: reported by the worker holding one of its units, or by an operator (null worker).</summary>
    public Task<WorkReceipt> FailRunAsync(string runKey, string? workerId, string reason, CancellationToken cancellationToken) =>
        ReportAsync(runKey, new FailRun(workerId, reason), cancellationToken);

    // ---- sweeps ----

    /// <summary>
    /// Records the sweep and queues its runs; runs already queued, running or completed (by this sweep or any other
    /// submission of the same settings) are skipped, failed or cancelled ones start over. Every run is planned before
    /// anything is recorded, so a bad setting refuses the whole sweep.
    /// </summary>
    public async Task<SweepSubmission> SubmitSweepAsync(SweepSpec spec, CancellationToken cancellationToken)
    {
        IReadOnlyList<SweepRun> grid = SweepGrid.Expand(spec);
        foreach (SweepRun run in grid) _planner.Plan(run.Spec);
        await AskAsync(SweepEntity.Kind, spec.Name, new SubmitSweep(spec, grid), cancellationToken);
        return await ReconcileSweepAsync(spec.Name, resubmit: true, cancellationToken);
    }

    /// <summary>The sweep with the latest status of each of its runs, or null if there is none of that name.</summary>
    public async Task<SweepSnapshot?> GetSweepAsync(string name, CancellationToken cancellationToken)
    {
        SweepSnapshot? sweep = await AskAsync(SweepEntity.Kind, name, new GetSweep(), cancellationToken);
        return sweep?.Status == SweepStatus.Active ? (await ReconcileSweepAsync(name, resubmit: false, cancellationToken)).Sweep : sweep;
    }

    /// <summary>Writes the sweep's result table (so far) under the results folder. Done by itself when a sweep completes.</summary>
    public async Task<SweepReport> WriteSweepReportAsync(string name, CancellationToken cancellationToken)
    {
        SweepSnapshot sweep = await GetSweepAsync(name, cancellationToken) ?? throw new KeyNotFoundException($"no sweep named '{name}'");
        return WriteReport(sweep);
    }

    public ValueTask DisposeAsync() => _directory.DisposeAsync();

    // ---- what spans entities ----

    private async Task<SubmitRunReply> SubmitOneAsync(RunSpec spec, RunPlan plan, string? sweep, int order, CancellationToken cancellationToken)
    {
        SubmitRunReply reply = await AskAsync(RunEntity.Kind, spec.Key, new SubmitRun(spec, plan, sweep, order), cancellationToken);
        _queue.Track(reply.Run);
        return reply;
    }

    private async Task<WorkReceipt> ReportAsync(string runKey, IEntityRequest<WorkReceipt> report, CancellationToken cancellationToken)
    {
        WorkReceipt receipt = await AskAsync(RunEntity.Kind, runKey, report, cancellationToken);
        if (receipt is { Accepted: true, Run: { } run } && run.Status.IsTerminal())
        {
            _queue.Track(run);
            foreach (string sweep in run.Sweeps)
            {
                SweepUpdate update = await AskAsync(SweepEntity.Kind, sweep, new UpdateMembers([run]), cancellationToken);
                if (update is { Completed: true, Sweep: { } done }) WriteReport(done);
            }
            await PumpQueueAsync(cancellationToken);
        }
        return receipt;
    }

    /// <summary>
    /// Brings a sweep and its runs in line: submits the runs of its grid (all of them when <paramref name="resubmit"/>,
    /// else only those missing, as after a crash between recording the sweep and queueing its runs), then records
    /// what each run is now.
    /// </summary>
    private async Task<SweepSubmission> ReconcileSweepAsync(string name, bool resubmit, CancellationToken cancellationToken)
    {
        SweepSnapshot sweep = await AskAsync(SweepEntity.Kind, name, new GetSweep(), cancellationToken)
            ?? throw new KeyNotFoundException($"no sweep named '{name}'");
        var runs = new List<RunSnapshot>();
        var queued = new List<string>();
        var skipped = new List<string>();
        foreach (SweepRun cell in SweepGrid.Expand(sweep.Spec))
        {
            RunSnapshot? existing = resubmit ? null : await GetRunAsync(cell.RunKey, cancellationToken);
            if (existing is not null && existing.Sweeps.Contains(name))
            {
                runs.Add(existing);
                continue;
            }
            SubmitRunReply reply = await SubmitOneAsync(cell.Spec, _planner.Plan(cell.Spec), name, cell.Order, cancellationToken);
            (reply.Queued ? queued : skipped).Add(cell.RunKey);
            runs.Add(reply.Run);
        }
        SweepUpdate update = await AskAsync(SweepEntity.Kind, name, new UpdateMembers(runs), cancellationToken);
        if (update.Completed) WriteReport(update.Sweep!);
        await PumpQueueAsync(cancellationToken);
        return new SweepSubmission(update.Sweep!, queued, skipped);
    }

    private async Task PumpQueueAsync(CancellationToken cancellationToken)
    {
        for (IReadOnlyList<string> admitted = _queue.Admit(); admitted.Count > 0; admitted = _queue.Admit())
            foreach (string runKey in admitted)
                _queue.Track(await AskAsync(RunEntity.Kind, runKey, new StartRun(), cancellationToken));
    }

    private async Task TellRunsAsync(IReadOnlyList<string> runKeys, IEntityRequest<int> message, CancellationToken cancellationToken)
    {
        foreach (string runKey in runKeys) await AskAsync(RunEntity.Kind, runKey, message, cancellationToken);
    }

    private SweepReport WriteReport(SweepSnapshot sweep)
    {
        ResultTable table = ResultTable.Aggregate(sweep);
        return new SweepReport(table, ResultFiles.Write(table, Path.Combine(_options.ResultsDirectory, sweep.Name)));
    }

    private Task<TReply> AskAsync<TReply>(string kind, string key, IEntityRequest<TReply> message, CancellationToken cancellationToken)
    {
        EnsureStarted();
        return _directory.AskAsync(kind, key, message, cancellationToken);
    }

    private void EnsureStarted()
    {
        if (!_started) throw new InvalidOperationException("the coordinator is not started: call StartAsync first");
    }
}
