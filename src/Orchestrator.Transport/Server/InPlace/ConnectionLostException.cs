namespace Orchestrator.Transport.Server.InPlace;

/// <summary>The connection under a stream ended while the stream was reading from it: the connection's end, never the call's fault.</summary>
internal sealed class ConnectionLostException(string message, Exception? inner = null) : IOException(message, inner);
