using Google.Protobuf.Reflection;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;

namespace Orchestrator.Protocol;

/// <summary>The methods of <c>orchestrator.v1.Worker</c> (worker.proto): gradient exchange between ring members, state transfer to a peer, status.</summary>
public static class WorkerMethods
{
    public static ServiceDescriptor Service { get; } = WorkerReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Worker");

    /// <summary>Received chunks hold their data in <see cref="RentedBytes"/> (<see cref="GradientChunkMarshaller"/>).</summary>
    public static readonly Method<GradientChunk, GradientReceipt> PushGradients =
        ProtoMethod.Create<GradientChunk, GradientReceipt>(Service, "PushGradients", GradientChunkMarshaller.Create());
    public static readonly Method<FetchStateRequest, CheckpointChunk> FetchState = ProtoMethod.Create<FetchStateRequest, CheckpointChunk>(Service, "FetchState");
    public static readonly Method<GetWorkerStatusRequest, WorkerStatus> GetStatus = ProtoMethod.Create<GetWorkerStatusRequest, WorkerStatus>(Service, "GetStatus");
}
