using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Sweeps;
using Orchestrator.Coordinator.Workers;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Server;
using CoreRunSpec = Orchestrator.Coordinator.Runs.RunSpec;
using CoreRunStatus = Orchestrator.Coordinator.Runs.RunStatus;
using CoreSweepSpec = Orchestrator.Coordinator.Sweeps.SweepSpec;
using ProtoRunStatus = Orchestrator.Protocol.V1.RunStatus;
using ProtoSweepStatus = Orchestrator.Protocol.V1.SweepStatus;
using ProtoWorkerStatus = Orchestrator.Protocol.V1.WorkerStatus;

namespace Orchestrator.Coordinator.Grpc;

/// <summary>The coordinator's user-facing gRPC service (control.proto): submit, follow and cancel runs and sweeps, see the cluster.</summary>
public sealed class ControlGateway(CoordinatorCore core, StepLosses losses, IRunPlanner planner)
{
    public ServiceDefinition Definition() => new ServiceDefinitionBuilder()
        .AddMethod(ControlMethods.SubmitRun, SubmitRunAsync)
        .AddMethod(ControlMethods.SubmitSweep, SubmitSweepAsync)
        .AddMethod(ControlMethods.CancelRun, CancelRunAsync)
        .AddMethod(ControlMethods.GetRun, GetRunAsync)
        .AddMethod(ControlMethods.ListRuns, ListRunsAsync)
        .AddMethod(ControlMethods.WatchRun, WatchRunAsync)
        .AddMethod(ControlMethods.GetSweep, GetSweepAsync)
        .AddMethod(ControlMethods.GetCluster, GetClusterAsync)
        .Build();

