using System.Diagnostics;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary>Follows a run on a coordinator (the embedded cluster's or a remote one) and prints its progress.</summary>
internal static class RunFollower
{
    /// <summary>
    /// Prints the run's stage, its progress (matching: step and losses; evaluating: units done), rate and time left as
    /// they change, and each stage's wall time; returns the final status.
    /// </summary>
    public static async Task<RunStatus> FollowAsync(ControlClient control, string runId, CancellationToken cancellation)
    {
        RunStatus last = new();
        RunStage? stage = null;
        long? stageStart = null;   // the stage's progress (steps or units) when first seen
        long lastLoggedStep = -1;
        int lastLoggedUnits = -1;
        var clock = Stopwatch.StartNew();
        var stageClock = Stopwatch.StartNew();
        bool terminal = Console.IsOutputRedirected is false;
        await foreach (RunStatus status in control.WatchRunAsync(runId, cancellation))
        {
            if (status.Stage != stage)
            {
                if (stage is { } done && done != RunStage.Unspecified) Console.WriteLine($"{(terminal ? "\n" : "")}{Name(done)}: {stageClock.Elapsed:hh\\:mm\\:ss}");
                stage = status.Stage;
                stageClock.Restart();
                stageStart = null;
            }
            if (status.Stage == RunStage.Match)
            {
                stageStart ??= status.Step;
                var (rate, left) = Pace(status.Step, status.TotalSteps, stageStart.Value, stageClock.Elapsed);
                string losses = string.Join("  ", status.Losses.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value:G4}"));
                string line = $"[match] step {status.Step}/{status.TotalSteps}  {losses}  {rate:F2} steps/s  left {left}  elapsed {clock.Elapsed:hh\\:mm\\:ss}";
                if (terminal) Console.Write($"\r{line}");
                else if (status.Step % Math.Max(1, status.TotalSteps / 20) == 0 && status.Step != lastLoggedStep)
                {
                    Console.WriteLine(line);
                    lastLoggedStep = status.Step;
                }
            }
            else if (status.Stage == RunStage.Evaluate && status.EvaluationUnitsTotal > 0)
            {
                int done = status.EvaluationUnitsDone, total = status.EvaluationUnitsTotal;
                stageStart ??= done;
                var (_, left) = Pace(done, total, stageStart.Value, stageClock.Elapsed);
                string line = $"[evaluate] units {done}/{total}  left {left}  elapsed {clock.Elapsed:hh\\:mm\\:ss}";
                if (terminal) Console.Write($"\r{line}");
                else if (done != lastLoggedUnits)
                {
                    Console.WriteLine(line);
                    lastLoggedUnits = done;
                }
            }
            else if (status.Stage != RunStage.Unspecified && status.Stage != last.Stage) Console.WriteLine($"[{Name(status.Stage)}] started");
            last = status;
        }
        return last;
    }

    /// <summary>Progress per second since the stage was first seen at <paramref name="start"/>, and the time left at that rate.</summary>
    private static (double Rate, string Left) Pace(long done, long total, long start, TimeSpan elapsed)
    {
        double rate = (done - start) / Math.Max(elapsed.TotalSeconds, 1e-3);
        return (rate, rate > 0 ? $"{TimeSpan.FromSeconds((total - done) / rate):hh\\:mm\\:ss}" : "--:--:--");
    }

    public static string Name(RunStage stage) => stage switch
    {
        RunStage.Pretrain => "pretrain",
        RunStage.Match => "match",
        RunStage.Evaluate => "evaluate",
        _ => stage.ToString().ToLowerInvariant(),
    };

    public static string State(RunState state) => state switch
    {
        RunState.Queued => "queued",
        RunState.Running => "running",
        RunState.Succeeded => "succeeded",
        RunState.Failed => "failed",
        RunState.Cancelled => "cancelled",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Whether the run succeeded; if not, says on stderr how it ended.</summary>
    public static bool Succeeded(RunStatus final)
    {
        if (final.State == RunState.Succeeded) return true;
        Console.Error.WriteLine($"orchestrator: run {final.RunId} {State(final.State)}{(final.Error.Length > 0 ? $": {final.Error}" : "")}");
        return false;
    }

    /// <summary>A run's headline as its status carries it: the distilled set's accuracy per IPC, in percent.</summary>
    public static string Accuracies(RunStatus status) =>
        string.Join(", ", status.Results.Where(kv => kv.Key.StartsWith(AccuracyPrefix, StringComparison.Ordinal))
            .OrderBy(kv => int.Parse(kv.Key[AccuracyPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Select(kv => $"IPC {kv.Key[AccuracyPrefix.Length..]} {kv.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} %"));

    private const string AccuracyPrefix = "accuracy_ipc";
}
