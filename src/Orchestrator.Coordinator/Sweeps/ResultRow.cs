namespace Orchestrator.Coordinator.Sweeps;

/// <summary>Test accuracy in percent of one (setting, IPC) across the seeds whose run completed.</summary>
/// <param name="Runs">Completed runs averaged.</param>
/// <param name="Std">Population standard deviation (ddof 0, as numpy's std in the DC/DM evaluation code).</param>
public sealed record ResultRow(string Setting, int Ipc, int Runs, double Mean, double Std, IReadOnlyList<ulong> Seeds);