    private async Task<SubmitRunResponse> SubmitRunAsync(SubmitRunRequest request, ServerCallContext context)
    {
        var spec = new CoreRunSpec(request.Spec?.ConfigYaml ?? "", [.. (request.Spec?.Overrides ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")]);
        RunSnapshot? before = await Invalid(() => core.GetRunAsync(spec.Key, context.CancellationToken));
        RunSnapshot run = await Invalid(() => core.SubmitRunAsync(spec, context.CancellationToken));
        return new SubmitRunResponse { RunId = run.Key, AlreadyExisted = before is not null && run.Attempts == before.Attempts, State = ToState(run.Status) };
    }

    private async Task<SubmitSweepResponse> SubmitSweepAsync(SubmitSweepRequest request, ServerCallContext context)
    {
        CoreSweepSpec spec = Invalid(() => ToSweepSpec(request.Spec ?? throw new ArgumentException("the request holds no sweep spec"), planner));
        SweepSubmission submission = await Invalid(() => core.SubmitSweepAsync(spec, context.CancellationToken));
        var response = new SubmitSweepResponse { SweepId = spec.Name, RunsSubmitted = submission.Queued.Count, RunsSkipped = submission.Skipped.Count };
        response.RunIds.AddRange(submission.Sweep.Members.OrderBy(m => m.Order).Select(m => m.RunKey));
        return response;
    }

    private async Task<CancelRunResponse> CancelRunAsync(CancelRunRequest request, ServerCallContext context)
    {
        await RequireRunAsync(request.RunId, context.CancellationToken);
        WorkReceipt receipt = await core.CancelRunAsync(request.RunId, "cancelled by a user", context.CancellationToken);
        if (!receipt.Accepted) throw new RpcException(new Status(StatusCode.FailedPrecondition, receipt.Reason ?? "cannot cancel"));
        return new CancelRunResponse { State = ToState(receipt.Run!.Status) };
    }

    private async Task<ProtoRunStatus> GetRunAsync(GetRunRequest request, ServerCallContext context) =>
        ToStatus(await RequireRunAsync(request.RunId, context.CancellationToken));

    private async Task<ListRunsResponse> ListRunsAsync(ListRunsRequest request, ServerCallContext context)
    {
        IReadOnlyList<RunSnapshot> runs = await core.ListRunsAsync(null, context.CancellationToken);
        IEnumerable<RunSnapshot> selected = runs.Where(r => request.States.Count == 0 || request.States.Contains(ToState(r.Status)))
            .Where(r => request.SweepId.Length == 0 || r.Sweeps.Contains(request.SweepId))
            .OrderByDescending(r => r.QueuedAt).Take(request.Limit > 0 ? request.Limit : 100);
        var response = new ListRunsResponse();
        response.Runs.AddRange(selected.Select(ToStatus));
        return response;
    }

    /// <summary>Sends the run's status now and after every change, until it ends or the caller leaves.</summary>
    private async Task WatchRunAsync(GetRunRequest request, IAsyncStreamWriter<ProtoRunStatus> responses, ServerCallContext context)
    {
        CancellationToken cancellation = context.CancellationToken;
        ProtoRunStatus? last = null;
        while (!cancellation.IsCancellationRequested)
        {
            Task next = core.NextPlacementChange;
            RunSnapshot run = await RequireRunAsync(request.RunId, cancellation);
            ProtoRunStatus status = ToStatus(run);
            if (!status.Equals(last)) await responses.WriteAsync(status);
            last = status;
            if (run.Status.IsTerminal()) return;
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(2), cancellation));
        }
    }

    private async Task<ProtoSweepStatus> GetSweepAsync(GetSweepRequest request, ServerCallContext context)
    {
        SweepSnapshot sweep = await core.GetSweepAsync(request.SweepId, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no sweep named '{request.SweepId}'"));
        var status = new ProtoSweepStatus { SweepId = sweep.Name, Name = sweep.Name };
        foreach (SweepMember member in sweep.Members.OrderBy(m => m.Order))
            if (await core.GetRunAsync(member.RunKey, context.CancellationToken) is { } run) status.Runs.Add(ToStatus(run));
        foreach (ResultRow row in ResultTable.Aggregate(sweep).Rows)
            status.Results.Add(new SweepResultRow
            {
                Settings = { ["setting"] = row.Setting, ["ipc"] = row.Ipc.ToString(CultureInfo.InvariantCulture) },
                Metric = "accuracy", Mean = row.Mean, Std = row.Std, Count = row.Runs,
            });
        return status;
    }

    private async Task<ClusterStatus> GetClusterAsync(GetClusterRequest request, ServerCallContext context)
    {
        var status = new ClusterStatus();
        foreach (WorkerSnapshot worker in await core.ListWorkersAsync(context.CancellationToken))
        {
            var entry = new ProtoWorkerStatus
            {
                WorkerId = worker.WorkerId, Address = worker.Address, PushAddress = worker.PushAddress ?? "", Device = new Device { Name = worker.Device },
                State = worker.Status == Workers.WorkerStatus.Live ? WorkerState.Idle : WorkerState.Dead,
                LeaseExpiresAt = Timestamp.FromDateTimeOffset(worker.LeaseExpiresAt),
            };
            entry.Architectures.AddRange(worker.Architectures);
            status.Workers.Add(entry);
        }
        foreach (var group in (await core.ListRunsAsync(null, context.CancellationToken)).GroupBy(r => ToState(r.Status)))
            status.RunsByState[group.Key.ToString()] = group.Count();
        return status;
    }

    private async Task<RunSnapshot> RequireRunAsync(string runId, CancellationToken cancellation) =>
        await core.GetRunAsync(runId, cancellation) ?? throw new RpcException(new Status(StatusCode.NotFound, $"no run '{runId}'"));

    /// <summary>
    /// The proto's sweep (axes, repeat key) as the coordinator's: the "seed" and "evaluate.ipc" axes, the rest settings.
    /// Without a seed or IPC axis, the base config's seed or IPC list is the sweep's.
    /// </summary>
    internal static CoreSweepSpec ToSweepSpec(Protocol.V1.SweepSpec spec, IRunPlanner planner)
    {
        if (spec.RepeatKey.Length > 0 && spec.RepeatKey != CoreSweepSpec.SeedKey)
            throw new ArgumentException($"sweep '{spec.Name}': repeat_key '{spec.RepeatKey}' is not supported; repetitions are seeds ('{CoreSweepSpec.SeedKey}')");
        SweepAxis? Axis(string key) => spec.Axes.FirstOrDefault(a => a.Key == key);
        RunPlan? basePlan = null;
        RunPlan BasePlan() => basePlan ??= planner.Plan(new CoreRunSpec(spec.BaseConfigYaml, []));
        List<ulong> seeds = [.. (Axis(CoreSweepSpec.SeedKey)?.Values ?? [BasePlan().Seed.ToString(CultureInfo.InvariantCulture)]).Select(v =>
            ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s : throw new ArgumentException($"sweep '{spec.Name}': seed '{v}' is not a non-negative integer"))];
        List<int> ipc = [.. (Axis(CoreSweepSpec.IpcKey)?.Values ?? [.. BasePlan().Ipc.Select(i => i.ToString(CultureInfo.InvariantCulture))]).Select(v =>
            int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : throw new ArgumentException($"sweep '{spec.Name}': IPC '{v}' is not a positive integer"))];
        List<string> settings = [.. spec.Axes.Where(a => a.Key is not (CoreSweepSpec.SeedKey or CoreSweepSpec.IpcKey)).Select(a => $"{a.Key}=[{string.Join(", ", a.Values)}]")];
        var result = new CoreSweepSpec(spec.Name, spec.BaseConfigYaml, seeds, ipc, settings, []);
        result.Validate();
        return result;
    }

    private ProtoRunStatus ToStatus(RunSnapshot run)
    {
        var status = new ProtoRunStatus
        {
            RunId = run.Key, Name = run.Key, State = ToState(run.Status),
            Stage = run.Status switch
            {
                CoreRunStatus.Pretraining => RunStage.Pretrain,
                CoreRunStatus.Matching => RunStage.Match,
                CoreRunStatus.Evaluating => RunStage.Evaluate,
                _ => RunStage.Unspecified,
            },
            Step = run.Step, TotalSteps = run.Plan.MatchSteps, LatestCheckpointId = run.Checkpoint?.Reference ?? "",
            Error = run.Failure ?? "", CreatedAt = Timestamp.FromDateTimeOffset(run.QueuedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(run.History.Count > 0 ? run.History[^1].At : run.QueuedAt),
            SweepId = run.Sweeps.FirstOrDefault() ?? "",
        };
        if (run.Status is CoreRunStatus.Evaluating or CoreRunStatus.Completed)
            (status.EvaluationUnitsDone, status.EvaluationUnitsTotal) = (run.Evaluations.Count, run.Plan.EvaluationUnits.Count);
        foreach (var (ipc, accuracy) in run.Accuracy) status.Results[$"accuracy_ipc{ipc}"] = accuracy * 100;
        foreach (var (name, value) in losses.Latest(run.Key)) status.Losses[name] = value;
        return status;
    }

    internal static RunState ToState(CoreRunStatus status) => status switch
    {
        CoreRunStatus.Queued => RunState.Queued,
        CoreRunStatus.Completed => RunState.Succeeded,
        CoreRunStatus.Failed => RunState.Failed,
        CoreRunStatus.Cancelled => RunState.Cancelled,
        _ => RunState.Running,
    };

    private static T Invalid<T>(Func<T> body)
    {
        try { return body(); }
        catch (Exception e) when (e is ArgumentException or FormatException) { throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message)); }
    }

    private static async Task<T> Invalid<T>(Func<Task<T>> body)
    {
        try { return await body(); }
        catch (Exception e) when (e is ArgumentException or FormatException) { throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message)); }
    }
}
