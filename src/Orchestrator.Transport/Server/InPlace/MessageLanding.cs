namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// Where the rest of a large request message goes, named by its call from the message's first bytes
/// (<see cref="InPlaceCall{TRequest, TResponse}.Land"/>). A connection that pulls DATA from its socket
/// (<see cref="InPlaceLaneServer"/>) then receives the rest there directly, with no buffer of the transport's between.
/// The transport says how it ended, once, on the connection's thread: every byte arrived (<see cref="Landed"/>), or
/// the stream or the connection ended first (<see cref="Failed"/>). After either it writes nothing more there.
/// </summary>
public abstract class MessageLanding
{
    /// <summary>The bytes of the message after its head: exactly its length less the head's.</summary>
    public abstract Span<byte> Rest { get; }

    /// <summary>Every byte of <see cref="Rest"/> arrived.</summary>
    public abstract void Landed();

    /// <summary>The stream or the connection ended before the message did; <see cref="Rest"/> holds part of it at most.</summary>
    public abstract void Failed(Exception reason);
}
