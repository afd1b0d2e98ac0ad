using Orchestrator.Distillation.Losses;
using Orchestrator.Torch;
using Orchestrator.Torch.Tests;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Tests;

public sealed class GanLossTests : IDisposable
{
    private const ulong AlphaSeed = 77;
    private readonly DisposeScope scope = NewDisposeScope();
    private readonly Dictionary<string, Tensor> inputs;
    private readonly Dictionary<string, Tensor> expected;

    public GanLossTests()
    {
        using var g = new Generator(5);
        Tensor R(params long[] shape) => randn(shape, float64, generator: g);
        inputs = new()
        {
            ["real"] = R(6, 2, 4, 4), ["fake"] = R(6, 2, 4, 4), ["w"] = R(32, 3) * 0.3,
            ["real_score"] = R(6), ["fake_score"] = R(6), ["real_cls"] = R(6, 4), ["fake_cls"] = R(6, 4),
            ["labels"] = from_array(new long[] { 0, 1, 2, 3, 1, 2 }, 6), ["seed"] = full([], (long)AlphaSeed, int64),
        };
        expected = PythonTorch.Compute("gan_reference.py", inputs);
    }

    public void Dispose() => scope.Dispose();

    private static void AssertClose(Tensor expectedValue, Tensor actual, string what)
    {
        double error = (actual - expectedValue).abs().max().item<double>();
        Assert.True(error < 1e-10, $"{what}: max |difference| {error:E3}");
    }

    [Fact]
    public void GradientPenalty_MatchesPython_IncludingItsSecondOrderGradient()
    {
        Tensor w = inputs["w"].detach().requires_grad_();
        using var alphaStream = new Generator(AlphaSeed);
        Tensor penalty = GanLosses.GradientPenalty(x => x.flatten(1).matmul(w).tanh().sum(1), inputs["real"], inputs["fake"], alphaStream);
        AssertClose(expected["penalty"], penalty, "penalty");
        AssertClose(expected["penalty.grad.w"], autograd.grad([penalty], [w])[0]!, "penalty gradient w.r.t. critic weights");
    }

    [Fact]
    public void GeneratorLoss_MatchesPython()
    {
        Tensor score = inputs["fake_score"].detach().requires_grad_(), cls = inputs["fake_cls"].detach().requires_grad_();
        Tensor loss = GanLosses.Generator(score, cls, inputs["labels"]);
        AssertClose(expected["g_loss"], loss, "generator loss");
        Tensor?[] grads = autograd.grad([loss], [score, cls]);
        AssertClose(expected["g_loss.grad.fake_score"], grads[0]!, "d/d fake score");
        AssertClose(expected["g_loss.grad.fake_cls"], grads[1]!, "d/d fake class logits");
    }

    [Fact]
    public void CriticLoss_MatchesPython()
    {
        Tensor rs = inputs["real_score"].detach().requires_grad_(), fs = inputs["fake_score"].detach().requires_grad_();
        Tensor rc = inputs["real_cls"].detach().requires_grad_(), fc = inputs["fake_cls"].detach().requires_grad_();
        Tensor loss = GanLosses.Critic(rs, fs, rc, fc, inputs["labels"], expected["penalty"]);
        AssertClose(expected["d_loss"], loss, "critic loss");
        Tensor?[] grads = autograd.grad([loss], [rs, fs, rc, fc]);
        string[] names = ["real_score", "fake_score", "real_cls", "fake_cls"];
        for (int k = 0; k < 4; k++) AssertClose(expected[$"d_loss.grad.{names[k]}"], grads[k]!, $"d/d {names[k]}");
    }

    [Fact]
    public void ClassWeight_ScalesOnlyTheClassTerms()
    {
        Tensor rs = inputs["real_score"], fs = inputs["fake_score"], rc = inputs["real_cls"], fc = inputs["fake_cls"], y = inputs["labels"];
        Tensor penalty = expected["penalty"];
        // At weight 0 only the critic terms remain; weight 3 adds three times what weight 1 (Python's DiM loss) adds.
        Tensor generatorAt0 = GanLosses.Generator(fs, fc, y, classWeight: 0);
        AssertClose(fs.mean().neg(), generatorAt0, "generator loss without class term");
        AssertClose(generatorAt0 + (expected["g_loss"] - generatorAt0) * 3, GanLosses.Generator(fs, fc, y, classWeight: 3), "generator loss at class weight 3");
        Tensor criticAt0 = GanLosses.Critic(rs, fs, rc, fc, y, penalty, classWeight: 0);
        AssertClose(fs.mean() - rs.mean() + penalty * GanLosses.DefaultPenaltyWeight, criticAt0, "critic loss without class terms");
        AssertClose(criticAt0 + (expected["d_loss"] - criticAt0) * 3, GanLosses.Critic(rs, fs, rc, fc, y, penalty, classWeight: 3), "critic loss at class weight 3");
    }
}
