using Orchestrator.Distillation.Networks;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;
using static Orchestrator.Torch.torch.nn;

namespace Orchestrator.Distillation.Matching;

/// <summary>The generator and discriminator being distilled, with the flat views the shard reduction works on.</summary>
public sealed class GanPair(GanGenerator generator, GanDiscriminator discriminator) : IDisposable
{
    public GanGenerator Generator { get; } = generator;
    public GanDiscriminator Discriminator { get; } = discriminator;
    public IReadOnlyList<Parameter> GeneratorParameters { get; } = generator.parameters().ToList();
    public IReadOnlyList<Parameter> DiscriminatorParameters { get; } = discriminator.parameters().ToList();

    /// <summary>The generator's floating-point buffers (batch-norm running statistics), in registration order.</summary>
    public IReadOnlyList<Tensor> GeneratorStatistics { get; } = generator.named_buffers().Select(b => b.buffer).Where(b => b.is_floating_point()).ToList();

    /// <summary>The generator's integer buffers (batch-norm <c>num_batches_tracked</c>): one per generator step, not per shard.</summary>
    public IReadOnlyList<Tensor> GeneratorCounters { get; } = generator.named_buffers().Select(b => b.buffer).Where(b => !b.is_floating_point()).ToList();

    public Tensor FlattenStatistics() => ParameterVector.Flatten(GeneratorStatistics);

    public void LoadStatistics(Tensor flat) => ParameterVector.CopyInto(flat, GeneratorStatistics);

    public long[] ReadCounters() => [.. GeneratorCounters.Select(c => c.item<long>())];

    public void SetCounters(IReadOnlyList<long> values)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < GeneratorCounters.Count; i++) GeneratorCounters[i].fill_(values[i]);
    }

    /// <summary>
    /// The critic's WGAN-GP + class loss on a real batch (tanh range) and generated images (detached here), with the
    /// penalty's mixing drawn from <paramref name="penaltyStream"/>, and the class terms weighted by <paramref name="classWeight"/>.
    /// </summary>
    public Tensor CriticLoss(Tensor realTanh, Tensor fake, Tensor labels, Generator penaltyStream, double penaltyWeight,
        double classWeight = Losses.GanLosses.DefaultClassWeight)
    {
        using var scope = NewDisposeScope();
        var (realScore, realClasses) = Discriminator.forward(realTanh);
        var (fakeScore, fakeClasses) = Discriminator.forward(fake.detach());
        Tensor penalty = Losses.GanLosses.GradientPenalty(x => Discriminator.forward(x).score, realTanh, fake, penaltyStream);
        return scope.MoveToOuter(Losses.GanLosses.Critic(realScore, fakeScore, realClasses, fakeClasses, labels, penalty, penaltyWeight, classWeight));
    }

    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
    }
}
