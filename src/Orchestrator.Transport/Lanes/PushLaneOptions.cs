namespace Orchestrator.Transport.Lanes;

public sealed class PushLaneOptions
{
    /// <summary>Sent as <c>authorization: Bearer &lt;token&gt;</c> on every call.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A server that does not accept the connection in this time fails with UNAVAILABLE.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A larger response message fails the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>For https: decides whether to trust the server's certificate (e.g. pin a self-signed one). Null: the system's trust.</summary>
    public System.Net.Security.RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    public string UserAgent { get; set; } = "orchestrator-grpc/1.0";
}
