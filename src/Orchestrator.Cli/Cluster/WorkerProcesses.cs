using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Orchestrator.Cli.Cluster;

/// <summary>
/// Local worker processes of an embedded cluster: this same program started as <c>orchestrator worker</c>, each
/// logging to its own file. Stopping sends SIGTERM (the worker deregisters and exits) and kills what is left after a grace period.
/// </summary>
internal sealed partial class WorkerProcesses : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    public IReadOnlyList<Process> Processes => _processes;

    public void Start(string workerId, IEnumerable<string> arguments, string logFile)
    {
        string program = typeof(WorkerProcesses).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Run as `dotnet orchestrator.dll` when hosted by dotnet, or the apphost directly.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet") start.ArgumentList.Add(program);
        start.ArgumentList.Add("worker");
        start.ArgumentList.Add("--id");
        start.ArgumentList.Add(workerId);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Dispose(); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Process process in _processes.Where(p => !p.HasExited)) _ = Kill(process.Id, SigTerm);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        foreach (Process process in _processes)
        {
            try { await process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
            process.Dispose();
        }
        _processes.Clear();
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
