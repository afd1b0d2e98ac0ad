namespace Orchestrator.Transport;

/// <summary>A call that ended with a status other than OK. Handlers throw it to answer with a status; clients catch it.</summary>
public sealed class RpcException : Exception
{
    public RpcException(Status status, Metadata? trailers = null, Exception? innerException = null)
        : base(status.ToString(), innerException)
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
    }

    public RpcException(StatusCode code, string detail) : this(new Status(code, detail)) { }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers that travel with the status: sent by a handler, or received by a client.</summary>
    public Metadata Trailers { get; }

    /// <summary>A failure as a person reads it: a refusal as its detail and status code, anything else as its message.</summary>
    public static string Describe(Exception failure) => failure is RpcException rpc ? $"{rpc.Status.Detail} ({rpc.StatusCode})" : failure.Message;
}
