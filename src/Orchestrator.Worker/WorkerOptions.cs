using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.Protocol;

namespace Orchestrator.Worker;

/// <summary>Settings of one worker process (section "Worker" of its configuration, or the CLI's flags).</summary>
public sealed class WorkerOptions
{
    /// <summary>Stable across restarts (in Kubernetes, the pod name), so a restart is recognised as one.</summary>
    public string WorkerId { get; set; } = Environment.MachineName;

    /// <summary>The coordinator's gRPC address.</summary>
    public Uri Coordinator { get; set; } = new("http://127.0.0.1:7000");

    /// <summary>Where this worker serves its own gRPC service and its push lanes.</summary>
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>0: any free port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Port of the lane server that takes peers' gradient pushes (<see cref="Transport.Server.InPlace.InPlaceLaneServer"/>,
    /// the same scheme and certificate as the gRPC endpoint); 0: any free port.
    /// </summary>
    public int PushPort { get; set; }

    /// <summary>The address peers and the coordinator reach this worker at (pushes: the same host, <see cref="PushPort"/>); null: the bound listen address.</summary>
    public Uri? AdvertiseAddress { get; set; }

    /// <summary>Port of the /metrics endpoint; null: no metrics endpoint.</summary>
    public int? MetricsPort { get; set; }

    /// <summary>The one device this worker computes on: cpu or cuda:N.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>The pool architectures this worker owns: it is given shards of these only.</summary>
    public List<string> Pool { get; set; } = ["ConvNet"];

    /// <summary>Intra-op threads, replacing each run config's <c>threads</c>; null: the config's. Bitwise-equal results need the same count on every worker.</summary>
    public int? Threads { get; set; }

    /// <summary>Every RPC, both ways, carries this bearer token; null: none (a cluster without authentication).</summary>
    public string? BearerToken { get; set; }

    /// <summary>Serve https with this certificate (the bound address is then https://); null: cleartext HTTP/2 (h2c).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Intermediate certificates sent with <see cref="Certificate"/>.</summary>
    public X509Certificate2Collection? CertificateChain { get; set; }

    /// <summary>How calls over https (to the coordinator, to peers) check the server's certificate; null: the system's trust.</summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    /// <summary>Floats per all-reduce chunk (1 MiB by default).</summary>
    public int ChunkElements { get; set; } = 256 * 1024;

    /// <summary>How long to wait between the first retries to reach the coordinator; later ones wait twice as long each (<see cref="ReconnectBackoff"/>).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries (<see cref="ReconnectBackoff"/>).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(WorkerId)) throw new ArgumentException("Worker:WorkerId is empty");
        if (Coordinator.Scheme is not ("http" or "https")) throw new ArgumentException($"Worker:Coordinator '{Coordinator}' must be an http:// or https:// address");
        if (Port is < 0 or > 65535) throw new ArgumentException($"Worker:Port {Port} must be 0 to 65535");
        if (PushPort is < 0 or > 65535) throw new ArgumentException($"Worker:PushPort {PushPort} must be 0 to 65535");
        if (PushPort != 0 && PushPort == Port) throw new ArgumentException($"Worker:PushPort {PushPort} is also Worker:Port; the lane server needs a port of its own");
        if (MetricsPort is < 0 or > 65535) throw new ArgumentException($"Worker:MetricsPort {MetricsPort} must be 0 to 65535");
        if (!DeviceNames.IsValid(Device)) throw new ArgumentException($"Worker:Device '{Device}' must be cpu or cuda:N");
        if (Pool.Count == 0 || Pool.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Worker:Pool needs one or more architecture names");
        if (BearerToken is not null && string.IsNullOrWhiteSpace(BearerToken)) throw new ArgumentException("Worker:BearerToken is blank; leave it unset for none");
        if (Threads is < 1) throw new ArgumentException($"Worker:Threads {Threads} must be at least 1");
        string serves = Certificate is null ? "http" : "https";
        if (AdvertiseAddress is { } advertised && advertised.Scheme != serves)
            throw new ArgumentException($"Worker:AdvertiseAddress '{advertised}' must be {serves}:// since the worker serves {(Certificate is null ? "cleartext h2c (no certificate)" : "TLS")}");
        if (ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay)
            throw new ArgumentException($"Worker:ReconnectDelay {ReconnectDelay} must be positive and Worker:MaxReconnectDelay {MaxReconnectDelay} at least that");
        if (ChunkElements < 1024) throw new ArgumentException($"Worker:ChunkElements {ChunkElements} must be at least 1024");
    }
}
