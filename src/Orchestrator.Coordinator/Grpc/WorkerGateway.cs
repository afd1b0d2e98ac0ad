using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;
using Orchestrator.Coordinator.Workers;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Server;
using ProtoWorkKind = Orchestrator.Protocol.V1.WorkKind;
using WorkKind = Orchestrator.Coordinator.Placement.WorkKind;

namespace Orchestrator.Coordinator.Grpc;

/// <summary>
/// The coordinator's worker-facing gRPC service (coordinator.proto): registration, leases, assignment streams and
/// reports, each a thin mapping onto <see cref="CoordinatorCore"/>.
/// </summary>
public sealed class WorkerGateway(CoordinatorCore core, StepLosses losses, ILogger<WorkerGateway> logger)
{
    public ServiceDefinition Definition() => new ServiceDefinitionBuilder()
        .AddMethod(CoordinatorMethods.RegisterWorker, RegisterAsync)
        .AddMethod(CoordinatorMethods.Heartbeat, HeartbeatAsync)
        .AddMethod(CoordinatorMethods.DeregisterWorker, DeregisterAsync)
        .AddMethod(CoordinatorMethods.WatchAssignments, WatchAsync)
        .AddMethod(CoordinatorMethods.ReportStep, ReportAsync)
        .Build();

    private async Task<RegisterWorkerResponse> RegisterAsync(RegisterWorkerRequest request, ServerCallContext context)
    {
        WorkerLease lease;
        try
        {
            lease = await core.RegisterWorkerAsync(new WorkerRegistration(request.WorkerId, request.Device?.Name ?? "", [.. request.Architectures], request.Address, request.PushAddress),
                context.CancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        logger.LogInformation("worker {Worker} registered at {Address}, pushes at {Pushes} ({Device}; owns {Pool})", request.WorkerId, request.Address, request.PushAddress.Length > 0 ? request.PushAddress : request.Address, request.Device?.Name,
            string.Join(", ", request.Architectures));
        return new RegisterWorkerResponse { Lease = ToLease(lease.WorkerId, lease.ExpiresAt, lease.HeartbeatInterval), Incarnation = lease.Restarts };
    }

    private async Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request, ServerCallContext context)
    {
        HeartbeatReply reply = await core.HeartbeatAsync(request.WorkerId, context.CancellationToken);
        if (!reply.Live) throw NotRegistered(request.WorkerId);
        return new HeartbeatResponse { Lease = ToLease(request.WorkerId, reply.LeaseExpiresAt!.Value, core.Options.HeartbeatInterval) };
    }

    private async Task<DeregisterWorkerResponse> DeregisterAsync(DeregisterWorkerRequest request, ServerCallContext context)
    {
        if (await core.DeregisterWorkerAsync(request.WorkerId, context.CancellationToken))
            logger.LogInformation("worker {Worker} left; its shards are placed elsewhere", request.WorkerId);
        return new DeregisterWorkerResponse();
    }

    /// <summary>Streams the worker's orders: what it holds now, then every new order (a new step, a new attempt) as placement changes.</summary>
    private async Task WatchAsync(WatchAssignmentsRequest request, IAsyncStreamWriter<StepAssignment> responses, ServerCallContext context)
    {
        CancellationToken cancellation = context.CancellationToken;
        // The orders already sent that the worker still holds; an order's identity names its step and attempt, so
        // keeping only the current ones bounds the set without sending anything twice.
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (!cancellation.IsCancellationRequested)
        {
            Task next = core.NextPlacementChange;
            if (await core.GetWorkerAsync(request.WorkerId, cancellation) is not { Status: Workers.WorkerStatus.Live }) throw NotRegistered(request.WorkerId);
            var current = new HashSet<string>(StringComparer.Ordinal);
            foreach (WorkOrder order in core.OrdersFor(request.WorkerId))
            {
                current.Add(order.Identity);
                if (!sent.Contains(order.Identity)) await responses.WriteAsync(ToAssignment(order));
            }
            sent = current;
            // Wake at least once per heartbeat interval to notice the worker was declared dead.
            await Task.WhenAny(next, Task.Delay(core.Options.HeartbeatInterval, cancellation));
        }
    }

    private async Task<StepReportAck> ReportAsync(StepReport report, ServerCallContext context)
    {
        CancellationToken cancellation = context.CancellationToken;
        var receipts = new List<WorkReceipt>();
        if (!string.IsNullOrEmpty(report.Error))
        {
            logger.LogError("worker {Worker} failed run {Run}: {Error}", report.WorkerId, report.RunId, report.Error);
            receipts.Add(await core.FailRunAsync(report.RunId, report.WorkerId, report.Error, cancellation));
        }
        else
        {
            switch (report.Kind)
            {
                case ProtoWorkKind.Pretrain:
                    receipts.Add(await core.CompletePretrainAsync(report.RunId, report.WorkerId, report.Checkpoint, cancellation));
                    break;
                case ProtoWorkKind.Shards:
                    string? checkpoint = string.IsNullOrEmpty(report.Checkpoint) ? null : report.Checkpoint;
                    receipts.AddRange(await core.ReportShardsAsync(report.RunId, report.WorkerId, report.Step, report.ShardIndices, checkpoint, cancellation));
                    var shards = receipts.Take(report.ShardIndices.Count).ToList();
                    if (shards.Count > 0 && shards.All(r => r.Accepted) && shards[^1].Run is { } run)
                        losses.Record(report.RunId, report.Step, run.Plan.Shards, report.ShardIndices, report.Losses);
                    break;
                case ProtoWorkKind.Evaluate:
                    receipts.Add(report.Evaluation is { } unit
                        ? await core.CompleteEvaluationAsync(report.RunId, report.WorkerId, new EvaluationKey(unit.Row, unit.Ipc, unit.Run), report.EvaluationAccuracy, cancellation)
                        : new WorkReceipt(false, "an evaluation report must name its unit", null));
                    break;
                default:
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"report of unknown kind {report.Kind}"));
            }
        }
        foreach (WorkReceipt refused in receipts.Where(r => !r.Accepted))
            logger.LogWarning("report of {Worker} on {Run} refused: {Reason}", report.WorkerId, report.RunId, refused.Reason);
        return new StepReportAck { Accepted = receipts.All(r => r.Accepted) };
    }

    private static RpcException NotRegistered(string workerId) =>
        new(new Status(StatusCode.NotFound, $"worker '{workerId}' holds no lease: register again"));

    private static Lease ToLease(string workerId, DateTimeOffset expires, TimeSpan interval) => new()
    {
        LeaseId = workerId,
        ExpiresAt = Timestamp.FromDateTimeOffset(expires),
        HeartbeatInterval = Duration.FromTimeSpan(interval),
    };

    internal static StepAssignment ToAssignment(WorkOrder order)
    {
        var assignment = new StepAssignment
        {
            RunId = order.RunKey,
            Step = order.Step,
            RunSeed = order.Plan.Seed,
            ShardCount = order.Plan.Shards,
            Rank = order.Rank,
            ParameterVersion = order.Step,
            Kind = order.Kind switch
            {
                WorkKind.Pretrain => ProtoWorkKind.Pretrain,
                WorkKind.Shard => ProtoWorkKind.Shards,
                _ => ProtoWorkKind.Evaluate,
            },
            Attempt = order.Attempt,
            ConfigYaml = order.Plan.Config,
            ConfigSha256 = Google.Protobuf.ByteString.CopyFrom(SHA256.HashData(Encoding.UTF8.GetBytes(order.Plan.Config))),
            Evaluation = order.Evaluation is { } unit ? new EvaluationUnit { Row = unit.Row, Ipc = unit.Ipc, Run = unit.Run } : null,
        };
        assignment.Shards.AddRange(order.Shards.Select(s => new ShardAssignment { Key = new ShardKey { RunId = order.RunKey, Step = order.Step, ShardIndex = s } }));
        assignment.Ring.AddRange(order.Ring.Select((m, rank) => new RingMember { WorkerId = m.WorkerId, Address = m.Address, PushAddress = m.PushAddress, Rank = rank, ShardIndices = { m.Shards } }));
        return assignment;
    }
}
