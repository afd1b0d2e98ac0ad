using Orchestrator.Coordinator.Runs;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Data;
using Orchestrator.Distillation.Matching;
using Orchestrator.Distillation.Stages;

namespace Orchestrator.Cli.Cluster;

/// <summary>
/// The method's side of scheduling: resolves a run spec (config text + overrides) into a plan whose config every worker
/// computes with, the run's folder set under the shared directory, says which pool architecture each shard draws, and
/// writes the report from the evaluation units' accuracies.
/// </summary>
public sealed class DistillationRunPlanner(string sharedDirectory) : IRunPlanner
{
    // Training-split sizes of the built-in datasets, so planning needs no data; other datasets are counted once.
    private static readonly Dictionary<string, long> KnownTrainSizes = new(StringComparer.OrdinalIgnoreCase)
    {
        [Mnist.Name] = 60_000, [FashionMnist.Name] = 60_000, [Cifar10.Name] = 50_000,
    };

    public RunPlan Plan(RunSpec spec)
    {
        RunConfig config;
        try
        {
            config = RunConfigLoader.FromText(spec.Config, "submitted config", spec.Overrides);
            config.Output = Path.GetFullPath(Path.Combine(sharedDirectory, config.Output, spec.Key));
            config.Validate();
        }
        catch (ConfigException e)
        {
            throw new ArgumentException(e.Message, e);
        }
        long stepsPerEpoch = config.Match.StepsPerEpoch > 0 ? config.Match.StepsPerEpoch : Math.Max(1, TrainSize(config) / config.Match.Batch);
        // Pinned, so every worker's epochs (and pool draws) are the ones placement assumed.
        config.Match.StepsPerEpoch = (int)stepsPerEpoch;
        return new RunPlan(config.Seed, config.Match.Epochs * stepsPerEpoch, config.Match.Shards, [.. config.Evaluate.Ipc], [.. config.Match.Pool],
            stepsPerEpoch, EvaluateStage.Methods(config.Evaluate), config.Evaluate.Runs, RunConfigLoader.Serialize(config));
    }

    public string ArchitectureOf(RunPlan plan, long step, int shard) => MatchingPlan.ArchitectureOf(plan.Pool, plan.Seed, step / plan.StepsPerEpoch, shard);

    /// <summary>The evaluation stage's report.json and report.md in the run folder, from the units' accuracies.</summary>
    public void WriteReport(RunPlan plan, IReadOnlyList<EvaluationResult> results) =>
        EvaluateStage.Report(RunConfigLoader.FromText(plan.Config, "run plan"),
            results.ToDictionary(r => new EvaluationUnit(r.Unit.Row, r.Unit.Ipc, r.Unit.Run), r => r.Accuracy));

    private static long TrainSize(RunConfig config)
    {
        if (config.Dataset.TrainPerClass > 0)
        {
            int classes = KnownTrainSizes.ContainsKey(config.Dataset.Name) ? 10 : CountClasses(config);
            return (long)config.Dataset.TrainPerClass * classes;
        }
        if (KnownTrainSizes.TryGetValue(config.Dataset.Name, out long size)) return size;
        using DatasetPair data = Load(config);
        return data.Train.Count;
    }

    private static int CountClasses(RunConfig config)
    {
        using DatasetPair data = Load(config);
        return data.Train.NumClasses;
    }

    private static DatasetPair Load(RunConfig config) =>
        DatasetCatalog.Load(config.Dataset.Name, DataPaths.Resolve(string.IsNullOrEmpty(config.Dataset.Root) ? null : config.Dataset.Root));
}
