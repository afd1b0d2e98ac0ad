using Orchestrator.Torch.Serialization;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Distillation.Checkpoints;
using Orchestrator.Distillation.Evaluation;
using Orchestrator.Distillation.Losses;
using Orchestrator.Distillation.Matching;
using Orchestrator.Distillation.Networks;
using Orchestrator.Distillation.Streams;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Stages;

/// <summary>
/// Stage 1: the conditional GAN (ACGAN generator, WGAN-GP critic with a class head) on the real data. Every
/// <c>checkpoint_every</c> epochs it keeps a checkpoint and scores it by training a ConvNet on its samples; the best one
/// feeds stage 2. Each step draws only from its own streams, so a resumed run reaches the same weights. With
/// <c>pretrain.ema</c> a moving average of the generator is kept beside it (and in the resumable checkpoint); the
/// average is what a checkpoint is scored on and keeps as its generator.
/// </summary>
public sealed class PretrainStage(RunContext context)
{
    private const string Stage = "pretrain";

    public int StepsPerEpoch => context.Config.Pretrain.StepsPerEpoch > 0 ? context.Config.Pretrain.StepsPerEpoch
        : (int)Math.Max(1, context.Train.Count / context.Config.Pretrain.Batch);

    public long TotalSteps => (long)context.Config.Pretrain.Epochs * StepsPerEpoch;

    public bool IsComplete => File.Exists(context.Paths.PretrainBest);

    /// <summary>Runs (or resumes) the stage and returns the scores of the kept checkpoints by epoch.</summary>
    public IReadOnlyDictionary<int, double> Run(CancellationToken cancellation = default)
    {
        var config = context.Config;
        using GanPair gan = GanState.Create(context, StreamSeeds.Derive(config.Seed, StreamPurpose.PoolInitialization, -1, -1));
        using var optG = new optim.Adam(gan.GeneratorParameters, config.Pretrain.Generator.Lr, config.Pretrain.Generator.Beta1, config.Pretrain.Generator.Beta2);
        using var optD = new optim.Adam(gan.DiscriminatorParameters, config.Pretrain.Discriminator.Lr, config.Pretrain.Discriminator.Beta1, config.Pretrain.Discriminator.Beta2);
        using GanGenerator? averaged = config.Pretrain.Ema > 0 ? GanState.CreateAverage(context) : null;
        var average = averaged is null ? null : new optim.ExponentialMovingAverage(gan.Generator, averaged, config.Pretrain.Ema);
        GanGenerator kept = averaged ?? gan.Generator;
        var scores = LoadScores();
        long step = Resume(gan, averaged, optG, optD);
        if (step > 0) context.Progress.Log($"[{Stage}] resuming at step {step} of {TotalSteps}");
        var sampler = new Data.RealBatchSampler(context.Train);
        for (; step < TotalSteps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var terms = Step(gan, optG, optD, sampler, step);
            average?.Update(step);
            context.Progress.Report(Stage, step + 1, TotalSteps, terms);
            if ((step + 1) % StepsPerEpoch != 0) continue;
            int epoch = (int)((step + 1) / StepsPerEpoch);
            bool keep = epoch % config.Pretrain.CheckpointEvery == 0 || epoch == config.Pretrain.Epochs;
            if (keep)
            {
                scores[epoch] = Score(kept, epoch, cancellation);
                context.Progress.Log(string.Create(CultureInfo.InvariantCulture, $"[{Stage}] epoch {epoch}: checkpoint score {scores[epoch]:P2}"));
                SaveModels(kept, gan.Discriminator, context.Paths.PretrainEpoch(epoch));
                AtomicFile.WriteAllText(context.Paths.PretrainScores, JsonSerializer.Serialize(scores));
            }
            SaveLatest(gan, averaged, optG, optD, step + 1);
        }
        if (scores.Count == 0) SaveModels(kept, gan.Discriminator, context.Paths.PretrainBest);
        else File.Copy(context.Paths.PretrainEpoch(scores.MaxBy(kv => kv.Value).Key), context.Paths.PretrainBest, overwrite: true);
        return scores;
    }

