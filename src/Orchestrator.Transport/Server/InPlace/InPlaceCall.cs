using System.Buffers;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// One call of an <see cref="InPlaceClientStreamingMethod"/>: it sees each request message on the connection's read
/// loop, in order, and answers once the request stream ends. Nothing may block here: the connection waits.
/// </summary>
public abstract class InPlaceCall<TRequest, TResponse>
{
    public abstract void OnMessage(TRequest message);

    /// <summary>
    /// Offered a large message's first bytes (<paramref name="head"/>) and its <paramref name="length"/> before the
    /// rest is received, on connections that receive it from their socket on demand: a call that knows where the rest
    /// belongs answers where (the message then never reaches <see cref="OnMessage"/>), or null to take it whole as
    /// usual (the default). <paramref name="abortConnection"/>, callable from any thread, ends the connection, failing a
    /// receive blocked on it: for an owner that needs the landing's destination back before the message is done.
    /// </summary>
    public virtual MessageLanding? Land(ReadOnlySequence<byte> head, int length, Action abortConnection) => null;

    /// <summary>The response; an <see cref="RpcException"/> answers with its status instead.</summary>
    public abstract TResponse Complete();
}
