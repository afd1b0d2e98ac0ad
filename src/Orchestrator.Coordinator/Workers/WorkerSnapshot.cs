namespace Orchestrator.Coordinator.Workers;

/// <summary>A worker's saved state.</summary>
/// <param name="Restarts">Registrations after the first (a known id registering again).</param>
/// <param name="Deaths">Times its lease lapsed.</param>
/// <param name="PushAddress">Where peers push gradients, when apart from <paramref name="Address"/>; empty otherwise (and in state saved before it existed).</param>
public sealed record WorkerSnapshot(
    string WorkerId,
    string Device,
    IReadOnlyList<string> Architectures,
    string Address,
    WorkerStatus Status,
    DateTimeOffset LeaseExpiresAt,
    int Restarts,
    int Deaths,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastHeartbeatAt,
    string PushAddress = "");
