using Orchestrator.Distillation.Losses;
using Orchestrator.Distillation.Networks;

namespace Orchestrator.Distillation.Configuration;

/// <summary>
/// Every hyperparameter of a run, with METHOD.md's defaults. Files name keys in snake_case; unknown keys and bad values
/// are refused with the key's path (see <see cref="RunConfigLoader"/>).
/// </summary>
public sealed class RunConfig
{
    /// <summary>The run seed: every random stream (pool draw, batches, noise, augmentation) derives from it.</summary>
    public ulong Seed { get; set; }

    /// <summary>cpu or cuda:N.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Intra-op threads; part of the config because reductions can round differently with another count.</summary>
    public int Threads { get; set; } = 2;

    public DatasetConfig Dataset { get; set; } = new();
    public GanConfig Gan { get; set; } = new();
    public PretrainConfig Pretrain { get; set; } = new();
    public MatchConfig Match { get; set; } = new();
    public EvaluateConfig Evaluate { get; set; } = new();

    /// <summary>Where checkpoints, generated sets and reports go.</summary>
    public string Output { get; set; } = "runs/default";

    public void Validate()
    {
        Check.Positive(Threads, "threads");
        if (!Device.Equals("cpu", StringComparison.OrdinalIgnoreCase) && !Device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
            throw new ConfigException("device", $"'{Device}' is not a device: expected cpu, cuda or cuda:N");
        if (string.IsNullOrWhiteSpace(Output)) throw new ConfigException("output", "must name a folder");
        Dataset.Validate("dataset");
        Gan.Validate("gan");
        Pretrain.Validate("pretrain");
        Match.Validate("match");
        Evaluate.Validate("evaluate");
    }
}

public sealed class DatasetConfig
{
    /// <summary>mnist, fashion-mnist, cifar10, or folder.</summary>
    public string Name { get; set; } = "mnist";

    /// <summary>The dataset's files; empty means the default location set up by scripts/setup.sh.</summary>
    public string Root { get; set; } = "";

    /// <summary>Use only the first N training images per class (0: all), for short runs.</summary>
    public int TrainPerClass { get; set; }

    /// <summary>Evaluate on only the first N test images (0: the whole test split).</summary>
    public int TestLimit { get; set; }

    internal void Validate(string path)
    {
        string[] known = ["mnist", "fashion-mnist", "cifar10", "folder"];
        if (!known.Contains(Name)) throw new ConfigException($"{path}.name", $"'{Name}' is not a dataset: expected one of {string.Join(", ", known)}");
        Check.NonNegative(TrainPerClass, $"{path}.train_per_class");
        Check.NonNegative(TestLimit, $"{path}.test_limit");
    }
}

public sealed class GanConfig
{
    public int LatentSize { get; set; } = 100;

    /// <summary>Channels of the generator and discriminator (DiM: 196).</summary>
    public int Width { get; set; } = 196;

    public LabelConditioning Conditioning { get; set; } = LabelConditioning.OverwriteNoise;

    /// <summary>The one-hot label's value in the generator input (DiM: 1).</summary>
    public double LabelScale { get; set; } = 1.0;

    internal void Validate(string path)
    {
        Check.Positive(LatentSize, $"{path}.latent_size");
        Check.Positive(Width, $"{path}.width");
        Check.Positive(LabelScale, $"{path}.label_scale");
    }
}

/// <summary>Adam settings, as both stages use them.</summary>
public sealed class AdamConfig
{
    public double Lr { get; set; } = 1e-4;
    public double Beta1 { get; set; }
    public double Beta2 { get; set; } = 0.9;

    internal void Validate(string path)
    {
        Check.Positive(Lr, $"{path}.lr");
        Check.Fraction(Beta1, $"{path}.beta1");
        Check.Fraction(Beta2, $"{path}.beta2");
    }
}

public sealed class PretrainConfig
{
    public int Epochs { get; set; } = 150;

    /// <summary>Generator steps per epoch; 0 means one pass over the training set.</summary>
    public int StepsPerEpoch { get; set; }

