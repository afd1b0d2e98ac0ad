using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Matching;

/// <summary>
/// Turns shard results into one generator step. Gradients are summed as a left fold in shard order (0, 1, 2, ...), and
/// the generator's batch-norm statistics are the mean of the shards' (summed in the same order, then divided), so the
/// update is the same bits whichever processes computed the shards. The distributed all-reduce folds chunks in the
/// same order, which gives the same elementwise result.
/// </summary>
public static class ShardReduction
{
    /// <summary>The shard-order sums of a step's results, which must be given in shard order 0..S-1.</summary>
    public static ReducedStep Sum(IReadOnlyList<ShardResult> results)
    {
        if (results.Count == 0) throw new ArgumentException("a step needs at least one shard");
        for (int k = 0; k < results.Count; k++)
            if (results[k].Shard != k) throw new ArgumentException($"shard results must come in shard order; position {k} holds shard {results[k].Shard}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor g = results[0].GeneratorGradient.clone(), d = results[0].DiscriminatorGradient.clone(), s = results[0].GeneratorBuffers.clone();
        for (int k = 1; k < results.Count; k++)
        {
            g.add_(results[k].GeneratorGradient);
            d.add_(results[k].DiscriminatorGradient);
            s.add_(results[k].GeneratorBuffers);
        }
        return new ReducedStep(scope.MoveToOuter(g), scope.MoveToOuter(d), scope.MoveToOuter(s), results.Count);
    }

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
