using System.Buffers;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;
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

    /// <summary>
    /// <see cref="WorkerMethods.PushGradients"/> served on the connection's read loop to peers that ask: each chunk is
    /// folded before its bytes leave the transport's receive buffer, with no hand-off to another thread, and a
    /// finished block's chunk is received straight into the sum where the connection allows it.
    /// </summary>
    public InPlaceClientStreamingMethod InPlacePushGradients() => InPlaceClientStreamingMethod.Create(PushGradients(), () => new ReceiptCall(mailbox));

    private async Task<GradientReceipt> PushGradientsAsync(IAsyncStreamReader<DeliveredChunk> chunks, ServerCallContext context)
    {
        var receipt = new ReceiptCall(mailbox);
        await foreach (DeliveredChunk chunk in chunks.ReadAllAsync(context.CancellationToken)) receipt.OnMessage(chunk);
        return receipt.Complete();
    }

    /// <summary>Counts the chunks a push delivered, for either way of serving it.</summary>
    private sealed class ReceiptCall(GradientMailbox mailbox) : InPlaceCall<DeliveredChunk, GradientReceipt>
    {
        private readonly GradientReceipt _receipt = new();

        public override void OnMessage(DeliveredChunk message)
        {
            _receipt.Chunks++;
            _receipt.Bytes += message.Bytes;
        }

        public override MessageLanding? Land(ReadOnlySequence<byte> head, int length, Action abortConnection)
        {
            MessageLanding? landing = mailbox.Land(head, length, abortConnection, out long dataBytes);
            if (landing is not null) OnMessage(new DeliveredChunk(dataBytes));
            return landing;
        }

        public override GradientReceipt Complete() => _receipt;
    }

    private Task<WorkerStatus> GetStatusAsync(GetWorkerStatusRequest request, ServerCallContext context)
    {
        var status = new WorkerStatus { WorkerId = options.WorkerId, Device = new Device { Name = options.Device }, State = WorkerState.Idle };
        status.Architectures.AddRange(options.Pool);
        return Task.FromResult(status);
    }
}
