using System.Buffers;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// A client-streaming method that connections asking for it (<see cref="InPlaceStreams"/>) have served on their read
/// loop: each request message is deserialized while its bytes still lie in the transport's receive buffer, with no
/// copy, no per-stream pipe and no hand-off to another thread. The same method stays bound as usual for every other
/// connection, so clients that do not ask see no difference.
/// </summary>
public sealed class InPlaceClientStreamingMethod
{
    private readonly Func<IRequestSink> _open;

    private InPlaceClientStreamingMethod(string fullName, Func<IRequestSink> open) => (FullName, _open) = (fullName, open);

    public string FullName { get; }

    public static InPlaceClientStreamingMethod Create<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<InPlaceCall<TRequest, TResponse>> open)
    {
        if (method.Type != MethodType.ClientStreaming) throw new ArgumentException($"{method.FullName} is {method.Type}; only client-streaming methods are served in place", nameof(method));
        return new InPlaceClientStreamingMethod(method.FullName, () => new Sink<TRequest, TResponse>(method, open()));
    }

    internal IRequestSink Open() => _open();

    /// <summary>A call as the connection drives it: messages as bytes in, the serialized response out.</summary>
    internal interface IRequestSink
    {
        void Accept(ReadOnlySequence<byte> message);

        MessageLanding? Land(ReadOnlySequence<byte> head, int length, Action abortConnection);

        void Complete(IBufferWriter<byte> response);
    }

    private sealed class Sink<TRequest, TResponse>(Method<TRequest, TResponse> method, InPlaceCall<TRequest, TResponse> call) : IRequestSink
    {
        public void Accept(ReadOnlySequence<byte> message) => call.OnMessage(Wire.FrameReader.Deserialize(message, method.RequestMarshaller.Deserializer));

        public MessageLanding? Land(ReadOnlySequence<byte> head, int length, Action abortConnection) => call.Land(head, length, abortConnection);

        public void Complete(IBufferWriter<byte> response) => method.ResponseMarshaller.Serializer(call.Complete(), response);
    }
}
