using System.Globalization;
using Microsoft.Extensions.Logging;
using Orchestrator.Distillation.Progress;

namespace Orchestrator.Worker;

/// <summary>Stage progress as log lines, a stage's first and last and one per 10 s between: a worker has no terminal to redraw.</summary>
public sealed class LoggerProgressReporter(ILogger<LoggerProgressReporter> logger) : IProgressReporter
{
    private readonly ProgressThrottle throttle = new(TimeSpan.FromSeconds(10));

    public void Report(string stage, long step, long totalSteps, IReadOnlyDictionary<string, double> values)
    {
        if (!throttle.ShouldShow(stage, step, totalSteps)) return;
        logger.LogInformation("[{Stage}] {Step}/{Total} {Values}", stage, step, totalSteps,
            string.Join(" ", values.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G4}"))));
    }

    public void Log(string message) => logger.LogInformation("{Message}", message);
}
