using Orchestrator.Coordinator.Entities;
using Orchestrator.Coordinator.Events;
using Orchestrator.Coordinator.Placement;

namespace Orchestrator.Coordinator.Runs;

/// <summary>
/// One run's lifecycle: Queued → Pretraining → Matching (step by step, each step's shards placed on workers owning their
/// architectures) → Evaluating (one unit per row, IPC and run, spread over the workers, each result saved as it comes)
/// → Completed, or Failed / Cancelled. Every report from a worker is checked against the unit it claims to have finished.
/// </summary>
internal sealed class RunEntity(string key, CoordinatorContext context) : Entity<RunSnapshot>(key)
{
    public const string Kind = "run";

    public override string Status => State?.Status.ToString() ?? "New";

    private RunSnapshot Run => State ?? throw new KeyNotFoundException($"run '{Key}' was never submitted");

    public override object? Handle(object message)
    {
        object? reply = message switch
        {
            SubmitRun m => Submit(m),
            StartRun => Start(),
            CompletePretrain m => CompletePretrain(m),
            ReportShards m => ReportShards(m),
            CompleteEvaluation m => CompleteEvaluation(m),
            FailRun m => Fail(m),
            CancelRun m => Cancel(m),
            WorkerLost m => Replace(u => u.WorkerId == m.WorkerId && IsHeld(u)),
            PlacePending => Replace(u => u.Status == UnitStatus.Pending),
            ResumeRun => Resume(),
            GetRun => State,
            _ => throw Unexpected(message),
        };
        if (State is { } saved) AfterSave(() => context.Book.Publish(saved));
        return reply;
    }

    private SubmitRunReply Submit(SubmitRun m)
    {
        if (m.Spec.Key != Key) throw new ArgumentException($"run spec with key {m.Spec.Key} sent to run '{Key}'");
        m.Plan.Validate();
        if (State is { Status: not (RunStatus.Failed or RunStatus.Cancelled) } existing)
        {
            if (m.Sweep is not null && !existing.Sweeps.Contains(m.Sweep)) State = existing with { Sweeps = [.. existing.Sweeps, m.Sweep] };
            return new SubmitRunReply(State, Queued: false);
        }
        IReadOnlyList<string> sweeps = State?.Sweeps ?? [];
        if (m.Sweep is not null && !sweeps.Contains(m.Sweep)) sweeps = [.. sweeps, m.Sweep];
        RunSnapshot queued = new(Key, m.Spec, m.Plan, RunStatus.Queued, 0, [], null, new Dictionary<int, double>(), [], null, sweeps,
            (State?.Attempts ?? 0) + 1, context.Time.GetUtcNow(), m.Order, State?.History ?? []);
        State = Moved(queued, State?.Status, RunStatus.Queued, State is null ? "submitted" : "submitted again");
        return new SubmitRunReply(State, Queued: true);
    }

    private RunSnapshot Start()
    {
        if (Run.Status != RunStatus.Queued) return Run;
        State = Placed(Moved(Run with { Units = [Unit(WorkKind.Pretrain, 0, 0, null)] }, RunStatus.Queued, RunStatus.Pretraining, "admitted"));
        return State;
    }

    private WorkReceipt CompletePretrain(CompletePretrain m)
    {
        if (Refusal(RunStatus.Pretraining, m.WorkerId, 0) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(m.Checkpoint)) return Refuse("pretraining finished without a checkpoint reference");
        var checkpoint = new CheckpointRef(RunStatus.Pretraining, 0, m.Checkpoint);
        State = Run.Plan.MatchSteps == 0
            ? BeginEvaluation(Run with { Checkpoint = checkpoint }, RunStatus.Pretraining)
            : BeginStep(Moved(Run with { Checkpoint = checkpoint }, RunStatus.Pretraining, RunStatus.Matching, "pretraining done"), 0);
        return Accept();
    }

    // One transition however many shards a worker reports: the store writes (and syncs) once per report, not per shard.
    private IReadOnlyList<WorkReceipt> ReportShards(ReportShards m)
    {
        var receipts = m.Shards.Select(shard => CompleteShard(m.WorkerId, m.Step, shard)).ToList();
        if (m.Checkpoint is not null) receipts.Add(RecordCheckpoint(m.Step + 1, m.Checkpoint));
        return receipts;
    }

