using Orchestrator.Coordinator.Entities;

namespace Orchestrator.Coordinator.Workers;

internal sealed record RegisterWorker(WorkerRegistration Registration) : IEntityRequest<WorkerRegistered>;

/// <param name="HeldWork">It was live when it registered again: whatever it was computing is lost.</param>
internal sealed record WorkerRegistered(WorkerSnapshot Worker, bool HeldWork);

/// <summary>Renews the lease of a live worker; the reply is its new expiry, or null if it is not live.</summary>
internal sealed record RenewLease : IEntityRequest<DateTimeOffset?>;

/// <summary>Declares the worker dead if its lease lapsed by <see cref="Now"/>; replies whether it did.</summary>
internal sealed record ExpireLease(DateTimeOffset Now) : IEntityRequest<bool>;

/// <summary>An orderly leave: a live worker is marked dead at once, not counted as a lapse; replies whether it was live.</summary>
internal sealed record LeaveCluster(DateTimeOffset Now) : IEntityRequest<bool>;

/// <summary>After a coordinator restart: a live worker gets a full lease from now, time to reach the new coordinator.</summary>
internal sealed record ResumeWorker : IEntityRequest<WorkerSnapshot?>;

internal sealed record GetWorker : IEntityRequest<WorkerSnapshot?>;
