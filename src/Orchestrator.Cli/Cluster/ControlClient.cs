using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;

namespace Orchestrator.Cli.Cluster;

/// <summary>The coordinator's control service as the CLI calls it.</summary>
internal sealed class ControlClient(Uri coordinator, string? token) : IDisposable
{
    private readonly GrpcChannel _channel = new(coordinator, new GrpcChannelOptions { BearerToken = token });

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

    public void Dispose() => _channel.Dispose();
}
