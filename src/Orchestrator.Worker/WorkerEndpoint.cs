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
        .AddMethod(PushGradients(), PushGradientsAsync)
        .AddMethod(WorkerMethods.FetchState, (request, responses, context) => StateTransfer.SendAsync(replicas.Find(request.RunId), request, responses, context.CancellationToken))
        .AddMethod(WorkerMethods.GetStatus, GetStatusAsync)
        .Build();

    /// <summary>
    /// <see cref="WorkerMethods.PushGradients"/> as this server reads it: each request message is delivered to the
    /// mailbox as it is parsed, so the reduction reads gradient bytes from the transport's buffer instead of a copy.
    /// </summary>
    private Method<DeliveredChunk, GradientReceipt> PushGradients()
    {
        Method<GradientChunk, GradientReceipt> wire = WorkerMethods.PushGradients;
        var delivered = new Marshaller<DeliveredChunk>(
            (_, _) => throw new NotSupportedException($"{wire.FullName}: the server only reads chunks"), mailbox.Deliver);
        return new Method<DeliveredChunk, GradientReceipt>(wire.Type, wire.ServiceName, wire.Name, delivered, wire.ResponseMarshaller);
    }

    private static async Task<GradientReceipt> PushGradientsAsync(IAsyncStreamReader<DeliveredChunk> chunks, ServerCallContext context)
    {
        var receipt = new GradientReceipt();
        await foreach (DeliveredChunk chunk in chunks.ReadAllAsync(context.CancellationToken))
        {
            receipt.Chunks++;
            receipt.Bytes += chunk.Bytes;
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
