using Google.Protobuf;
using Google.Protobuf.Reflection;
using Orchestrator.Transport;

namespace Orchestrator.Protocol;

/// <summary>
/// Builds transport method descriptors from the compiled protos, so the path, the call kind and the message types
/// cannot drift from the .proto files: a mismatch fails when the descriptor class is first used.
/// </summary>
public static class ProtoMethod
{
    /// <summary>The method <paramref name="name"/> of <paramref name="service"/>; requests through <paramref name="requestMarshaller"/> when given, plain protobuf otherwise.</summary>
    public static Method<TRequest, TResponse> Create<TRequest, TResponse>(ServiceDescriptor service, string name, Marshaller<TRequest>? requestMarshaller = null)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        MethodDescriptor method = service.FindMethodByName(name)
            ?? throw new ArgumentException($"{service.FullName} has no method '{name}'");
        CheckType(method, "request", method.InputType, new TRequest().Descriptor);
        CheckType(method, "response", method.OutputType, new TResponse().Descriptor);
        MethodType type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        return new Method<TRequest, TResponse>(type, service.FullName, name, requestMarshaller ?? ProtobufMarshaller.Create<TRequest>(), ProtobufMarshaller.Create<TResponse>());
    }

    private static void CheckType(MethodDescriptor method, string role, MessageDescriptor declared, MessageDescriptor given)
    {
        if (declared.FullName != given.FullName)
            throw new ArgumentException($"{method.FullName} takes {declared.FullName} as its {role}, not {given.FullName}");
    }
}
