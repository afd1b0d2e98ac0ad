namespace Orchestrator.Coordinator.Placement;

/// <summary>
/// One network of a run's evaluation: run <see cref="Run"/> (0-based, of the plan's K) of row <see cref="Row"/> at
/// <see cref="Ipc"/> images per class. Its result depends on nothing else, so any worker may compute it.
/// </summary>
public sealed record EvaluationKey(string Row, int Ipc, int Run)
{
    public override string ToString() => $"{Row} IPC {Ipc} run {Run}";
}
