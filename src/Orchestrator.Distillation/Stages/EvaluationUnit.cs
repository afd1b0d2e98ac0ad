namespace Orchestrator.Distillation.Stages;

/// <summary>
/// One network of the evaluation: run <see cref="Run"/> (0-based, of the config's K) of one row (<see cref="Method"/>:
/// random, cgan or distilled) at one IPC. Its set and streams follow from the run seed and these three alone.
/// </summary>
public sealed record EvaluationUnit(string Method, int Ipc, int Run)
{
    public override string ToString() => $"{Method} IPC {Ipc} run {Run}";
}
