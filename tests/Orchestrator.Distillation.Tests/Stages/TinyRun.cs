using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Progress;
using Orchestrator.Distillation.Stages;

namespace Orchestrator.Distillation.Tests.Stages;

/// <summary>A few hundred real MNIST images and a schedule of seconds: the whole pipeline, small.</summary>
internal static class TinyRun
{
    public static RunConfig Config(string output, params string[] overrides) => RunConfigLoader.Load(null,
    [
        "seed=3", $"output={output}", "threads=1",
        "dataset.name=mnist", "dataset.train_per_class=30", "dataset.test_limit=500",
        "gan.width=16",
        "pretrain.epochs=2", "pretrain.steps_per_epoch=3", "pretrain.batch=32", "pretrain.checkpoint_every=1", "pretrain.score_ipc=2", "pretrain.score_epochs=2",
        "match.epochs=2", "match.steps_per_epoch=3", "match.batch=16", "match.shards=2", "match.pool=[ConvNetW32, ResNet10]", "match.pool_steps=2",
        "match.checkpoint_every=2",
        "evaluate.ipc=[1]", "evaluate.runs=1", "evaluate.epochs=2",
        .. overrides,
    ]);

    public static RunContext Open(RunConfig config, IProgressReporter? progress = null) => Pipeline.Open(config, progress ?? IProgressReporter.Silent);
}

/// <summary>Cancels a token once a stage reports a given step: an interruption at a known point.</summary>
internal sealed class InterruptAt(string stage, long step, CancellationTokenSource source) : IProgressReporter
{
    public void Report(string reportedStage, long reportedStep, long totalSteps, IReadOnlyDictionary<string, double> values)
    {
        if (reportedStage == stage && reportedStep == step) source.Cancel();
    }

    public void Log(string message) { }
}

/// <summary>Keeps every progress report and log line, in order.</summary>
internal sealed class RecordingReporter : IProgressReporter
{
    public List<(string Stage, long Step, long Total, IReadOnlyDictionary<string, double> Values)> Reports { get; } = [];

    public List<string> Logs { get; } = [];

    public void Report(string stage, long step, long totalSteps, IReadOnlyDictionary<string, double> values) => Reports.Add((stage, step, totalSteps, values));

    public void Log(string message) => Logs.Add(message);
}
