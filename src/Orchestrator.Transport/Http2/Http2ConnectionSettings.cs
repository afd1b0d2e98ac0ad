using System.Net.Security;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// What a <see cref="Http2ClientConnection"/> announces and how it connects; <paramref name="AskInPlace"/> adds the
/// setting that asks a server for its in-place methods (<see cref="Server.InPlace.InPlaceStreams"/>).
/// </summary>
internal sealed record Http2ConnectionSettings(int StreamReceiveWindow, TimeSpan ConnectTimeout, RemoteCertificateValidationCallback? RemoteCertificateValidation,
    bool AskInPlace = false);