    private Dictionary<string, double> Step(GanPair gan, optim.Adam optG, optim.Adam optD, Data.RealBatchSampler sampler, long step)
    {
        var config = context.Config.Pretrain;
        using var scope = NewDisposeScope();
        using Generator realStream = StreamSeeds.Create(context.Config.Seed, StreamPurpose.PretrainBatch, step, 0);
        using Generator noiseStream = StreamSeeds.Create(context.Config.Seed, StreamPurpose.Noise, step, 0);
        using Generator penaltyStream = StreamSeeds.Create(context.Config.Seed, StreamPurpose.GradientPenalty, step, 0);
        long noiseSize = gan.Generator.Architecture.NoiseSize;
        gan.Generator.train();
        gan.Discriminator.train();

        Tensor criticLoss = zeros([]);
        Tensor labels = zeros([0], int64);
        for (int k = 0; k < config.CriticSteps; k++)
        {
            var (real, y) = sampler.Draw(config.Batch, realStream, context.Device);
            labels = y;
            Tensor realTanh = real * 2.0 - 1.0;
            Tensor fake;
            using (no_grad()) fake = gan.Generator.forward(randn([y.size(0), noiseSize], generator: noiseStream).to(context.Device), y);
            criticLoss = gan.CriticLoss(realTanh, fake, y, penaltyStream, config.GradientPenalty, config.ClassWeight);
            optD.zero_grad();
            criticLoss.backward();
            optD.step();
        }

        Tensor generated = gan.Generator.forward(randn([labels.size(0), noiseSize], generator: noiseStream).to(context.Device), labels);
        var (score, classes) = gan.Discriminator.forward(generated);
        Tensor generatorLoss = GanLosses.Generator(score, classes, labels, config.ClassWeight);
        optG.zero_grad();
        generatorLoss.backward();
        optG.step();
        optD.zero_grad();
        return new() { ["critic"] = criticLoss.item<double>(), ["generator"] = generatorLoss.item<double>() };
    }

    /// <summary>The cheap score: a ConvNet trained on score_ipc samples per class, tested on the test split.</summary>
    private double Score(GanGenerator generator, int epoch, CancellationToken cancellation)
    {
        var config = context.Config;
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticSets.FromGenerator(context, generator, config.Pretrain.ScoreIpc, StreamSeeds.Derive(config.Seed, StreamPurpose.Generation, epoch, -1));
        var settings = StandardProtocol.Settings(context, config.Evaluate.Model) with { Epochs = config.Pretrain.ScoreEpochs };
        return StandardProtocol.TrainAndTest(context, settings, images, labels, StreamSeeds.Derive(config.Seed, StreamPurpose.Evaluation, epoch, -1), cancellation: cancellation);
    }

    private long Resume(GanPair gan, GanGenerator? averaged, optim.Adam optG, optim.Adam optD)
    {
        if (!File.Exists(context.Paths.PretrainLatest)) return 0;
        using Checkpoint checkpoint = Checkpoint.Load(context.Paths.PretrainLatest);
        GanState.LoadModels(checkpoint, gan);
        averaged?.load_state_dict(checkpoint.Group(GanState.GeneratorAverage));
        GanState.LoadOptimizers(checkpoint, optG, optD);
        return long.Parse(checkpoint.RequireMetadata("step"), CultureInfo.InvariantCulture);
    }

    private void SaveLatest(GanPair gan, GanGenerator? averaged, optim.Adam optG, optim.Adam optD, long nextStep)
    {
        using var checkpoint = new Checkpoint();
        GanState.AddModels(checkpoint, gan);
        if (averaged is not null) GanState.AddOwned(checkpoint, GanState.GeneratorAverage, averaged.state_dict());
        GanState.AddOptimizers(checkpoint, optG, optD);
        checkpoint.Metadata["stage"] = Stage;
        checkpoint.Metadata["step"] = nextStep.ToString(CultureInfo.InvariantCulture);
        checkpoint.Save(context.Paths.PretrainLatest);
    }

    private void SaveModels(GanGenerator generator, GanDiscriminator discriminator, string path)
    {
        using var checkpoint = new Checkpoint();
        GanState.AddModels(checkpoint, generator, discriminator);
        checkpoint.Metadata["stage"] = Stage;
        if (context.Config.Pretrain.Ema > 0) checkpoint.Metadata[GanState.GeneratorAverage] = context.Config.Pretrain.Ema.ToString(CultureInfo.InvariantCulture);
        checkpoint.Save(path);
    }

    private Dictionary<int, double> LoadScores()
    {
        if (!File.Exists(context.Paths.PretrainScores)) return new();
        try { return JsonSerializer.Deserialize<Dictionary<int, double>>(File.ReadAllText(context.Paths.PretrainScores)) ?? new(); }
        catch (JsonException e) { throw new InvalidDataException($"{context.Paths.PretrainScores}: not a scores file ({e.Message})", e); }
    }
}
