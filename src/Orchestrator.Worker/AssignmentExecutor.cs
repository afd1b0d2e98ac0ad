using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Stages;
using Orchestrator.Metrics;
using Orchestrator.Protocol.V1;
using Orchestrator.Torch;
using Orchestrator.Worker.AllReduce;
using EvaluationUnit = Orchestrator.Distillation.Stages.EvaluationUnit;

namespace Orchestrator.Worker;

/// <summary>
/// Carries out one assignment and says what to report: stage 1, one evaluation unit, or this worker's shards of a step with
/// the all-reduce and the update. A step is always computed from the state at its start: a worker behind it fetches the
/// state from a peer (or recomputes the missing steps alone), a worker past it finishes the exchange for its peers.
/// </summary>
public sealed class AssignmentExecutor(WorkerOptions options, RunReplicas replicas, ShardOrderedAllReduce allReduce, PeerClients peers,
    OrchestratorMetrics metrics, ILogger<AssignmentExecutor> logger)
{
    /// <summary>The report to send, or null when there is nothing to say (the assignment was superseded or a peer failed).</summary>
    public async Task<StepReport?> ExecuteAsync(StepAssignment assignment, CancellationToken cancellation)
    {
        var report = new StepReport { WorkerId = options.WorkerId, RunId = assignment.RunId, Step = assignment.Step, Kind = assignment.Kind, Attempt = assignment.Attempt };
        try
        {
            RunReplica replica = await Task.Run(() => replicas.Open(assignment.RunId, assignment.ConfigYaml), cancellation);
            switch (assignment.Kind)
            {
                case WorkKind.Pretrain:
                    await Task.Run(() => new PretrainStage(replica.Context).Run(cancellation), cancellation);
                    report.Checkpoint = replica.Context.Paths.PretrainBest;
                    break;
                case WorkKind.Shards:
                    await StepAsync(replica, assignment, report, cancellation);
                    break;
                case WorkKind.Evaluate:
                    await EvaluateAsync(replica, assignment, report, cancellation);
                    break;
                default:
                    throw new InvalidDataException($"assignment of unknown kind {assignment.Kind}");
            }
            return report;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException or InvalidDataException or TorchException or ArgumentException)
        {
            // The same input fails the same way on any worker: the run fails rather than bouncing between workers.
            logger.LogError(e, "{Run} {Kind}: failed", assignment.RunId, assignment.Kind);
            report.Error = e.Message;
            return report;
        }
        catch (Exception e) when (e is Transport.RpcException or HttpRequestException or IOException)
        {
            logger.LogWarning("{Run} step {Step} attempt {Attempt}: exchange failed ({Error}); waiting for the step to be placed again",
                assignment.RunId, assignment.Step, assignment.Attempt, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Trains and tests one evaluation unit's network. The run's copy is closed after it (its data is the bulk of the
    /// worker's memory): the next unit placed here opens it again, which costs little beside a network's training.
    /// </summary>
    private async Task EvaluateAsync(RunReplica replica, StepAssignment assignment, StepReport report, CancellationToken cancellation)
    {
        EvaluationUnit unit = assignment.Evaluation is { } e
            ? new EvaluationUnit(e.Row, e.Ipc, e.Run)
            : throw new InvalidDataException("an evaluation assignment must name its unit (row, IPC, run)");
        var clock = Stopwatch.StartNew();
        report.EvaluationAccuracy = await Task.Run(() => new EvaluateStage(replica.Context).Run(unit, cancellation), cancellation);
        report.Evaluation = assignment.Evaluation;
        logger.LogInformation("{Run} evaluation {Unit}: test accuracy {Accuracy:F4} in {Seconds:F1} s", assignment.RunId, unit, report.EvaluationAccuracy, clock.Elapsed.TotalSeconds);
        replicas.Close(assignment.RunId);
    }

    private async Task StepAsync(RunReplica replica, StepAssignment assignment, StepReport report, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        long step = assignment.Step;
        var request = new ExchangeRequest(new ExchangeKey(assignment.RunId, step, assignment.Attempt), assignment.ShardCount,
            [.. assignment.Ring.Select(m => new ExchangeMember(m.Rank, m.WorkerId, new Uri(m.Address), [.. m.ShardIndices], m.PushAddress.Length > 0 ? new Uri(m.PushAddress) : null))], assignment.Rank, options.ChunkElements);
        request.Validate();
        MatchingState state = await Task.Run(() => replica.Matching, cancellation);
        if (state.Version < step) await CatchUpAsync(replica, request, cancellation);
        if (state.Version == step)
        {
            IReadOnlyList<int> mine = request.Self.Shards;
            // The process's CPU time beside the wall time: on a shared machine it shows what the shards cost on a core of their own.
            TimeSpan cpuBefore = Environment.CpuUsage.TotalTime;
            var computed = await Task.Run(() => replica.ComputeAsync(mine, cancellation), cancellation);
            var computeTime = clock.Elapsed;
            TimeSpan computeCpu = Environment.CpuUsage.TotalTime - cpuBefore;
            // One shard (the usual placement) is reduced in place: its buffer is this attempt's own.
            ExchangeOutcome outcome = await allReduce.RunAsync(request, [.. computed.Select(c => (c.Shard, c.Values))],
                into: computed.Count == 1 ? computed[0].Values : null, cancellation);
            await Task.Run(() => replica.ApplyAsync(outcome.Sum, cancellation), cancellation);
            foreach (var (_, _, terms) in computed)
                foreach (var (name, value) in terms) report.Losses[name] = report.Losses.GetValueOrDefault(name) + value;
            foreach (var (name, value) in report.Losses) metrics.RecordLoss(name, value / computed.Count);
            foreach (var _ in mine) metrics.RecordShardComputed(options.WorkerId);
            long bufferBytes = outcome.Sum.LongLength * sizeof(float);
            metrics.RecordAllReduce(bufferBytes, outcome.Elapsed, outcome.Members);
            report.ComputeTime = Duration.FromTimeSpan(computeTime);
            report.AllreduceTime = Duration.FromTimeSpan(outcome.Elapsed);
            report.AllreduceBytes = outcome.BytesSent;
            metrics.RecordStep(clock.Elapsed);
            // bench/scaling.py reads this line: keep its fields in step with the parser there.
            logger.LogInformation("{Run} step {Step}: shards [{Shards}] in {Compute:F3} s ({ComputeCpu:F3} s CPU), all-reduce of a {Buffer} B buffer ({Bytes} B sent) in {Reduce:F3} s ({Bus:F0} MB/s bus), step {Total:F3} s",
                assignment.RunId, step, string.Join(", ", mine), computeTime.TotalSeconds, computeCpu.TotalSeconds, bufferBytes, outcome.BytesSent,
                outcome.Elapsed.TotalSeconds, outcome.BusBandwidth / 1e6, clock.Elapsed.TotalSeconds);
        }
        else if (state.Version == step + 1)
        {
            // This worker applied the step already; peers still in it get the finished sum from here.
            if (replica.LastReduced is { } last && last.Step == step && request.Ring.Count > 1)
                await allReduce.ServeAsync(request, last.Sum, cancellation);
        }
        else
        {
            throw new InvalidDataException($"run {assignment.RunId}: asked for step {step}, but this worker's copy is at version {state.Version}");
        }
        report.ShardIndices.AddRange(request.Self.Shards);
        report.ParameterVersion = state.Version;
        report.Checkpoint = await Task.Run(() => Checkpoint(replica, request), cancellation) ?? "";
    }

    /// <summary>Brings the replica to the step's start: from a peer if one has it, else by computing the missing steps here.</summary>
    private async Task CatchUpAsync(RunReplica replica, ExchangeRequest request, CancellationToken cancellation)
    {
        long step = request.Key.Step;
        if (await StateTransfer.FetchAsync(replica, request.Ring.Where(m => m.Rank != request.Rank), step, peers, cancellation))
        {
            logger.LogInformation("{Run}: took the state at version {Version} from a peer", replica.RunId, replica.Matching.Version);
            return;
        }
        logger.LogWarning("{Run}: no peer holds version {Step}; recomputing steps {From}..{To} here", replica.RunId, step, replica.Matching.Version, step - 1);
        while (replica.Matching.Version < step) await Task.Run(() => replica.StepLocallyAsync(cancellation), cancellation);
    }

    /// <summary>
    /// Rank 0 keeps the run's latest checkpoint when one is due; after the last step every member writes the distilled
    /// generator (the same bits, atomically), so it exists whichever of them survives.
    /// </summary>
    private static string? Checkpoint(RunReplica replica, ExchangeRequest request)
    {
        MatchingState state = replica.Matching;
        if (state.IsFinished)
        {
            state.SaveDistilled();
            return replica.Context.Paths.DistilledGenerator;
        }
        if (request.Rank != 0 || !state.CheckpointDue) return null;
        state.Save(replica.Context.Paths.MatchLatest);
        return replica.Context.Paths.MatchLatest;
    }
}
