using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Orchestrator.Distillation.Progress;

/// <summary>
/// Shows progress as steps, rate, time left and loss components. On a terminal one status line is redrawn a few times
/// a second; otherwise (a log file, CI) a plain line is written every <see cref="LogInterval"/> and at the end of a stage.
/// </summary>
public sealed class TextProgressReporter(TextWriter output, bool interactive) : IProgressReporter
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private string? stage;
    private long stageStartStep;
    private TimeSpan stageStart;
    private ProgressThrottle? throttle;
    private bool lineOpen;

    public TimeSpan LogInterval { get; init; } = TimeSpan.FromSeconds(10);

    public static TextProgressReporter ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    public void Report(string stage, long step, long totalSteps, IReadOnlyDictionary<string, double> values)
    {
        TimeSpan now = clock.Elapsed;
        if (stage != this.stage)
        {
            CloseLine();
            (this.stage, stageStartStep, stageStart) = (stage, step - 1, now);
        }
        bool last = step >= totalSteps;
        throttle ??= new ProgressThrottle(interactive ? TimeSpan.FromMilliseconds(250) : LogInterval);
        if (!throttle.ShouldShow(stage, step, totalSteps)) return;
        string line = Format(stage, step, totalSteps, values, now - stageStart, step - stageStartStep);
        if (interactive)
        {
            output.Write("\r\u001b[2K" + line);
            lineOpen = true;
            if (last) CloseLine();
        }
        else output.WriteLine(line);
        output.Flush();
    }

    public void Log(string message)
    {
        CloseLine();
        output.WriteLine(message);
        output.Flush();
    }

    private void CloseLine()
    {
        if (!lineOpen) return;
        output.WriteLine();
        lineOpen = false;
    }

    internal static string Format(string stage, long step, long total, IReadOnlyDictionary<string, double> values, TimeSpan elapsed, long stepsDone)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"[{stage}] {step}/{total}");
        double rate = elapsed.TotalSeconds > 0 ? stepsDone / elapsed.TotalSeconds : 0;
        if (rate > 0)
        {
            text.Append(rate >= 1 ? string.Create(CultureInfo.InvariantCulture, $"  {rate:F2} step/s") : string.Create(CultureInfo.InvariantCulture, $"  {1 / rate:F2} s/step"));
            text.Append("  left ").Append(Duration(TimeSpan.FromSeconds((total - step) / rate)));
        }
        foreach (var (name, value) in values) text.Append(CultureInfo.InvariantCulture, $"  {name} {value:G4}");
        return text.ToString();
    }

    private static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
}
