using Orchestrator.Torch.Serialization;
using Orchestrator.Distillation.Checkpoints;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Evaluation;
using Orchestrator.Distillation.Matching;
using Orchestrator.Distillation.Streams;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Stages;

/// <summary>
/// Stage 3, evaluation: for each IPC, the distilled generator's set beside the baselines (Random real images, and the
/// plain cGAN before matching), each scored by K fresh networks; writes report.json and report.md. Every network is an
/// independent <see cref="EvaluationUnit"/>: its set and streams derive from the run seed, the row, the IPC and k alone,
/// so units evaluated one by one, anywhere and in any order, give the table <see cref="Run()"/> gives.
/// </summary>
public sealed class EvaluateStage(RunContext context)
{
    public const string Distilled = "distilled", PlainCgan = "cgan", Random = "random";

    /// <summary>The report's rows in order: the baselines the config names, then the distilled generator.</summary>
    public static IReadOnlyList<string> Methods(EvaluateConfig config) => [.. new[] { Random, PlainCgan }.Where(config.Baselines.Contains), Distilled];

    /// <summary>Every unit of the evaluation in the report's order: by IPC, then row, then run.</summary>
    public static IReadOnlyList<EvaluationUnit> Units(EvaluateConfig config) =>
        [.. from ipc in config.Ipc from method in Methods(config) from k in Enumerable.Range(0, config.Runs) select new EvaluationUnit(method, ipc, k)];

    /// <summary>Every unit here, each row's set made once for its K runs; writes and returns the report.</summary>
    public EvaluationReport Run(CancellationToken cancellation = default)
    {
        EvaluateConfig config = context.Config.Evaluate;
        foreach (string method in Methods(config)) RequireCheckpoint(method);
        var rows = new List<EvaluationRow>();
        long epochsDone = 0, totalEpochs = Units(config).Count * (long)config.Epochs;
        foreach (int ipc in config.Ipc)
            foreach (string method in Methods(config))
            {
                using EvaluationSet set = Prepare(method, ipc);
                var accuracy = new AccuracySummary([.. Enumerable.Range(0, config.Runs).Select(k =>
                    set.Train(k, _ => ReportEpoch(new EvaluationUnit(method, ipc, k), ++epochsDone, totalEpochs), cancellation))]);
                rows.Add(new EvaluationRow(method, ipc, accuracy));
                context.Progress.Log($"[evaluate] {method} IPC {ipc}: {accuracy}");
            }
        return Write(context.Config, rows);
    }

    /// <summary>One unit alone (on a worker of the cluster): the set and streams <see cref="Run()"/> uses for it; its test accuracy.</summary>
    public double Run(EvaluationUnit unit, CancellationToken cancellation = default)
    {
        if (!Units(context.Config.Evaluate).Contains(unit)) throw new ArgumentException($"{unit} is not a unit of this run's evaluation", nameof(unit));
        RequireCheckpoint(unit.Method);
        using EvaluationSet set = Prepare(unit.Method, unit.Ipc);
        return set.Train(unit.Run, epoch => ReportEpoch(unit, epoch + 1, context.Config.Evaluate.Epochs), cancellation);
    }

    /// <summary>A network's training takes minutes at IPC 50 on a CPU: progress is shown by epoch, one stage per row.</summary>
    private void ReportEpoch(EvaluationUnit unit, long epoch, long totalEpochs) =>
        context.Progress.Report($"evaluate {unit.Method} IPC {unit.Ipc}", epoch, totalEpochs, new Dictionary<string, double> { ["run"] = unit.Run + 1 });

