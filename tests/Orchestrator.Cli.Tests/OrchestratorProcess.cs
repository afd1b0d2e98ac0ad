using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrator.Cli.Tests;

/// <summary>The built <c>orchestrator</c> program run as a child process, as a user or Kubernetes runs it.</summary>
internal sealed class OrchestratorProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OrchestratorProcess(Process process) => _process = process;

    public static string Program
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Orchestrator.sln"))) dir = Path.GetDirectoryName(dir);
            string configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            return Path.Combine(dir ?? throw new DirectoryNotFoundException("no Orchestrator.sln above the tests"), "src", "Orchestrator.Cli", "bin", configuration, "net10.0", "orchestrator.dll");
        }
    }

    public static OrchestratorProcess Start(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Program);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["ORCHESTRATOR_DATASETS"] = Path.Combine(Path.GetDirectoryName(Program)!, "..", "..", "..", "..", "..", "datasets");
        var process = new Process { StartInfo = start };
        var wrapper = new OrchestratorProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (wrapper._output) wrapper._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (wrapper._output) wrapper._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Runs to the end; throws with the output if it fails or outlives <paramref name="timeout"/>.</summary>
    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        using OrchestratorProcess process = Start(workingDirectory, arguments);
        int code = await process.WaitAsync(timeout);
        if (code != 0) throw new InvalidOperationException($"orchestrator {string.Join(' ', arguments)} exited with {code}:\n{process.Output}");
        return process.Output;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The first match of <paramref name="pattern"/> in the output; throws with the output if the process exits first.</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            bool exited = HasExited;
            if (pattern.Match(Output) is { Success: true } match) return match;
            if (exited)
            {
                _process.WaitForExit();   // the last lines of output
                if (pattern.Match(Output) is { Success: true } last) return last;
                throw new InvalidOperationException($"orchestrator exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"orchestrator did not print /{pattern}/ within {timeout}:\n{Output}");
            await Task.Delay(50);
        }
    }


    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException) { Kill(); throw new TimeoutException($"orchestrator did not finish within {timeout}:\n{Output}"); }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGSTOP: the process freezes, as in a long GC pause or on a node under memory pressure, until <see cref="Resume"/>.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT: a paused process runs on from where it stood.</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{name} {_process.Id} exited with {kill.ExitCode}");
    }

    /// <summary>SIGKILL: no cleanup, as a crashed node or an OOM kill.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