    public int Batch { get; set; } = 128;
    public AdamConfig Generator { get; set; } = new();
    public AdamConfig Discriminator { get; set; } = new();
    public int CriticSteps { get; set; } = 1;
    public double GradientPenalty { get; set; } = GanLosses.DefaultPenaltyWeight;

    /// <summary>ACGAN's weight on the class-head cross-entropy terms of both losses (DiM: 1).</summary>
    public double ClassWeight { get; set; } = GanLosses.DefaultClassWeight;

    /// <summary>
    /// Decay of an exponential moving average of the generator's weights and batch-norm statistics (0: none, DiM's).
    /// When set, the average is what checkpoints are scored on and keep as their generator, so stage 2 and the cGAN
    /// baseline start from it; the live generator goes on training against the critic.
    /// </summary>
    public double Ema { get; set; }

    /// <summary>Keep and score a checkpoint every N epochs; the best feeds stage 2.</summary>
    public int CheckpointEvery { get; set; } = 10;

    /// <summary>The cheap score of a checkpoint: train a ConvNet on this many samples per class for a few epochs.</summary>
    public int ScoreIpc { get; set; } = 10;

    public int ScoreEpochs { get; set; } = 100;

    internal void Validate(string path)
    {
        Check.NonNegative(Epochs, $"{path}.epochs");
        Check.NonNegative(StepsPerEpoch, $"{path}.steps_per_epoch");
        Check.Positive(Batch, $"{path}.batch");
        Generator.Validate($"{path}.generator");
        Discriminator.Validate($"{path}.discriminator");
        Check.Positive(CriticSteps, $"{path}.critic_steps");
        Check.NonNegative(GradientPenalty, $"{path}.gradient_penalty");
        Check.NonNegative(ClassWeight, $"{path}.class_weight");
        Check.Fraction(Ema, $"{path}.ema");
        Check.Positive(CheckpointEvery, $"{path}.checkpoint_every");
        Check.Positive(ScoreIpc, $"{path}.score_ipc");
        Check.Positive(ScoreEpochs, $"{path}.score_epochs");
    }
}

public sealed class MatchConfig
{
    public int Epochs { get; set; } = 100;

    /// <summary>Generator steps per epoch; 0 means one pass over the training set at the real batch size.</summary>
    public int StepsPerEpoch { get; set; }

    /// <summary>Real batch per shard (DiM: 64); each shard draws as many synthetic images with the same labels.</summary>
    public int Batch { get; set; } = 64;

    /// <summary>Shards per generator step: the step's gradient is their sum, in a fixed order per element (<see cref="Matching.ShardReduction"/>).</summary>
    public int Shards { get; set; } = 1;

    public AdamConfig Generator { get; set; } = new() { Lr = 5e-6 };
    public AdamConfig Discriminator { get; set; } = new() { Lr = 5e-6 };

    /// <summary>WGAN-GP's λ for the critic, which keeps training during matching (METHOD.md: 10).</summary>
    public double GradientPenalty { get; set; } = GanLosses.DefaultPenaltyWeight;

    /// <summary>ACGAN's weight on the class-head cross-entropy terms of the generator's and critic's GAN losses (DiM: 1).</summary>
    public double ClassWeight { get; set; } = GanLosses.DefaultClassWeight;

    /// <summary>The model pool; one member is drawn per epoch and shard, randomly initialized, then trained progressively.</summary>
    public List<string> Pool { get; set; } = ["ConvNet", "ResNet10", "ResNet18", "ResNet10AP", "ResNet18AP"];

    /// <summary>SGD steps the pool network takes on real augmented batches before every generator step.</summary>
    public int PoolSteps { get; set; } = 16;

    public double PoolLr { get; set; } = 0.01;
    public double PoolMomentum { get; set; } = 0.9;
    public double PoolWeightDecay { get; set; } = 5e-4;

    /// <summary>DSA strategy for matching, one parameter draw shared by real and synthetic.</summary>
    public string Augmentation { get; set; } = "color_crop_cutout";

    public MatchingLossOptions Losses { get; set; } = new();