    /// <summary>
    /// The report of units evaluated separately: every unit of <paramref name="config"/> once, by accuracy. Written and
    /// shaped as <see cref="Run()"/> writes it (rows in its order, runs in k order), so the table is the same to the bit.
    /// </summary>
    public static EvaluationReport Report(RunConfig config, IReadOnlyDictionary<EvaluationUnit, double> accuracies)
    {
        EvaluateConfig e = config.Evaluate;
        var missing = Units(e).Where(u => !accuracies.ContainsKey(u)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"no accuracy for {string.Join(", ", missing)}", nameof(accuracies));
        List<EvaluationRow> rows = [.. from ipc in e.Ipc from method in Methods(e)
            select new EvaluationRow(method, ipc, new AccuracySummary([.. Enumerable.Range(0, e.Runs).Select(k => accuracies[new EvaluationUnit(method, ipc, k)])]))];
        return Write(config, rows);
    }

    private static EvaluationReport Write(RunConfig config, List<EvaluationRow> rows)
    {
        EvaluateConfig e = config.Evaluate;
        var report = new EvaluationReport(config.Dataset.Name, e.Protocol == EvaluationProtocol.Standard ? "standard" : "dim-on-the-fly", e.Model, e.Runs, e.Epochs, rows);
        var paths = new RunPaths(config.Output);
        AtomicFile.WriteAllText(paths.Report, report.ToJson());
        AtomicFile.WriteAllText(paths.ReportText, report.ToTable());
        return report;
    }

    private string? CheckpointOf(string method) => method switch
    {
        PlainCgan => context.Paths.PretrainBest,
        Distilled => context.Paths.DistilledGenerator,
        _ => null,
    };

    private void RequireCheckpoint(string method)
    {
        if (CheckpointOf(method) is { } checkpoint && !File.Exists(checkpoint))
            throw new FileNotFoundException($"evaluating '{method}' needs {checkpoint}; run the earlier stages first", checkpoint);
    }

    /// <summary>The row's set at <paramref name="ipc"/>: Random draws real images per run, a generator's set is drawn once.</summary>
    private EvaluationSet Prepare(string method, int ipc)
    {
        ClassifierTrainingSettings settings = StandardProtocol.Settings(context, context.Config.Evaluate.Model);
        long key = SetKey(method, ipc);
        ulong seed = context.Config.Seed;
        if (CheckpointOf(method) is not { } checkpoint)
        {
            // A fresh random selection for every run: the baseline's spread includes the choice of images.
            return new EvaluationSet((k, afterEpoch, cancellation) =>
            {
                using var scope = NewDisposeScope();
                var (images, labels) = SyntheticSets.RandomReal(context, ipc, StreamSeeds.Derive(seed, StreamPurpose.Baseline, ipc, k));
                return StandardProtocol.TrainAndTest(context, settings, images, labels, StandardProtocol.RunSeed(context, key, k), afterEpoch, cancellation);
            });
        }
        if (context.Config.Evaluate.Protocol == EvaluationProtocol.DimOnTheFly)
        {
            GanPair gan = GanState.Create(context, 0);
            try
            {
                using (Checkpoint c = Checkpoint.Load(checkpoint)) gan.Generator.load_state_dict(c.Group(GanState.Generator));
            }
            catch
            {
                gan.Dispose();   // the set would have owned it
                throw;
            }
            return new EvaluationSet((k, afterEpoch, cancellation) => StandardProtocol.TrainOnTheFly(context, settings, gan.Generator, ipc, key, k, afterEpoch, cancellation), gan);
        }
        string path = new GenerateStage(context).Run(checkpoint, ipc, seed, context.Paths.SyntheticSet(method, ipc));
        var (cpuImages, cpuLabels, _) = SyntheticSetFile.Load(path);
        using (cpuImages)
        using (cpuLabels)
        {
            var (images, labels) = (cpuImages.to(context.Device), cpuLabels.to(context.Device));
            return new EvaluationSet((k, afterEpoch, cancellation) =>
                StandardProtocol.TrainAndTest(context, settings, images, labels, StandardProtocol.RunSeed(context, key, k), afterEpoch, cancellation), images, labels);
        }
    }

    // Distinct evaluation streams per (method, ipc), the same across runs of the program.
    private static long SetKey(string method, int ipc) => (method switch { Random => 1L, PlainCgan => 2L, _ => 3L }) * 1_000_000 + ipc;
}
