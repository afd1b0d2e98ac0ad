using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Matching;

/// <summary>
/// Turns shard results into one generator step. A shard's result is one flat buffer (generator gradient, critic
/// gradient, generator statistics, in that order; see <see cref="Flat"/>), split into one block per shard. Block b is
/// summed as a left fold over the shards in the cyclic order b + 1, b + 2, ..., S − 1, 0, ..., b: one fixed order per
/// element that depends only on the shard count, so the update is the same bits whichever processes computed the
/// shards. With one shard per worker it is the order a ring all-reduce adds them in (block b's partial sums start at
/// shard b + 1's worker and end at shard b's), which the distributed all-reduce follows. The generator's statistics are
/// the mean of the shards' (summed the same way, then divided).
/// </summary>
public static class ShardReduction
{
    /// <summary>The sums of a step's results, which must be given in shard order 0..S-1.</summary>
    public static ReducedStep Sum(IReadOnlyList<ShardResult> results)
    {
        if (results.Count == 0) throw new ArgumentException("a step needs at least one shard");
        for (int k = 0; k < results.Count; k++)
            if (results[k].Shard != k) throw new ArgumentException($"shard results must come in shard order; position {k} holds shard {results[k].Shard}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor[] flat = [.. results.Select(Flat)];
        long length = flat[0].numel();
        int shards = results.Count;
        Tensor sum = empty_like(flat[0]);
        for (int block = 0; block < shards; block++)
        {
            long start = BlockStart(length, shards, block), count = BlockStart(length, shards, block + 1) - start;
            if (count == 0) continue;
            Tensor into = sum.narrow(0, start, count);
            into.copy_(flat[ShardAt(block, 0, shards)].narrow(0, start, count));
            for (int position = 1; position < shards; position++) into.add_(flat[ShardAt(block, position, shards)].narrow(0, start, count));
        }
        long g = results[0].GeneratorGradient.numel(), d = results[0].DiscriminatorGradient.numel();
        return new ReducedStep(scope.MoveToOuter(sum.narrow(0, 0, g).clone()), scope.MoveToOuter(sum.narrow(0, g, d).clone()),
            scope.MoveToOuter(sum.narrow(0, g + d, length - g - d).clone()), shards);
    }

    /// <summary>Where block <paramref name="block"/> of a buffer of <paramref name="length"/> values split into one block per shard starts.</summary>
    public static long BlockStart(long length, int shards, int block) => length * block / shards;

    /// <summary>The shard at <paramref name="position"/> (0 first) of block <paramref name="block"/>'s summing order.</summary>
    public static int ShardAt(int block, int position, int shards) => (block + 1 + position) % shards;

    /// <summary>A shard's result as the one buffer that is summed: generator gradient, critic gradient, generator statistics.</summary>
    public static Tensor Flat(ShardResult result) =>
        cat([result.GeneratorGradient.flatten(), result.DiscriminatorGradient.flatten(), result.GeneratorBuffers.flatten()]);

    /// <summary>Applies a reduced step: sets the gradients, steps both optimizers, installs the mean statistics, counts one batch-norm update.</summary>
    public static void Apply(GanPair gan, optim.Optimizer generatorOptimizer, optim.Optimizer discriminatorOptimizer, ReducedStep step)
    {
        ParameterVector.CopyIntoGradients(step.GeneratorGradient, gan.GeneratorParameters);
        ParameterVector.CopyIntoGradients(step.DiscriminatorGradient, gan.DiscriminatorParameters);
        generatorOptimizer.step();
        discriminatorOptimizer.step();
        generatorOptimizer.zero_grad();
        discriminatorOptimizer.zero_grad();
        using var mean = step.GeneratorStatisticsSum.div(step.Shards);
        gan.LoadStatistics(mean);
        // One generator step is one batch-norm update, however many shards it sums.
        gan.SetCounters([.. gan.ReadCounters().Select(c => c + 1)]);
    }
}

/// <summary>A step's summed gradients and summed generator statistics over <see cref="Shards"/> shards.</summary>
public sealed record ReducedStep(Tensor GeneratorGradient, Tensor DiscriminatorGradient, Tensor GeneratorStatisticsSum, int Shards) : IDisposable
{
    public void Dispose()
    {
        GeneratorGradient.Dispose();
        DiscriminatorGradient.Dispose();
        GeneratorStatisticsSum.Dispose();
    }
}
