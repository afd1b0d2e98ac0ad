using Orchestrator.Distillation.Networks;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Tests.Networks;

public sealed class GanTests
{
    [Fact]
    public void Overwrite_conditioning_puts_the_one_hot_label_over_the_first_entries_of_z()
    {
        using DisposeScope scope = NewDisposeScope();
        using var gan = new GanGenerator(GanArchitecture.Cpu(1, 28, 10));
        Tensor z = randn([3, 100]), labels = tensor(new long[] { 0, 9, 4 }, 3);
        Tensor input = gan.Condition(z, labels);
        Assert.Equal([3L, 100], input.shape);
        Assert.True(input.narrow(1, 0, 10).equal(nn.functional.one_hot(labels, 10).to(ScalarType.Float32)));
        Assert.True(input.narrow(1, 10, 90).equal(z.narrow(1, 10, 90)));
    }

    [Fact]
    public void Label_scale_sets_the_value_of_the_one_hot_entry()
    {
        using DisposeScope scope = NewDisposeScope();
        using var gan = new GanGenerator(GanArchitecture.Cpu(1, 28, 10) with { LabelScale = 5 });
        Tensor z = randn([2, 100]), labels = tensor(new long[] { 7, 2 }, 2);
        Tensor input = gan.Condition(z, labels);
        Assert.True(input.narrow(1, 0, 10).equal(nn.functional.one_hot(labels, 10).to(ScalarType.Float32) * 5));
        Assert.True(input.narrow(1, 10, 90).equal(z.narrow(1, 10, 90)));
        Assert.Contains("label scale", Assert.Throws<ArgumentException>(() => new GanGenerator(GanArchitecture.Cpu(1, 28, 10) with { LabelScale = 0 })).Message);
    }

    [Fact]
    public void Concatenate_conditioning_appends_the_one_hot_label_to_z()
    {
        using DisposeScope scope = NewDisposeScope();
        var architecture = GanArchitecture.Cpu(3, 32, 10) with { Conditioning = LabelConditioning.Concatenate };
        using var gan = new GanGenerator(architecture);
        Tensor z = randn([2, 100]), labels = tensor(new long[] { 3, 5 }, 2);
        Tensor input = gan.Condition(z, labels);
        Assert.Equal(110, architecture.GeneratorInputSize);
        Assert.True(input.narrow(1, 0, 100).equal(z));
        Assert.True(input.narrow(1, 100, 10).equal(nn.functional.one_hot(labels, 10).to(ScalarType.Float32)));
        Assert.Equal([2L, 3, 32, 32], gan.forward(z, labels).shape);
    }

    [Theory]
    [InlineData(1, 28)]
    [InlineData(3, 32)]
    public void Generator_makes_images_in_minus_one_to_one_and_the_critic_scores_them(int channels, int size)
    {
        using DisposeScope scope = NewDisposeScope();
        var architecture = GanArchitecture.Cpu(channels, size, 10);
        using var generator = new Generator(21);
        using var gan = new GanGenerator(architecture, generator);
        using var critic = new GanDiscriminator(architecture, generator);
        Tensor images = gan.forward(randn([4, 100], generator: generator), tensor(new long[] { 0, 1, 2, 3 }, 4));
        Assert.Equal([4L, channels, size, size], images.shape);
        Assert.True(images.abs().max().item<double>() <= 1);
        var (score, classLogits) = critic.forward(images);
        Assert.Equal([4L, 1], score.shape);
        Assert.Equal([4L, 10], classLogits.shape);
    }

    [Fact]
    public void Bad_inputs_and_architectures_are_rejected_with_the_reason()
    {
        using DisposeScope scope = NewDisposeScope();
        using var gan = new GanGenerator(GanArchitecture.Cpu(1, 28, 10));
        Assert.Contains("[N, 100]", Assert.Throws<ArgumentException>(() => gan.Condition(randn([2, 64]), tensor(new long[] { 0, 1 }, 2))).Message);
        Assert.Throws<ArgumentException>(() => gan.Condition(randn([2, 100]), tensor(new long[] { 0 }, 1)));
        Assert.Throws<ArgumentException>(() => gan.Condition(randn([1, 100]), tensor(new float[] { 0 }, 1)));
        Assert.Throws<TorchException>(() => gan.Condition(randn([1, 100]), tensor(new long[] { 10 }, 1)));
        Assert.Contains("noise size", Assert.Throws<ArgumentException>(() => new GanGenerator(new GanArchitecture(3, 32, 10, NoiseSize: 8))).Message);
        Assert.Contains("28 or 32", Assert.Throws<ArgumentException>(() => new GanDiscriminator(GanArchitecture.Cpu(3, 64, 10))).Message);
        using var critic = new GanDiscriminator(GanArchitecture.Cpu(1, 28, 10));
        Assert.Contains("[N, 1, 28, 28]", Assert.Throws<ArgumentException>(() => critic.forward(randn([2, 3, 28, 28]))).Message);
    }
}
