using Orchestrator.Distillation.Checkpoints;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Matching;
using Orchestrator.Distillation.Stages;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Tests.Stages;

[Collection("pipeline")]
public sealed class PipelineTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("pipeline-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Folder(string name) => Path.Combine(root, name);

    private static void AssertSameGenerator(string a, string b)
    {
        using Checkpoint first = Checkpoint.Load(a), second = Checkpoint.Load(b);
        AssertSameGroup(first, second, GanState.Generator, GanState.Generator);
    }

    private static bool SameGenerator(string a, string b)
    {
        using Checkpoint first = Checkpoint.Load(a), second = Checkpoint.Load(b);
        var y = second.Group(GanState.Generator);
        return first.Group(GanState.Generator).All(kv => kv.Value.equal(y[kv.Key]));
    }

    [Fact]
    public void Reopening_a_run_notes_a_changed_setting_but_not_its_folder_written_another_way()
    {
        string folder = Folder("reopen");
        TinyRun.Open(TinyRun.Config(folder)).Dispose();
        var same = new RecordingReporter();
        TinyRun.Open(TinyRun.Config(Path.GetRelativePath(Environment.CurrentDirectory, folder)), same).Dispose();
        Assert.DoesNotContain(same.Logs, line => line.Contains("differs", StringComparison.Ordinal));

        var changed = new RecordingReporter();
        TinyRun.Open(TinyRun.Config(folder, "match.epochs=3"), changed).Dispose();
        Assert.Contains($"note: {Path.Combine(folder, "config.json")} differs from this run's config; stages already complete are kept, the rest use the new config", changed.Logs);
    }

    [Fact]
    public void WholePipeline_RunsEndToEnd_AndWritesEveryArtifact()
    {
        using RunContext context = TinyRun.Open(TinyRun.Config(Folder("e2e")));
        var (report, seconds) = Pipeline.Run(context);
        Assert.Equal(["pretrain", "match", "evaluate"], seconds.Keys);
        Assert.Equal(["random", "cgan", "distilled"], report.Methods);
        Assert.All(report.Rows, r => Assert.InRange(r.Accuracy.Mean, 0.0, 1.0));
        foreach (string file in new[] { context.Paths.PretrainBest, context.Paths.DistilledGenerator, context.Paths.Report, context.Paths.ReportText,
                     context.Paths.SyntheticSet("distilled", 1), Path.ChangeExtension(context.Paths.SyntheticSet("distilled", 1), ".png") })
            Assert.True(File.Exists(file), $"{file} missing");
        var (images, labels, metadata) = SyntheticSetFile.Load(context.Paths.SyntheticSet("distilled", 1));
        using (images) using (labels)
        {
            Assert.Equal([10, 1, 28, 28], images.shape);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), labels.data<long>());
            Assert.True(images.min().item<float>() >= 0 && images.max().item<float>() <= 1);
            Assert.Equal("1", metadata["ipc"]);
            Assert.Equal(64, metadata["generator_sha256"].Length);
        }
    }

    [Fact]
    public void EvaluationUnits_OneByOneInReverseOrderElsewhere_GiveTheWholeStagesReport_InEitherProtocol()
    {
        string folder = Folder("units");
        var paths = new RunPaths(folder);
        using (RunContext context = TinyRun.Open(TinyRun.Config(folder)))
        {
            new PretrainStage(context).Run();
            new MatchStage(context).Run();
        }
        foreach (string protocol in new[] { "standard", "dim-on-the-fly" })
        {
            RunConfig config = TinyRun.Config(folder, "evaluate.runs=2", $"evaluate.protocol={protocol}");
            EvaluationReport whole;
            var wholeProgress = new RecordingReporter();
            using (RunContext context = TinyRun.Open(config, wholeProgress)) whole = new EvaluateStage(context).Run();
            string json = File.ReadAllText(paths.Report), table = File.ReadAllText(paths.ReportText);
            File.Delete(paths.Report);
            File.Delete(paths.ReportText);

            // As a worker does: each unit alone (its set made again), here in reverse order and in another context.
            var accuracies = new Dictionary<EvaluationUnit, double>();
            var unitProgress = new RecordingReporter();
            using (RunContext elsewhere = TinyRun.Open(config, unitProgress))
                foreach (EvaluationUnit unit in EvaluateStage.Units(config.Evaluate).Reverse())
                    accuracies[unit] = new EvaluateStage(elsewhere).Run(unit);
            Assert.Equal(3 * 2, accuracies.Count);

            // Progress by epoch: across the stage when it runs whole (one stage name per row), per network for a unit.
            string[] rows = ["evaluate random IPC 1", "evaluate cgan IPC 1", "evaluate distilled IPC 1"];
            Assert.Equal(Enumerable.Range(1, 12).Select(step => (rows[(step - 1) / 4], (long)step, 12L, (double)((step - 1) / 2 % 2 + 1))),
                wholeProgress.Reports.Select(r => (r.Stage, r.Step, r.Total, r.Values["run"])));
            Assert.Equal(EvaluateStage.Units(config.Evaluate).Reverse().SelectMany(u => new[] { ($"evaluate {u.Method} IPC 1", 1L, 2L, u.Run + 1.0), ($"evaluate {u.Method} IPC 1", 2L, 2L, u.Run + 1.0) }),
                unitProgress.Reports.Select(r => (r.Stage, r.Step, r.Total, r.Values["run"])));
            EvaluationReport split = EvaluateStage.Report(config, accuracies);

            Assert.Equal(whole.Rows.SelectMany(r => r.Accuracy.Runs), split.Rows.SelectMany(r => r.Accuracy.Runs));
            Assert.Equal(table, whole.ToTable());
            Assert.Equal(table, File.ReadAllText(paths.ReportText));
            Assert.Equal(json, File.ReadAllText(paths.Report));
            Assert.Contains(protocol + " protocol", table);
            Assert.Throws<ArgumentException>(() => EvaluateStage.Report(config, accuracies.Skip(1).ToDictionary()));
        }
    }

    [Fact]
    public void SameConfigAndSeed_GiveBitwiseIdenticalGenerators_AndShardCountChangesThem()
    {
        string a = Folder("a"), b = Folder("b"), c = Folder("c");
        foreach (string folder in new[] { a, b })
        {
            using RunContext context = TinyRun.Open(TinyRun.Config(folder));
            new PretrainStage(context).Run();
            new MatchStage(context).Run();
        }
        AssertSameGenerator(Path.Combine(a, "generator.safetensors"), Path.Combine(b, "generator.safetensors"));

        // Documented: the shard count is part of the method (S pool networks per step, gradients summed), so it changes the result.
        using (RunContext context = TinyRun.Open(TinyRun.Config(c, "match.shards=3")))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(context.Paths.PretrainBest)!);
            File.Copy(Path.Combine(a, "pretrain", "best.safetensors"), context.Paths.PretrainBest);
            new MatchStage(context).Run();
        }
        Assert.False(SameGenerator(Path.Combine(a, "generator.safetensors"), Path.Combine(c, "generator.safetensors")));
    }

    [Fact]
    public void ShardResults_DoNotDependOnTheOrderShardsAreComputed()
    {
        using RunContext context = TinyRun.Open(TinyRun.Config(Folder("order"), "match.shards=3"));
        new PretrainStage(context).Run();
        var plan = new MatchingPlan(context.Config.Match, context.Config.Seed, context.Train, context.Device);
        using GanPair gan = GanState.Create(context, 0);
        using (Checkpoint best = Checkpoint.Load(context.Paths.PretrainBest)) GanState.LoadModels(best, gan);

        List<ShardResult> Compute(params int[] order)
        {
            using var computer = new ShardComputer(plan);
            return order.Select(s => computer.Compute(gan, step: 4, s)).OrderBy(r => r.Shard).ToList();
        }
        var forward = Compute(0, 1, 2);
        var backward = Compute(2, 1, 0);
        try
        {
            for (int s = 0; s < 3; s++)
            {
                Assert.True(forward[s].GeneratorGradient.equal(backward[s].GeneratorGradient), $"shard {s} generator gradient");
                Assert.True(forward[s].DiscriminatorGradient.equal(backward[s].DiscriminatorGradient), $"shard {s} discriminator gradient");
                Assert.True(forward[s].GeneratorBuffers.equal(backward[s].GeneratorBuffers), $"shard {s} statistics");
            }
            Assert.False(forward[0].GeneratorGradient.equal(forward[1].GeneratorGradient));
            using ReducedStep one = ShardReduction.Sum(forward), two = ShardReduction.Sum(backward);
            Assert.True(one.GeneratorGradient.equal(two.GeneratorGradient));
            Assert.Throws<ArgumentException>(() => ShardReduction.Sum([forward[1], forward[0]]));
        }
        finally
        {
            foreach (var r in forward.Concat(backward)) r.Dispose();
        }
    }

    /// <summary>The generator and critic gradients of shard 0 at step 1 of a tiny run with one config override.</summary>
    private (Tensor generator, Tensor critic) ShardGradients(string folder, string setting)
    {
        using RunContext context = TinyRun.Open(TinyRun.Config(Folder(folder), setting));
        var plan = new MatchingPlan(context.Config.Match, context.Config.Seed, context.Train, context.Device);
        using GanPair gan = GanState.Create(context, 0);
        using var computer = new ShardComputer(plan);
        using ShardResult result = computer.Compute(gan, step: 1, shard: 0);
        return (result.GeneratorGradient.clone(), result.DiscriminatorGradient.clone());
    }

    /// <summary>Asserts that gradients taken at weights 0, w and 2w change, and change linearly: the loss is linear in that weight.</summary>
    private static void AssertLinearInWeight(Tensor at0, Tensor atW, Tensor at2W, string what)
    {
        using Tensor first = atW - at0, second = at2W - atW;
        float change = first.abs().max().item<float>();
        Assert.True(change > 1e-4, $"the weight changes nothing in the {what} gradient");
        using Tensor gap = first - second;
        Assert.True(gap.abs().max().item<float>() <= 1e-3 * change, $"the {what} gradient is not linear in the configured weight");
    }

    [Fact]
    public void ShardCritic_UsesTheConfiguredGradientPenaltyWeight()
    {
        var (g0, d0) = ShardGradients("penalty0", "match.gradient_penalty=0");
        var (g10, d10) = ShardGradients("penalty10", "match.gradient_penalty=10");
        var (g20, d20) = ShardGradients("penalty20", "match.gradient_penalty=20");
        using (g0) using (d0) using (g10) using (d10) using (g20) using (d20)
        {
            Assert.True(g0.equal(g10) && g10.equal(g20), "the penalty weight must not touch the generator's gradient");
            AssertLinearInWeight(d0, d10, d20, "critic");
        }
    }

    [Fact]
    public void ShardGanLosses_UseTheConfiguredClassWeight()
    {
        // Both the generator's and the critic's class terms scale with match.class_weight (stage 1 has its own, pretrain.class_weight).
        var (g0, d0) = ShardGradients("class0", "match.class_weight=0");
        var (g1, d1) = ShardGradients("class1", "match.class_weight=1");
        var (g2, d2) = ShardGradients("class2", "match.class_weight=2");
        using (g0) using (d0) using (g1) using (d1) using (g2) using (d2)
        {
            AssertLinearInWeight(g0, g1, g2, "generator");
            AssertLinearInWeight(d0, d1, d2, "critic");
        }
    }

    [Theory]
    [InlineData("pretrain.ema=0")]
    [InlineData("pretrain.ema=0.9")]
    [InlineData("match.ema=0.9")]
    public void InterruptedRun_ResumesToTheSameWeightsAsAnUndisturbedOne(string setting)
    {
        string undisturbed = Folder("undisturbed"), interrupted = Folder("interrupted");
        using (RunContext context = TinyRun.Open(TinyRun.Config(undisturbed, setting)))
        {
            new PretrainStage(context).Run();
            new MatchStage(context).Run();
        }
        // Stop pretraining after step 4 and matching after step 5 (mid-epoch, past a checkpoint), then resume each.
        foreach (var (stage, step) in new[] { ("pretrain", 4L), ("match", 5L) })
        {
            using var cancel = new CancellationTokenSource();
            using RunContext context = TinyRun.Open(TinyRun.Config(interrupted, setting), new InterruptAt(stage, step, cancel));
            Assert.Throws<OperationCanceledException>(() =>
            {
                if (!new PretrainStage(context).IsComplete) new PretrainStage(context).Run(cancel.Token);
                new MatchStage(context).Run(cancel.Token);
            });
        }
        using (RunContext context = TinyRun.Open(TinyRun.Config(interrupted, setting)))
        {
            Assert.True(new PretrainStage(context).IsComplete);
            Assert.True(File.Exists(context.Paths.MatchLatest));
            new MatchStage(context).Run();
        }
        AssertSameGenerator(Path.Combine(undisturbed, "pretrain", "best.safetensors"), Path.Combine(interrupted, "pretrain", "best.safetensors"));
        AssertSameGenerator(Path.Combine(undisturbed, "generator.safetensors"), Path.Combine(interrupted, "generator.safetensors"));
    }

    [Fact]
    public void PretrainEma_KeepsTheAverageInCheckpoints_AndZeroKeepsTheLiveGenerator()
    {
        var (live, averaged) = RunWithAverageOffAndOn("pretrain.ema", throughMatching: false);
        string Latest(string folder) => Path.Combine(folder, "pretrain", "latest.safetensors");
        string LastEpoch(string folder) => Path.Combine(folder, "pretrain", "epoch-0002.safetensors");
        using Checkpoint liveLatest = Checkpoint.Load(Latest(live)), averagedLatest = Checkpoint.Load(Latest(averaged));
        using Checkpoint liveEpoch = Checkpoint.Load(LastEpoch(live)), averagedEpoch = Checkpoint.Load(LastEpoch(averaged));

        // The average never feeds back into training: both runs train the same live GAN, bit for bit.
        foreach (string group in new[] { GanState.Generator, GanState.Discriminator, GanState.GeneratorOptimizer })
            AssertSameGroup(liveLatest, averagedLatest, group, group);
        // Off: the checkpoint keeps the live generator and the resumable state holds no average (the behaviour before the key).
        Assert.False(liveLatest.Has(GanState.GeneratorAverage));
        Assert.False(liveEpoch.Metadata.ContainsKey(GanState.GeneratorAverage));
        AssertSameGroup(liveLatest, liveEpoch, GanState.Generator, GanState.Generator);
        // On: the checkpoint keeps the average, which differs from the live generator.
        Assert.Equal("0.9", averagedEpoch.Metadata[GanState.GeneratorAverage]);
        AssertSameGroup(averagedLatest, averagedEpoch, GanState.GeneratorAverage, GanState.Generator);
        Assert.False(averagedEpoch.Get(GanState.Generator, "conv8.weight").equal(averagedLatest.Get(GanState.Generator, "conv8.weight")));
    }

    [Fact]
    public void MatchEma_DeploysTheAverage_AndLeavesTrainingAlone()
    {
        var (live, averaged) = RunWithAverageOffAndOn("match.ema", throughMatching: true);
        string Latest(string folder) => Path.Combine(folder, "match", "latest.safetensors");
        string Distilled(string folder) => Path.Combine(folder, "generator.safetensors");
        using Checkpoint liveLatest = Checkpoint.Load(Latest(live)), averagedLatest = Checkpoint.Load(Latest(averaged));
        using Checkpoint liveDistilled = Checkpoint.Load(Distilled(live)), averagedDistilled = Checkpoint.Load(Distilled(averaged));

        // Both runs take the same matching steps, bit for bit: the average never feeds back.
        foreach (string group in new[] { GanState.Generator, GanState.Discriminator, GanState.GeneratorOptimizer, GanState.DiscriminatorOptimizer })
            AssertSameGroup(liveLatest, averagedLatest, group, group);
        Assert.Equal("6", averagedLatest.Metadata["step"]);
        // Off: the live generator is deployed. On: the average is, and it is not the live generator.
        Assert.False(liveLatest.Has(GanState.GeneratorAverage));
        AssertSameGroup(liveLatest, liveDistilled, GanState.Generator, GanState.Generator);
        Assert.Equal("0.9", averagedDistilled.Metadata[GanState.GeneratorAverage]);
        AssertSameGroup(averagedLatest, averagedDistilled, GanState.GeneratorAverage, GanState.Generator);
        Assert.False(averagedDistilled.Get(GanState.Generator, "conv8.weight").equal(averagedLatest.Get(GanState.Generator, "conv8.weight")));
    }

    /// <summary>Stage 1 (and 2) with <paramref name="key"/> at 0 and at 0.9, each in a folder of its own: (off, on).</summary>
    private (string Off, string On) RunWithAverageOffAndOn(string key, bool throughMatching)
    {
        string off = Folder($"{key}-0"), on = Folder($"{key}-0.9");
        foreach (var (folder, setting) in new[] { (off, $"{key}=0"), (on, $"{key}=0.9") })
        {
            using RunContext context = TinyRun.Open(TinyRun.Config(folder, setting));
            new PretrainStage(context).Run();
            if (throughMatching) new MatchStage(context).Run();
        }
        return (off, on);
    }

    private static void AssertSameGroup(Checkpoint a, Checkpoint b, string groupInA, string groupInB)
    {
        var x = a.Group(groupInA);
        var y = b.Group(groupInB);
        Assert.Equal(x.Keys.Order(), y.Keys.Order());
        foreach (var (key, value) in x) Assert.True(value.equal(y[key]), $"{groupInA} entry {key} differs from {groupInB}'s");
    }
}
