using Orchestrator.Distillation.Networks;
using Orchestrator.Distillation.Losses;
using Orchestrator.Distillation.Streams;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Matching;

/// <summary>
/// Computes shards: (step, shard) → the generator and discriminator gradients of that shard, from the GAN's state at
/// the start of the step. Everything random comes from the shard's own streams, so the result does not depend on
/// which process computes it or what it computed before. It keeps each shard's progressively trained pool network,
/// recreating (by replay from the epoch's start) one it does not hold.
/// </summary>
public sealed class ShardComputer(MatchingPlan plan) : IDisposable
{
    private readonly Dictionary<int, PoolNetwork> pools = new();
    private readonly MatchingObjective objective = new(plan.Config.Losses);

    public MatchingPlan Plan { get; } = plan;

    /// <summary>The pool network shard <paramref name="shard"/> uses at <paramref name="step"/>, trained through that step.</summary>
    public PoolNetwork PoolFor(long step, int shard, CancellationToken cancellation)
    {
        long epoch = Plan.EpochOf(step);
        if (!pools.TryGetValue(shard, out PoolNetwork? pool) || pool.Epoch != epoch || pool.TrainedThrough > step)
        {
            pool?.Dispose();
            pools[shard] = pool = PoolNetwork.Create(Plan, epoch, shard);
        }
        pool.AdvanceTo(step, cancellation);
        return pool;
    }

    /// <summary>Installs a pool network restored from a checkpoint (or sent by another worker).</summary>
    public void Adopt(PoolNetwork pool)
    {
        if (pools.Remove(pool.Shard, out PoolNetwork? old)) old.Dispose();
        pools[pool.Shard] = pool;
    }

    public IReadOnlyCollection<PoolNetwork> Pools => pools.Values;

    /// <summary>
    /// One shard of step <paramref name="step"/>. The GAN must be in its step-start state; its parameters are not changed
    /// and its batch-norm statistics and counters are put back as they were, so shards can be computed in any order and
    /// in any process.
    /// </summary>
    public ShardResult Compute(GanPair gan, long step, int shard, CancellationToken cancellation = default)
    {
        PoolNetwork pool = PoolFor(step, shard, cancellation);
        var data = Plan.Train;
        var losses = Plan.Config.Losses;
        string? localLayer = losses.LocalWeight > 0
            ? losses.LocalLayers.GetValueOrDefault(pool.Architecture) ?? pool.Network.DefaultLocalFeature
            : null;
        string[] features = losses.D2MEmbeddingWeight > 0 ? [.. pool.Network.FeatureNames] : localLayer is null ? [] : [localLayer];

        using var scope = NewDisposeScope();
        using Tensor statistics = gan.FlattenStatistics();
        long[] counters = gan.ReadCounters();
        using Generator realStream = StreamSeeds.Create(Plan.Seed, StreamPurpose.RealBatch, step, shard);
        using Generator noiseStream = StreamSeeds.Create(Plan.Seed, StreamPurpose.Noise, step, shard);
        using Generator augmentStream = StreamSeeds.Create(Plan.Seed, StreamPurpose.Augmentation, step, shard);
        using Generator penaltyStream = StreamSeeds.Create(Plan.Seed, StreamPurpose.GradientPenalty, step, shard);

        var (real, labels) = Plan.Sampler.Draw(Plan.Config.Batch, realStream, Plan.Device);
        Tensor realTanh = real * 2.0 - 1.0;
        Tensor noise = randn([labels.size(0), gan.Generator.Architecture.NoiseSize], generator: noiseStream).to(Plan.Device);

        gan.Generator.train();
        gan.Discriminator.train();
        pool.Network.train();
        Tensor fake = gan.Generator.forward(noise, labels);
        Tensor generatorStatistics = gan.FlattenStatistics();

        // One augmentation draw for the concatenated real + synthetic batch (DiM's siamese DSA).
        Tensor both = cat([data.Normalization.Normalize(real), data.Normalization.FromTanh(fake)]);
        Tensor[] augmented = Plan.MatchAugmentation.Siamese(both, augmentStream).chunk(2);
        NetworkOutput realOut;
        using (no_grad()) realOut = pool.Network.Forward(augmented[0], features);
        using NetworkOutput synOut = pool.Network.Forward(augmented[1], features);
        using NetworkOutput realOutput = realOut;
        var (matching, terms) = objective.Compute(new MatchingInputs(realOut.Logits, synOut.Logits, realOut.Features, synOut.Features,
            realOut.Embedding, synOut.Embedding, labels, data.NumClasses), localLayer);

        var (fakeScore, fakeClasses) = gan.Discriminator.forward(fake);
        Tensor ganLoss = GanLosses.Generator(fakeScore, fakeClasses, labels, Plan.Config.ClassWeight);
        Tensor generatorLoss = ganLoss * losses.GanWeight + matching;
        Tensor generatorGradient = ParameterVector.Flatten(autograd.grad([generatorLoss], gan.GeneratorParameters).Select(g => g!).ToList());

        Tensor criticLoss = gan.CriticLoss(realTanh, fake, labels, penaltyStream, Plan.PenaltyWeight, Plan.Config.ClassWeight);
        Tensor discriminatorGradient = ParameterVector.Flatten(autograd.grad([criticLoss], gan.DiscriminatorParameters).Select(g => g!).ToList());

        gan.LoadStatistics(statistics);
        gan.SetCounters(counters);
        var allTerms = new Dictionary<string, double>(terms) { ["gan"] = ganLoss.item<double>(), ["critic"] = criticLoss.item<double>() };
        return new ShardResult(step, shard, pool.Architecture, scope.MoveToOuter(generatorGradient), scope.MoveToOuter(discriminatorGradient),
            scope.MoveToOuter(generatorStatistics), allTerms);
    }

    public void Dispose()
    {
        foreach (PoolNetwork pool in pools.Values) pool.Dispose();
        pools.Clear();
    }
}
