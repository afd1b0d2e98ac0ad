using System.Globalization;
using Microsoft.Extensions.Logging;
using Orchestrator.Distillation.Progress;

namespace Orchestrator.Worker;

/// <summary>Stage progress as log lines: a worker has no terminal to redraw.</summary>
public sealed class LoggerProgressReporter(ILogger<LoggerProgressReporter> logger) : IProgressReporter
{
    public void Report(string stage, long step, long totalSteps, IReadOnlyDictionary<string, double> values) =>
        logger.LogInformation("[{Stage}] {Step}/{Total} {Values}", stage, step, totalSteps,
            string.Join(" ", values.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G4}"))));

    public void Log(string message) => logger.LogInformation("{Message}", message);
}
