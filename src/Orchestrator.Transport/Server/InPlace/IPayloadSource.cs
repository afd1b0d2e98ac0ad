namespace Orchestrator.Transport.Server.InPlace;

/// <summary>The rest of the DATA frame being read, pulled from the connection by whoever knows where its bytes go.</summary>
internal interface IPayloadSource
{
    /// <summary>Fills <paramref name="into"/> from the frame; an IOException when the connection ends first.</summary>
    void ReadExactly(Span<byte> into);

    /// <summary>Ends the connection from any thread: a read blocked on it fails at once.</summary>
    void Abort();
}
