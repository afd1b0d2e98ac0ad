using System.Net.Security;

namespace Orchestrator.Transport.Http2;

/// <summary>What a <see cref="Http2ClientConnection"/> announces and how it connects.</summary>
internal sealed record Http2ConnectionSettings(int StreamReceiveWindow, TimeSpan ConnectTimeout, RemoteCertificateValidationCallback? RemoteCertificateValidation);
