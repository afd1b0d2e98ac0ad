namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// One call of an <see cref="InPlaceClientStreamingMethod"/>: it sees each request message on the connection's read
/// loop, in order, and answers once the request stream ends. Nothing may block here: the connection waits.
/// </summary>
public abstract class InPlaceCall<TRequest, TResponse>
{
    public abstract void OnMessage(TRequest message);

    /// <summary>The response; an <see cref="RpcException"/> answers with its status instead.</summary>
    public abstract TResponse Complete();
}
