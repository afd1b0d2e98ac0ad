using System.Diagnostics;

namespace Orchestrator.Distillation.Progress;

/// <summary>
/// Which reports of a long stage are worth a line: the first of each stage, the last, and one per
/// <paramref name="interval"/> between. An evaluation reports every epoch of every network; a log wants a line every few seconds.
/// </summary>
public sealed class ProgressThrottle(TimeSpan interval)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();
    private string? stage;
    private TimeSpan lastShown;

    public bool ShouldShow(string stage, long step, long totalSteps)
    {
        lock (gate)
        {
            TimeSpan now = clock.Elapsed;
            bool show = stage != this.stage || step >= totalSteps || now - lastShown >= interval;
            if (show) (this.stage, lastShown) = (stage, now);
            return show;
        }
    }
}
