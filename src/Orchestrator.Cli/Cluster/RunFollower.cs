using System.Diagnostics;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;

namespace Orchestrator.Cli.Cluster;

/// <summary>Follows a run on a coordinator (the embedded cluster's or a remote one) and prints its progress.</summary>
internal static class RunFollower
{
    /// <summary>
    /// Prints the run's stage, its progress (matching: step and losses; evaluating: units done), rate and time left as
    /// they change, and each stage's wall time; returns the final status. A coordinator that goes away (restarted,
    /// rescheduled) is followed again once it is back, with the workers' backoff, since the run resumes there.
    /// </summary>
    public static async Task<RunStatus> FollowAsync(ControlClient control, string runId, CancellationToken cancellation)
    {
        var progress = new Progress();
        var backoff = new Worker.ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await foreach (RunStatus status in control.WatchRunAsync(runId, cancellation))
                {
                    progress.Show(status);
                    backoff.Reset();
                }
                if (IsTerminal(progress.Last.State)) return progress.Last;
                Console.Error.WriteLine("\nthe coordinator ended the watch before the run ended (shutting down?); following again");
            }
            catch (Exception e) when (e is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled } or HttpRequestException or IOException
                && !cancellation.IsCancellationRequested)
            {
                Console.Error.WriteLine($"\nlost the coordinator ({(e is RpcException rpc ? rpc.Status.Detail : e.Message)}); the run goes on there, following again");
            }
            await Task.Delay(backoff.Next(), cancellation);
        }
    }

    public static bool IsTerminal(RunState state) => state is RunState.Succeeded or RunState.Failed or RunState.Cancelled;

    /// <summary>What the follower has shown so far, to show only what changed.</summary>
    private sealed class Progress
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew(), _stageClock = Stopwatch.StartNew();
        private readonly bool _terminal = Console.IsOutputRedirected is false;
        private RunStage? _stage;
        private long? _stageStart;   // the stage's progress (steps or units) when first seen
        private long _lastLoggedStep = -1;
        private int _lastLoggedUnits = -1;

        public RunStatus Last { get; private set; } = new();

        public void Show(RunStatus status)
        {
            if (status.Stage != _stage)
            {
                if (_stage is { } done && done != RunStage.Unspecified) Console.WriteLine($"{(_terminal ? "\n" : "")}{Name(done)}: {_stageClock.Elapsed:hh\\:mm\\:ss}");
                _stage = status.Stage;
                _stageClock.Restart();
                _stageStart = null;
            }
            if (status.Stage == RunStage.Match)
            {
                _stageStart ??= status.Step;
                var (rate, left) = Pace(status.Step, status.TotalSteps, _stageStart.Value, _stageClock.Elapsed);
                string line = $"[match] step {status.Step}/{status.TotalSteps}  {Losses(status)}  {rate:F2} steps/s  left {left}  elapsed {_clock.Elapsed:hh\\:mm\\:ss}";
                if (_terminal) Console.Write($"\r{line}");
                else if (status.Step % Math.Max(1, status.TotalSteps / 20) == 0 && status.Step != _lastLoggedStep)
                {
                    Console.WriteLine(line);
                    _lastLoggedStep = status.Step;
                }
            }
            else if (status.Stage == RunStage.Evaluate && status.EvaluationUnitsTotal > 0)
            {
                int done = status.EvaluationUnitsDone, total = status.EvaluationUnitsTotal;
                _stageStart ??= done;
                var (_, left) = Pace(done, total, _stageStart.Value, _stageClock.Elapsed);
                string line = $"[evaluate] units {done}/{total}  left {left}  elapsed {_clock.Elapsed:hh\\:mm\\:ss}";
                if (_terminal) Console.Write($"\r{line}");
                else if (done != _lastLoggedUnits)
                {
                    Console.WriteLine(line);
                    _lastLoggedUnits = done;
                }
            }
            else if (status.Stage != RunStage.Unspecified && status.Stage != Last.Stage) Console.WriteLine($"[{Name(status.Stage)}] started");
            Last = status;
        }
    }

    /// <summary>Progress per second since the stage was first seen at <paramref name="start"/>, and the time left at that rate.</summary>
    private static (double Rate, string Left) Pace(long done, long total, long start, TimeSpan elapsed)
    {
        double rate = (done - start) / Math.Max(elapsed.TotalSeconds, 1e-3);
        return (rate, rate > 0 ? $"{TimeSpan.FromSeconds((total - done) / rate):hh\\:mm\\:ss}" : "--:--:--");
    }

    /// <summary>A stage as people read it: pretrain, match, evaluate.</summary>
    public static string Name(RunStage stage) => stage.ToString().ToLowerInvariant();

    /// <summary>A run's state as people read it: queued, running, succeeded, failed, cancelled.</summary>
    public static string State(RunState state) => state.ToString().ToLowerInvariant();

    /// <summary>The loss components of the latest step, by name.</summary>
    public static string Losses(RunStatus status) =>
        string.Join("  ", status.Losses.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value:G4}"));

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
