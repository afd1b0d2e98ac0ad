using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;
using System.Net;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Worker;

/// <summary>
/// A worker's life: serve the worker gRPC service, register with the coordinator, keep the lease with heartbeats, and
/// carry out the assignments it streams, one at a time. Losing the coordinator ends only the session (registration,
/// heartbeats, the stream), not the step in progress: reports are retried until the coordinator answers. A newer
/// attempt of the step in progress cancels it. Registering again ends the work taken before: the coordinator counts a
/// worker that registers again (after a lapsed lease, a broken session or its own restart) as having lost what it held,
/// and places that anew, maybe elsewhere, where a copy still running here would write the run's folder beside it.
/// </summary>
public sealed class WorkerService(WorkerOptions options, WorkerEndpoint endpoint, AssignmentExecutor executor, RunReplicas replicas,
    GradientMailbox mailbox, ILogger<WorkerService> logger) : BackgroundService
{
    private readonly Channel<(StepAssignment Assignment, long Registration)> _assignments =
        Channel.CreateUnbounded<(StepAssignment, long)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly SeenAssignments _seen = new();
    private long _registrations;   // work taken under an earlier registration is void
    private (StepAssignment Assignment, CancellationTokenSource Cancel)? _current;
    private GrpcServer? _server;
    private InPlaceLaneServer? _lanes;
    private CancellationTokenSource? _session;

    /// <summary>The address peers reach this worker at; known once the service has started.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Where peers push gradients (the lane server); known once the service has started.</summary>
    public Uri? PushAddress { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        // Before registering: a worker whose device cannot run would fail every shard placed on it.
        if (Orchestrator.Torch.Device.Parse(options.Device).Unavailability() is { } problem) throw new ArgumentException($"Worker:Device {problem}");
        var serving = new GrpcServerOptions
        {
            ListenAddress = options.ListenAddress, Port = options.Port, BearerToken = options.BearerToken,
            MaxReceiveMessageSize = 64 * 1024 * 1024, InPlaceMethods = { endpoint.InPlacePushGradients() }, Certificate = options.Certificate, CertificateChain = options.CertificateChain,
        };
        _server = new GrpcServer(serving, endpoint.Definition());
        await _server.StartAsync(cancellationToken);
        Address = options.AdvertiseAddress ?? _server.Address;
        // Peers' pushes come to a port of their own, read with blocking I/O on a thread per peer (Kestrel serves the rest).
        _lanes = new InPlaceLaneServer(serving, new IPEndPoint(options.ListenAddress, options.PushPort));
        PushAddress = options.AdvertiseAddress is { } advertised ? new UriBuilder(advertised) { Port = _lanes.Address.Port }.Uri : _lanes.Address;
        logger.LogInformation("worker {Worker} serving at {Address} (pushes at {PushAddress}) on {Device}, owning {Pool}", options.WorkerId, Address, PushAddress,
            options.Device, string.Join(", ", options.Pool));
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var channel = new GrpcChannel(options.Coordinator, new GrpcChannelOptions
        {
            BearerToken = options.BearerToken, MaxReceiveMessageSize = 64 * 1024 * 1024, RemoteCertificateValidation = options.RemoteCertificateValidation,
        });
        CallInvoker coordinator = channel.CreateCallInvoker();
        Task work = WorkAsync(coordinator, stoppingToken);
        var backoff = NewBackoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SessionAsync(coordinator, backoff, stoppingToken);
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException && !stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait = backoff.Next();
                logger.LogWarning("coordinator session ended ({Error}); reconnecting in {Seconds:F1} s", RpcException.Describe(e), wait.TotalSeconds);
                await Delay(wait, stoppingToken);
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            await Delay(backoff.Next(), stoppingToken);
        }
        _assignments.Writer.TryComplete();
        await work;
        await DeregisterAsync(coordinator);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _lanes?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        replicas.Dispose();
    }

    /// <summary>Registers (which resets the backoff), then heartbeats and reads the assignment stream until either fails.</summary>
    private async Task SessionAsync(CallInvoker coordinator, ReconnectBackoff backoff, CancellationToken stoppingToken)
    {
        var registration = new RegisterWorkerRequest
        {
            WorkerId = options.WorkerId, Address = Address!.ToString(), PushAddress = PushAddress!.ToString(), Device = new Device { Name = options.Device, IntraOpThreads = Torch.torch.get_num_threads() },
            Version = typeof(WorkerService).Assembly.GetName().Version?.ToString() ?? "",
        };
        registration.Architectures.AddRange(options.Pool);
        RegisterWorkerResponse registered = await coordinator.AsyncUnaryCall(CoordinatorMethods.RegisterWorker, registration, new CallOptions(CancellationToken: stoppingToken));
        logger.LogInformation("registered with {Coordinator} (incarnation {Incarnation})", options.Coordinator, registered.Incarnation);
        backoff.Reset();
        AbandonEarlierWork();

        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lock (_gate) _session = session;
        TimeSpan interval = registered.Lease.HeartbeatInterval.ToTimeSpan();
        Task heartbeats = HeartbeatAsync(coordinator, interval, session.Token);
        Task watch = WatchAsync(coordinator, session.Token);
        Task ended = await Task.WhenAny(heartbeats, watch);
        await session.CancelAsync();
        lock (_gate) _session = null;
        try { await Task.WhenAll(heartbeats, watch); }
        catch (OperationCanceledException) when (session.IsCancellationRequested) { }
        if (!stoppingToken.IsCancellationRequested && ended.IsCanceled) logger.LogWarning("registering again so the coordinator places the step anew");
        else await ended;
    }

    private async Task HeartbeatAsync(CallInvoker coordinator, TimeSpan interval, CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellation))
            await coordinator.AsyncUnaryCall(CoordinatorMethods.Heartbeat, new HeartbeatRequest { WorkerId = options.WorkerId, LeaseId = options.WorkerId },
                new CallOptions(CancellationToken: cancellation, Deadline: DateTime.UtcNow + interval));
    }

    private async Task WatchAsync(CallInvoker coordinator, CancellationToken cancellation)
    {
        using var call = coordinator.AsyncServerStreamingCall(CoordinatorMethods.WatchAssignments,
            new WatchAssignmentsRequest { WorkerId = options.WorkerId, LeaseId = options.WorkerId }, new CallOptions(CancellationToken: cancellation));
        await foreach (StepAssignment assignment in call.ResponseStream.ReadAllAsync(cancellation)) Accept(assignment);
        throw new IOException("the coordinator closed the assignment stream");
    }

    /// <summary>Queues a new assignment; one for the same run and a later step or attempt cancels the one in progress.</summary>
    private void Accept(StepAssignment assignment)
    {
        lock (_gate)
        {
            if (!_seen.Add(assignment)) return;
            if (_current is var (running, cancel) && running.RunId == assignment.RunId && running.Kind == WorkKind.Shards
                && (assignment.Step, assignment.Attempt).CompareTo((running.Step, running.Attempt)) > 0)
                cancel.Cancel();
            _assignments.Writer.TryWrite((assignment, _registrations));
        }
    }

    /// <summary>
    /// After registering again: the coordinator has counted what this worker held as lost and places it anew (a stage
    /// may already run elsewhere), so the work in progress stops and what is queued is dropped. Orders the coordinator
    /// sends from now on are taken afresh, a stage resuming from its latest checkpoint.
    /// </summary>
    private void AbandonEarlierWork()
    {
        lock (_gate)
        {
            if (_registrations++ == 0) return;
            _seen.Clear();
            if (_current is var (running, cancel))
            {
                logger.LogWarning("registered again: abandoning {Run} {Kind} step {Step}, which the coordinator places anew", running.RunId, running.Kind, running.Step);
                cancel.Cancel();
            }
        }
    }

    private async Task WorkAsync(CallInvoker coordinator, CancellationToken stoppingToken)
    {
        await foreach (var (assignment, registration) in _assignments.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (stoppingToken.IsCancellationRequested) break;
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            lock (_gate)
            {
                if (registration != _registrations) continue;
                _current = (assignment, cancel);
            }
            if (Superseded(assignment)) continue;
            StepReport? report = await executor.ExecuteAsync(assignment, cancel.Token);
            lock (_gate)
            {
                _current = null;
                // The exchange failed without the step being placed again (a peer's transient fault, or a peer dead
                // but not yet declared so): registering again makes the coordinator place the step anew.
                if (report is null && !cancel.IsCancellationRequested) _session?.Cancel();
            }
            if (report is not null) await ReportAsync(coordinator, report, stoppingToken);
        }
    }

    /// <summary>
    /// Whether a later step or attempt of the same run is already queued behind this one. Evaluation units are never
    /// superseded: each is its own piece of work, whatever was placed after it.
    /// </summary>
    private bool Superseded(StepAssignment assignment)
    {
        lock (_gate)
            return assignment.Kind != WorkKind.Evaluate && _assignments.Reader.TryPeek(out var queued) && queued.Assignment is var next && next.RunId == assignment.RunId
                && next.Kind == assignment.Kind && (next.Step, next.Attempt).CompareTo((assignment.Step, assignment.Attempt)) > 0;
    }

    /// <summary>Sends a report until the coordinator answers it (accepted or refused); only stopping gives up.</summary>
    private async Task ReportAsync(CallInvoker coordinator, StepReport report, CancellationToken stoppingToken)
    {
        var backoff = NewBackoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                StepReportAck ack = await coordinator.AsyncUnaryCall(CoordinatorMethods.ReportStep, report, new CallOptions(CancellationToken: stoppingToken));
                if (!ack.Accepted) logger.LogInformation("{Run} {Kind} step {Step}: report not accepted (superseded)", report.RunId, report.Kind, report.Step);
                if (report.Kind == WorkKind.Evaluate || report.Error.Length > 0)
                {
                    mailbox.Forget(report.RunId);
                    lock (_gate) _seen.Forget(report.RunId);
                }
                return;
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException && !stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait = backoff.Next();
                logger.LogWarning("report of {Run} step {Step} not delivered ({Error}); retrying in {Seconds:F1} s", report.RunId, report.Step, RpcException.Describe(e), wait.TotalSeconds);
                await Delay(wait, stoppingToken);
            }
        }
    }

    private async Task DeregisterAsync(CallInvoker coordinator)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await coordinator.AsyncUnaryCall(CoordinatorMethods.DeregisterWorker, new DeregisterWorkerRequest { WorkerId = options.WorkerId, LeaseId = options.WorkerId },
                new CallOptions(CancellationToken: timeout.Token));
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or IOException or OperationCanceledException)
        {
            logger.LogWarning("could not deregister ({Error}); the lease will lapse", RpcException.Describe(e));
        }
    }

    private ReconnectBackoff NewBackoff() => new(options.ReconnectDelay, options.MaxReconnectDelay);

    private static async Task Delay(TimeSpan wait, CancellationToken cancellation)
    {
        try { await Task.Delay(wait, cancellation); }
        catch (OperationCanceledException) { }
    }
}
