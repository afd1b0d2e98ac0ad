namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// How a client asks for a server's in-place methods: an HTTP/2 setting outside the registered range in its first
/// SETTINGS frame. RFC 9113 (6.5.2) has endpoints ignore settings they do not know, so a server without in-place
/// methods, or another implementation, serves the connection as usual. A connection that asks is served in place
/// whole: its other methods answer UNIMPLEMENTED, so only clients that call nothing else ask.
/// </summary>
public static class InPlaceStreams
{
    public const ushort SettingId = 0xF0A7;

    /// <summary>The frame size such a connection allows: a whole gradient chunk fits one DATA frame, so it is parsed where it lies.</summary>
    public const int MaxFrameSize = 4 * 1024 * 1024;
}