    /// <summary>
    /// Decay of an exponential moving average of the generator over stage 2 (0: none, DiM's), as pretrain.ema. When
    /// set, the average is the distilled generator that is deployed; the live one takes the matching steps.
    /// </summary>
    public double Ema { get; set; }

    /// <summary>Checkpoint every N generator steps (and at every epoch end).</summary>
    public int CheckpointEvery { get; set; } = 50;

    internal void Validate(string path)
    {
        Check.NonNegative(Epochs, $"{path}.epochs");
        Check.NonNegative(StepsPerEpoch, $"{path}.steps_per_epoch");
        Check.Positive(Batch, $"{path}.batch");
        Check.Positive(Shards, $"{path}.shards");
        Generator.Validate($"{path}.generator");
        Discriminator.Validate($"{path}.discriminator");
        Check.NonNegative(GradientPenalty, $"{path}.gradient_penalty");
        Check.NonNegative(ClassWeight, $"{path}.class_weight");
        if (Pool.Count == 0) throw new ConfigException($"{path}.pool", "the model pool is empty");
        Check.NonNegative(PoolSteps, $"{path}.pool_steps");
        Check.Positive(PoolLr, $"{path}.pool_lr");
        Check.NonNegative(PoolMomentum, $"{path}.pool_momentum");
        Check.NonNegative(PoolWeightDecay, $"{path}.pool_weight_decay");
        Check.Fraction(Ema, $"{path}.ema");
        Check.Positive(CheckpointEvery, $"{path}.checkpoint_every");
        try { Losses.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new ConfigException($"{path}.losses.{RunConfigLoader.KeyName<MatchingLossOptions>(e.ParamName ?? "")}", e.Message.Split(" (Parameter")[0]); }
    }
}

/// <summary>The standard protocol (fixed set, train from scratch) or DiM's (fresh samples every step).</summary>
public enum EvaluationProtocol
{
    Standard,
    DimOnTheFly,
}

public sealed class EvaluateConfig
{
    public List<int> Ipc { get; set; } = [1, 10, 50];

    /// <summary>Fresh networks trained per setting (mean ± std over them).</summary>
    public int Runs { get; set; } = 5;

    public string Model { get; set; } = "ConvNet";
    public int Epochs { get; set; } = 1000;
    public int Batch { get; set; } = 256;
    public double Lr { get; set; } = 0.01;
    public double Momentum { get; set; } = 0.9;
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>DSA with independent parameters per sample; empty picks by dataset (no flip for digits).</summary>
    public string Augmentation { get; set; } = "";

    public EvaluationProtocol Protocol { get; set; } = EvaluationProtocol.Standard;

    /// <summary>Baselines evaluated beside the distilled set.</summary>
    public List<string> Baselines { get; set; } = ["random", "cgan"];

    internal void Validate(string path)
    {
        if (Ipc.Count == 0 || Ipc.Any(i => i <= 0)) throw new ConfigException($"{path}.ipc", "needs one or more positive images-per-class counts");
        Check.Positive(Runs, $"{path}.runs");
        Check.Positive(Epochs, $"{path}.epochs");
        Check.Positive(Batch, $"{path}.batch");
        Check.Positive(Lr, $"{path}.lr");
        Check.NonNegative(Momentum, $"{path}.momentum");
        Check.NonNegative(WeightDecay, $"{path}.weight_decay");
        foreach (string b in Baselines)
            if (b is not ("random" or "cgan")) throw new ConfigException($"{path}.baselines", $"'{b}' is not a baseline: expected random or cgan");
    }
}

internal static class Check
{
    public static void Positive(double value, string key)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ConfigException(key, $"{value} must be > 0");
    }

    public static void NonNegative(double value, string key)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ConfigException(key, $"{value} must be ≥ 0");
    }

    /// <summary>In [0, 1): a decay or an Adam beta.</summary>
    public static void Fraction(double value, string key)
    {
        if (!(value is >= 0 and < 1)) throw new ConfigException(key, $"{value} is outside [0, 1)");
    }
}
