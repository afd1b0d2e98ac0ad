using Orchestrator.Protocol;

namespace Orchestrator.Coordinator.Workers;

/// <summary>What a worker says about itself when it registers.</summary>
/// <param name="WorkerId">Stable across the worker's restarts, so a restart is recognised and counted.</param>
/// <param name="Device">cpu or cuda:N.</param>
/// <param name="Architectures">The pool architectures it owns: it computes shards of these only.</param>
/// <param name="Address">Where it is reached (its gRPC endpoint's URI).</param>
/// <param name="PushAddress">Where peers push gradients (its lane server), when apart from <paramref name="Address"/>; empty otherwise.</param>
public sealed record WorkerRegistration(string WorkerId, string Device, IReadOnlyList<string> Architectures, string Address, string PushAddress = "")
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(WorkerId)) throw new ArgumentException("worker registration: the worker id is empty");
        if (!DeviceNames.IsValid(Device))
            throw new ArgumentException($"worker '{WorkerId}': '{Device}' is not a device: expected cpu or cuda:N");
        if (Architectures is null || Architectures.Count == 0)
            throw new ArgumentException($"worker '{WorkerId}' owns no pool architecture");
        if (Architectures.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"worker '{WorkerId}': an architecture name is empty");
        string? twice = Architectures.GroupBy(a => a, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null) throw new ArgumentException($"worker '{WorkerId}' lists architecture '{twice}' twice");
        if (string.IsNullOrWhiteSpace(Address)) throw new ArgumentException($"worker '{WorkerId}' gave no address");
        if (PushAddress.Length > 0 && !(Uri.TryCreate(PushAddress, UriKind.Absolute, out Uri? push) && (push.Scheme == Uri.UriSchemeHttp || push.Scheme == Uri.UriSchemeHttps)))
            throw new ArgumentException($"worker '{WorkerId}': push address '{PushAddress}' is not an http:// or https:// URI");
    }
}