    private WorkReceipt CompleteShard(string workerId, long step, int shard)
    {
        if (Run.Status == RunStatus.Matching)
        {
            if (step != Run.Step) return Refuse($"step {step} is not the step in progress ({Run.Step})");
            if (shard < 0 || shard >= Run.Units.Count) return Refuse($"shard {shard} is outside 0..{Run.Units.Count - 1}");
            // A member that applied the step reports its shards again when the step is placed anew.
            if (Run.Units[shard] is { Status: UnitStatus.Done } done && done.WorkerId == workerId) return Accept();
        }
        if (Refusal(RunStatus.Matching, workerId, shard) is { } refused) return refused;

        RunSnapshot run = Run with { Units = UnitsWithDone(shard) };
        if (run.Units.All(u => u.Status == UnitStatus.Done))
        {
            long next = run.Step + 1;
            run = next == run.Plan.MatchSteps ? BeginEvaluation(run with { Step = next }, RunStatus.Matching) : BeginStep(run, next);
        }
        State = run;
        return Accept();
    }

    /// <summary>The generator after <paramref name="step"/> steps was saved at <paramref name="reference"/>.</summary>
    private WorkReceipt RecordCheckpoint(long step, string reference)
    {
        if (Run.Status is not (RunStatus.Matching or RunStatus.Evaluating)) return Refuse($"run is {Run.Status}: no matching checkpoint expected");
        if (string.IsNullOrWhiteSpace(reference)) return Refuse("the checkpoint reference is empty");
        // While matching, a member that applied the step in progress may save after it before the others report.
        long finished = Run.Status == RunStatus.Matching ? Run.Step + 1 : Run.Step;
        if (step < 1 || step > finished) return Refuse($"step {step} is not a finished step (1..{finished})");
        if (Run.Checkpoint is { Stage: RunStatus.Matching } latest && step < latest.Step)
            return Refuse($"a checkpoint after step {latest.Step} is already recorded");
        State = Run with { Checkpoint = new CheckpointRef(RunStatus.Matching, step, reference) };
        return Accept();
    }

    private WorkReceipt CompleteEvaluation(CompleteEvaluation m)
    {
        if (Run.Status != RunStatus.Evaluating) return Refuse($"run is {Run.Status}, not {RunStatus.Evaluating}");
        int index = Run.Units.Select(u => u.Unit.Evaluation).ToList().IndexOf(m.Unit);
        if (index < 0) return Refuse($"{m.Unit} is not a unit of this run's evaluation");
        if (Refusal(RunStatus.Evaluating, m.WorkerId, index) is { } refused) return refused;
        if (!(m.Accuracy is >= 0 and <= 1)) return Refuse($"the accuracy of {m.Unit}, {m.Accuracy}, is not a fraction in [0, 1]");

        RunSnapshot run = Run with
        {
            Units = UnitsWithDone(index),
            Evaluations = [.. Run.Evaluations, new EvaluationResult(m.Unit, m.Accuracy)],
        };
        if (run.Units.All(u => u.Status == UnitStatus.Done))
        {
            // Before the save: whoever sees the run completed finds its report, and a failed write completes nothing.
            context.Planner.WriteReport(run.Plan, run.Evaluations);
            State = Moved(run with { Units = [], Accuracy = Headline(run) }, RunStatus.Evaluating, RunStatus.Completed, "evaluated");
        }
        else State = Placed(run);
        return Accept();
    }

    private List<UnitAssignment> UnitsWithDone(int index) => [.. Run.Units.Select((u, i) => i == index ? u with { Status = UnitStatus.Done } : u)];

    /// <summary>
    /// The run's accuracy per IPC: the mean of the last row (the method's own) over its runs, summed in run order as the
    /// report's mean is, so the two agree to the bit.
    /// </summary>
    private static Dictionary<int, double> Headline(RunSnapshot run)
    {
        string row = run.Plan.EvaluationRows[^1];
        return run.Plan.Ipc.ToDictionary(ipc => ipc, ipc =>
        {
            List<double> runs = [.. run.Evaluations.Where(e => e.Unit.Row == row && e.Unit.Ipc == ipc).OrderBy(e => e.Unit.Run).Select(e => e.Accuracy)];
            return runs.Average();
        });
    }

