using Orchestrator.Coordinator.Placement;
using Orchestrator.Coordinator.Runs;

namespace Orchestrator.Coordinator.Events;

/// <summary>Something that happened in the coordinator, published after the state that records it was saved.</summary>
public abstract record CoordinatorEvent(DateTimeOffset At);

/// <summary>A worker registered; <paramref name="Restarts"/> counts its registrations after the first.</summary>
public sealed record WorkerJoined(DateTimeOffset At, string WorkerId, string Device, int Restarts) : CoordinatorEvent(At);

/// <summary>A worker's lease lapsed and it was declared dead; its units go elsewhere.</summary>
public sealed record WorkerDied(DateTimeOffset At, string WorkerId, DateTimeOffset LeaseExpiredAt) : CoordinatorEvent(At);

/// <summary>A worker left in order (it deregistered, as on shutdown or a scale-down); its units go elsewhere.</summary>
public sealed record WorkerLeft(DateTimeOffset At, string WorkerId) : CoordinatorEvent(At);

public sealed record RunStatusChanged(DateTimeOffset At, string RunKey, RunStatus? From, RunStatus To, string? Reason) : CoordinatorEvent(At);

/// <summary>A run as a starting coordinator found it in the store: published once per stored run, before any moves on.</summary>
public sealed record RunRecovered(DateTimeOffset At, string RunKey, RunStatus Status) : CoordinatorEvent(At);

/// <summary>Units of a run were placed; decisions without a worker stay pending with their reason.</summary>
public sealed record UnitsPlaced(DateTimeOffset At, string RunKey, IReadOnlyList<PlacementDecision> Decisions) : CoordinatorEvent(At);

public sealed record SweepCompleted(DateTimeOffset At, string Sweep, int Runs) : CoordinatorEvent(At);
