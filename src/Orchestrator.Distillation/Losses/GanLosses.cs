using Orchestrator.Torch;
using static Orchestrator.Torch.torch;
using F = Orchestrator.Torch.torch.nn.functional;

namespace Orchestrator.Distillation.Losses;

/// <summary>The stage-1 losses of DiM's ACGAN with a WGAN-GP critic (METHOD.md, "Stage 1").</summary>
public static class GanLosses
{
    /// <summary>WGAN-GP's λ, DiM's value.</summary>
    public const double DefaultPenaltyWeight = 10.0;

    /// <summary>ACGAN's weight on the class terms, DiM's value.</summary>
    public const double DefaultClassWeight = 1.0;

    /// <summary>Generator: −D_src(fake).mean() + λ_cls·CE(D_cls(fake), y).</summary>
    public static Tensor Generator(Tensor fakeScore, Tensor fakeClassLogits, Tensor labels, double classWeight = DefaultClassWeight)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(fakeScore.mean().neg() + F.cross_entropy(fakeClassLogits, labels) * classWeight);
    }

    /// <summary>
    /// Critic: D_src(fake) − D_src(real) (means) + λ_cls·(CE on real and on fake class logits) + λ·gradient penalty.
    /// The penalty is passed in, computed by <see cref="GradientPenalty"/>.
    /// </summary>
    public static Tensor Critic(Tensor realScore, Tensor fakeScore, Tensor realClassLogits, Tensor fakeClassLogits, Tensor labels, Tensor penalty,
        double penaltyWeight = DefaultPenaltyWeight, double classWeight = DefaultClassWeight)
    {
        using var scope = NewDisposeScope();
        Tensor wasserstein = fakeScore.mean() - realScore.mean();
        Tensor classification = F.cross_entropy(realClassLogits, labels) + F.cross_entropy(fakeClassLogits, labels);
        return scope.MoveToOuter(wasserstein + classification * classWeight + penalty * penaltyWeight);
    }

    /// <summary>
    /// WGAN-GP: mean over samples of (‖∇_x̂ D_src(x̂)‖₂ − 1)² at x̂ = α·real + (1 − α)·fake, α ~ U(0, 1) per sample,
    /// differentiable (create_graph) so the critic's update sees it. <paramref name="critic"/> maps images to scores.
    /// </summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        Tensor alpha = rand([real.size(0), 1, 1, 1], real.dtype, real.device, generator);
        Tensor mixed = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_();
        Tensor score = critic(mixed);
        Tensor gradient = autograd.grad([score], [mixed], [ones_like(score)], retain_graph: true, create_graph: true)[0]!;
        Tensor norms = gradient.reshape(gradient.size(0), -1).norm_dim(2, 1);
        return scope.MoveToOuter((norms - 1).square().mean());
    }
}