    private WorkReceipt Fail(FailRun m)
    {
        if (Run.Status.IsTerminal()) return Refuse($"run is already {Run.Status}");
        if (m.WorkerId is not null && !Run.Units.Any(u => u.Status == UnitStatus.Assigned && u.WorkerId == m.WorkerId))
            return Refuse($"worker '{m.WorkerId}' holds no unit of this run");
        string reason = string.IsNullOrWhiteSpace(m.Reason) ? "no reason given" : m.Reason;
        State = Moved(Run with { Units = [], Failure = m.WorkerId is null ? reason : $"{m.WorkerId}: {reason}" }, Run.Status, RunStatus.Failed, reason);
        return Accept();
    }

    private WorkReceipt Cancel(CancelRun m)
    {
        if (Run.Status.IsTerminal()) return Refuse($"run is already {Run.Status}");
        State = Moved(Run with { Units = [] }, Run.Status, RunStatus.Cancelled, m.Reason);
        return Accept();
    }

    /// <summary>Places again the unfinished units that <paramref name="which"/> picks; replies how many it picked.</summary>
    private int Replace(Func<UnitAssignment, bool> which)
    {
        if (State is null || !State.Status.IsActive()) return 0;
        int picked = State.Units.Count(which);
        if (picked > 0) State = Placed(State, which);
        return picked;
    }

    private RunSnapshot? Resume()
    {
        if (State is null || !State.Status.IsActive()) return State;
        State = Placed(State, u => u.Status == UnitStatus.Pending || (IsHeld(u) && !context.Cluster.IsLive(u.WorkerId!)));
        return State;
    }

    private bool IsHeld(UnitAssignment unit) => State is not null && unit.IsHeldWhile(State.Status);

    private RunSnapshot BeginStep(RunSnapshot run, long step) =>
        Placed(run with
        {
            Step = step,
            Units = [.. Enumerable.Range(0, run.Plan.Shards).Select(i => Unit(WorkKind.Shard, step, i, context.Planner.ArchitectureOf(run.Plan, step, i)))],
        });

    private RunSnapshot BeginEvaluation(RunSnapshot run, RunStatus from) =>
        Placed(Moved(run with { Step = run.Plan.MatchSteps, Units = [.. run.Plan.EvaluationUnits.Select(e => Unit(WorkKind.Evaluate, 0, 0, null, e))] },
            from, RunStatus.Evaluating, "matching done"));

    private UnitAssignment Unit(WorkKind kind, long step, int shard, string? architecture, EvaluationKey? evaluation = null) =>
        new(new WorkUnit(Key, kind, step, shard, architecture, evaluation), UnitStatus.Pending, null, "not placed yet");

    /// <summary>
    /// Places the unfinished units <paramref name="which"/> picks (all pending ones by default), counting as load what
    /// every other run and this run's other units hold.
    /// </summary>
    private RunSnapshot Placed(RunSnapshot run, Func<UnitAssignment, bool>? which = null)
    {
        which ??= u => u.Status == UnitStatus.Pending;
        var targets = run.Units.Select((u, i) => (Unit: u, Index: i)).Where(t => which(t.Unit)).ToList();
        if (targets.Count == 0) return run;

        Dictionary<string, int> loads = context.Book.LoadsExcept(Key);
        foreach (UnitAssignment other in run.Units.Where(u => u.Status == UnitStatus.Assigned && !which(u)))
            loads[other.WorkerId!] = loads.GetValueOrDefault(other.WorkerId!) + 1;
        var live = context.Cluster.Live().Select(w => new WorkerLoad(w.WorkerId, w.Architectures, loads.GetValueOrDefault(w.WorkerId))).ToList();

        List<WorkUnit> placing = [.. targets.Select(t => t.Unit.Unit)];
        IReadOnlyList<PlacementDecision> decisions = run.Status == RunStatus.Evaluating
            ? OnePerWorker(placing, live, [.. run.Units.Where(u => u.Status == UnitStatus.Assigned && !which(u)).Select(u => u.WorkerId!)])
            : context.Placement.Place(placing, live);
        CheckDecisions(placing, decisions, live);

        var units = run.Units.ToArray();
        for (int i = 0; i < targets.Count; i++)
        {
            PlacementDecision d = decisions[i];
            units[targets[i].Index] = d.IsPlaced
                ? new UnitAssignment(d.Unit, UnitStatus.Assigned, d.WorkerId, null, run.Attempt + 1)
                : new UnitAssignment(d.Unit, UnitStatus.Pending, null, d.PendingReason ?? "no worker chosen");
        }
        DateTimeOffset now = context.Time.GetUtcNow();
        AfterSave(() => context.Events.Publish(new UnitsPlaced(now, Key, decisions)));
        return run with { Units = units, Attempt = run.Attempt + 1 };
    }

