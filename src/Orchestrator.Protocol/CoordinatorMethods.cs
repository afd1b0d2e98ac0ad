using Google.Protobuf.Reflection;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;

namespace Orchestrator.Protocol;

/// <summary>The methods of <c>orchestrator.v1.Coordinator</c> (coordinator.proto): the coordinator's worker-facing service.</summary>
public static class CoordinatorMethods
{
    public static ServiceDescriptor Service { get; } = CoordinatorReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Coordinator");

    public static readonly Method<RegisterWorkerRequest, RegisterWorkerResponse> RegisterWorker = ProtoMethod.Create<RegisterWorkerRequest, RegisterWorkerResponse>(Service, "RegisterWorker");
    public static readonly Method<HeartbeatRequest, HeartbeatResponse> Heartbeat = ProtoMethod.Create<HeartbeatRequest, HeartbeatResponse>(Service, "Heartbeat");
    public static readonly Method<DeregisterWorkerRequest, DeregisterWorkerResponse> DeregisterWorker = ProtoMethod.Create<DeregisterWorkerRequest, DeregisterWorkerResponse>(Service, "DeregisterWorker");
    public static readonly Method<WatchAssignmentsRequest, StepAssignment> WatchAssignments = ProtoMethod.Create<WatchAssignmentsRequest, StepAssignment>(Service, "WatchAssignments");
    public static readonly Method<StepReport, StepReportAck> ReportStep = ProtoMethod.Create<StepReport, StepReportAck>(Service, "ReportStep");
}
