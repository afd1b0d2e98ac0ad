using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Server;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Worker;

/// <summary>The worker's gRPC service (worker.proto): peers push gradient chunks and fetch run state here.</summary>
public sealed class WorkerEndpoint(WorkerOptions options, GradientMailbox mailbox, RunReplicas replicas)
{
    public ServiceDefinition Definition() => new ServiceDefinitionBuilder()
        .AddMethod(WorkerMethods.PushGradients, PushGradientsAsync)
        .AddMethod(WorkerMethods.FetchState, (request, responses, context) => StateTransfer.SendAsync(replicas.Find(request.RunId), request, responses, context.CancellationToken))
        .AddMethod(WorkerMethods.GetStatus, GetStatusAsync)
        .Build();

    private async Task<GradientReceipt> PushGradientsAsync(IAsyncStreamReader<GradientChunk> chunks, ServerCallContext context)
    {
        var receipt = new GradientReceipt();
        await foreach (GradientChunk chunk in chunks.ReadAllAsync(context.CancellationToken))
        {
            mailbox.Deliver(chunk);
            receipt.Chunks++;
            receipt.Bytes += chunk.Data.Length;
        }
        return receipt;
    }

    private Task<WorkerStatus> GetStatusAsync(GetWorkerStatusRequest request, ServerCallContext context)
    {
        var status = new WorkerStatus { WorkerId = options.WorkerId, Device = new Device { Name = options.Device }, State = WorkerState.Idle };
        status.Architectures.AddRange(options.Pool);
        return Task.FromResult(status);
    }
}
