using Orchestrator.Coordinator.Runs;

namespace Orchestrator.Coordinator.Sweeps;

/// <summary>A run of a sweep as the sweep last heard of it; <see cref="Status"/> is null until then, <see cref="Accuracy"/> a fraction per IPC.</summary>
public sealed record SweepMember(string RunKey, string Setting, ulong Seed, int Order, RunStatus? Status, IReadOnlyDictionary<int, double> Accuracy);
