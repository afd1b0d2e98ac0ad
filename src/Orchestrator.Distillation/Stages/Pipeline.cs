using Orchestrator.Torch.Serialization;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Distillation.Checkpoints;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Data;
using Orchestrator.Distillation.Progress;

namespace Orchestrator.Distillation.Stages;

/// <summary>Opens a run (config, data, folder) and runs its stages in order, skipping the ones already complete.</summary>
public static class Pipeline
{
    /// <summary>Loads the config's dataset (trimmed to <c>train_per_class</c> when set) and records the config in the run folder.</summary>
    public static RunContext Open(RunConfig config, IProgressReporter progress)
    {
        config.Validate();
        if (Orchestrator.Torch.Device.Parse(config.Device).Unavailability() is { } problem) throw new ConfigException("device", problem);
        var paths = new RunPaths(config.Output);
        DatasetPair data = DatasetCatalog.Load(config.Dataset.Name, DataPaths.Resolve(string.IsNullOrEmpty(config.Dataset.Root) ? null : config.Dataset.Root), progress.Log);
        if (config.Dataset.TrainPerClass > 0)
        {
            using var generator = new Orchestrator.Torch.Generator(config.Seed);
            using var index = data.Train.ClassIndex.SamplePerClass(config.Dataset.TrainPerClass, generator);
            Dataset trimmed = data.Train.Subset(index);
            data.Train.Dispose();
            data = data with { Train = trimmed };
        }
        string recorded = RunConfigLoader.Serialize(config);
        if (File.Exists(paths.Config) && !SameSettings(File.ReadAllText(paths.Config), recorded))
            progress.Log($"note: {paths.Config} differs from this run's config; stages already complete are kept, the rest use the new config");
        AtomicFile.WriteAllText(paths.Config, recorded);
        return new RunContext(config, data, progress);
    }

    /// <summary>
    /// Whether two recorded configs set the same: the output folder compared as a full path, since a cluster's worker
    /// records it absolute where the CLI, given the same folder, records it as typed.
    /// </summary>
    private static bool SameSettings(string before, string now)
    {
        static JsonNode? Normalized(string json)
        {
            JsonNode? node = JsonNode.Parse(json);
            if (node is JsonObject settings && settings["output"]?.GetValue<string>() is string output) settings["output"] = Path.GetFullPath(output);
            return node;
        }
        try
        {
            return JsonNode.DeepEquals(Normalized(before), Normalized(now));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Pretrain, match, evaluate; returns the report and each stage's wall time in seconds.</summary>
    public static (EvaluationReport report, IReadOnlyDictionary<string, double> stageSeconds) Run(RunContext context, CancellationToken cancellation = default)
    {
        var seconds = new Dictionary<string, double>();
        void Timed(string stage, bool complete, Action run)
        {
            if (complete)
            {
                context.Progress.Log($"[{stage}] already complete in {context.Paths.Root}");
                return;
            }
            var clock = Stopwatch.StartNew();
            run();
            seconds[stage] = clock.Elapsed.TotalSeconds;
        }
        var pretrain = new PretrainStage(context);
        Timed("pretrain", pretrain.IsComplete, () => pretrain.Run(cancellation));
        var match = new MatchStage(context);
        Timed("match", match.IsComplete, () => match.Run(cancellation));
        EvaluationReport? report = null;
        Timed("evaluate", false, () => report = new EvaluateStage(context).Run(cancellation));
        return (report!, seconds);
    }
}
