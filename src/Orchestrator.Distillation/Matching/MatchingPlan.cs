using Orchestrator.Distillation.Augmentation;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Data;
using Orchestrator.Distillation.Streams;
using Orchestrator.Torch;

namespace Orchestrator.Distillation.Matching;

/// <summary>
/// The fixed facts of a matching run every shard computation shares: the config, the seed, the real data and the step
/// layout (0-based generator steps; epoch = step / steps per epoch). Pure functions of these say which pool
/// architecture a shard uses, so a coordinator can place shards without computing anything.
/// </summary>
public sealed class MatchingPlan
{
    public MatchingPlan(MatchConfig config, ulong seed, Dataset train, Device device)
    {
        (Config, Seed, Train, Device) = (config, seed, train, device);
        Sampler = new RealBatchSampler(train);
        StepsPerEpoch = config.StepsPerEpoch > 0 ? config.StepsPerEpoch : (int)Math.Max(1, train.Count / config.Batch);
        MatchAugmentation = DiffAugment.Parse(config.Augmentation, DsaComposition.DiM);
        PoolAugmentation = ClassifierAugmentation.For(train);
    }

    public MatchConfig Config { get; }
    public ulong Seed { get; }
    public Dataset Train { get; }
    public Device Device { get; }
    public RealBatchSampler Sampler { get; }
    public int StepsPerEpoch { get; }
    public long TotalSteps => (long)Config.Epochs * StepsPerEpoch;

    /// <summary>The critic's gradient-penalty weight λ during matching (<c>match.gradient_penalty</c>).</summary>
    public double PenaltyWeight => Config.GradientPenalty;

    /// <summary>The siamese augmentation of matching: one draw shared by the real and synthetic batch.</summary>
    public DiffAugment MatchAugmentation { get; }

    /// <summary>The per-sample augmentation of the pool networks' progressive training.</summary>
    public DiffAugment PoolAugmentation { get; }

    public long EpochOf(long step) => step / StepsPerEpoch;

    public long FirstStepOf(long epoch) => epoch * StepsPerEpoch;

    /// <summary>The pool member shard <paramref name="shard"/> uses during <paramref name="epoch"/>, drawn from the seed.</summary>
    public string ArchitectureOf(long epoch, int shard) => ArchitectureOf(Config.Pool, Seed, epoch, shard);

    /// <summary>The same draw without a plan, for a scheduler that places shards but holds no data.</summary>
    public static string ArchitectureOf(IReadOnlyList<string> pool, ulong seed, long epoch, int shard) =>
        pool[(int)(StreamSeeds.Derive(seed, StreamPurpose.PoolArchitecture, epoch, shard) % (ulong)pool.Count)];
}
