using System.Net.Security;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;

namespace Orchestrator.Cli.Cluster;

/// <summary>The coordinator's control service as the CLI calls it.</summary>
internal sealed class ControlClient(Uri coordinator, string? token, RemoteCertificateValidationCallback? certificateValidation = null) : IDisposable
{
    private readonly GrpcChannel _channel = new(coordinator, new GrpcChannelOptions { BearerToken = token, RemoteCertificateValidation = certificateValidation });

    private CallInvoker Invoker => _channel.CreateCallInvoker();

    public async Task<SubmitRunResponse> SubmitRunAsync(string configYaml, IEnumerable<string> overrides, CancellationToken cancellation)
    {
        var spec = new Protocol.V1.RunSpec { ConfigYaml = configYaml };
        foreach (string assignment in overrides)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"override '{assignment}' must read key.path=value");
            spec.Overrides[assignment[..eq].Trim()] = assignment[(eq + 1)..].Trim();
        }
        return await Invoker.AsyncUnaryCall(ControlMethods.SubmitRun, new SubmitRunRequest { Spec = spec }, new CallOptions(CancellationToken: cancellation));
    }

    public IAsyncEnumerable<RunStatus> WatchRunAsync(string runId, CancellationToken cancellation) =>
        Invoker.AsyncServerStreamingCall(ControlMethods.WatchRun, new GetRunRequest { RunId = runId }, new CallOptions(CancellationToken: cancellation)).ResponseStream.ReadAllAsync(cancellation);

    public async Task<SubmitSweepResponse> SubmitSweepAsync(SweepSpec spec, CancellationToken cancellation) =>
        await Invoker.AsyncUnaryCall(ControlMethods.SubmitSweep, new SubmitSweepRequest { Spec = spec }, new CallOptions(CancellationToken: cancellation));

    public async Task<SweepStatus> GetSweepAsync(string sweepId, CancellationToken cancellation) =>
        await Invoker.AsyncUnaryCall(ControlMethods.GetSweep, new GetSweepRequest { SweepId = sweepId }, new CallOptions(CancellationToken: cancellation));

    public async Task<RunStatus> GetRunAsync(string runId, CancellationToken cancellation) =>
        await Invoker.AsyncUnaryCall(ControlMethods.GetRun, new GetRunRequest { RunId = runId }, new CallOptions(CancellationToken: cancellation));

    /// <summary>The newest <paramref name="limit"/> runs, newest first.</summary>
    public async Task<IReadOnlyList<RunStatus>> ListRunsAsync(int limit, CancellationToken cancellation) =>
        (await Invoker.AsyncUnaryCall(ControlMethods.ListRuns, new ListRunsRequest { Limit = limit }, new CallOptions(CancellationToken: cancellation))).Runs;

    public async Task<RunState> CancelRunAsync(string runId, CancellationToken cancellation) =>
        (await Invoker.AsyncUnaryCall(ControlMethods.CancelRun, new CancelRunRequest { RunId = runId }, new CallOptions(CancellationToken: cancellation))).State;

    public async Task<ClusterStatus> GetClusterAsync(CancellationToken cancellation) =>
        await Invoker.AsyncUnaryCall(ControlMethods.GetCluster, new GetClusterRequest(), new CallOptions(CancellationToken: cancellation));

    public void Dispose() => _channel.Dispose();
}