    /// <summary>
    /// Evaluation units go one per worker (a worker computes one unit at a time): the rest wait, pending, for the next
    /// worker to finish one, so units spread over the workers as they free up (a slow worker holds one unit, a joining
    /// one takes the next) instead of queueing behind a share fixed up front.
    /// </summary>
    private List<PlacementDecision> OnePerWorker(List<WorkUnit> units, List<WorkerLoad> live, HashSet<string> busy)
    {
        var free = live.Where(w => !busy.Contains(w.WorkerId)).ToList();
        var decisions = new List<PlacementDecision>(units.Count);
        foreach (WorkUnit unit in units)
        {
            PlacementDecision decision = free.Count == 0 && live.Count > 0
                ? new PlacementDecision(unit, null, "every live worker is computing a unit of this evaluation")
                : context.Placement.Place([unit], free).Single();
            free.RemoveAll(w => w.WorkerId == decision.WorkerId);
            decisions.Add(decision);
        }
        return decisions;
    }

    // A placement policy is pluggable; a wrong answer from one must not put a shard on a worker that cannot compute it.
    private static void CheckDecisions(IReadOnlyList<WorkUnit> units, IReadOnlyList<PlacementDecision> decisions, IReadOnlyList<WorkerLoad> live)
    {
        if (decisions.Count != units.Count) throw new InvalidOperationException($"placement answered {decisions.Count} decisions for {units.Count} units");
        for (int i = 0; i < units.Count; i++)
        {
            if (decisions[i].Unit != units[i]) throw new InvalidOperationException($"placement decision {i} is for {decisions[i].Unit}, not {units[i]}");
            if (decisions[i].WorkerId is not { } id) continue;
            WorkerLoad? worker = live.FirstOrDefault(w => w.WorkerId == id);
            if (worker is null) throw new InvalidOperationException($"placement put {units[i]} on '{id}', which is not live");
            if (units[i].Architecture is { } arch && !worker.Owns(arch))
                throw new InvalidOperationException($"placement put {units[i]} on '{id}', which does not own {arch}");
        }
    }

    private RunSnapshot Moved(RunSnapshot run, RunStatus? from, RunStatus to, string? reason)
    {
        DateTimeOffset now = context.Time.GetUtcNow();
        AfterSave(() => context.Events.Publish(new RunStatusChanged(now, Key, from, to, reason)));
        return run with { Status = to, History = [.. run.History, new RunTransition(from, to, now, reason)] };
    }

    /// <summary>Why a worker's report about unit <paramref name="index"/> of stage <paramref name="stage"/> does not fit, or null.</summary>
    private WorkReceipt? Refusal(RunStatus stage, string workerId, int index)
    {
        if (Run.Status != stage) return Refuse($"run is {Run.Status}, not {stage}");
        UnitAssignment unit = Run.Units[index];
        return unit switch
        {
            { Status: UnitStatus.Done } => Refuse($"{unit.Unit} is already done"),
            { Status: UnitStatus.Pending } => Refuse($"{unit.Unit} is not assigned to anyone"),
            _ when unit.WorkerId != workerId => Refuse($"{unit.Unit} is assigned to '{unit.WorkerId}', not '{workerId}'"),
            _ => null,
        };
    }

    private WorkReceipt Accept() => new(true, null, State);

    private WorkReceipt Refuse(string reason) => new(false, reason, State);
}
