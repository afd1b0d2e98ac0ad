using Orchestrator.Distillation.Networks;
using Orchestrator.Torch;
using Xunit.Abstractions;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Tests.Networks;

/// <summary>Tests that set the process-wide intra-op thread count run alone.</summary>
[CollectionDefinition(nameof(SingleThreadedTorchCollection), DisableParallelization = true)]
public sealed class SingleThreadedTorchCollection;

/// <summary>
/// Each network against its python reference: same structure and init, same outputs and gradients from the same
/// weights, both sides in float32 on the same kernels. Both run one intra-op thread, and the generators run libtorch's
/// own conv_transpose2d (the sub-pixel formulation is checked against it in the Torch tests): a pre-activation within
/// rounding of zero takes the other ReLU branch under another rounding path, and one such flip in a 200-channel
/// generator moves its input gradient by ~1e-3 relative (thread counts alone moved ResNet-18-AP's by 1e-2). So only the
/// same computation is checkable at float32's tolerance. The class runs alone, as both settings are process-wide.
/// </summary>
[Collection(nameof(SingleThreadedTorchCollection))]
public sealed class ReferenceComparisonTests(NetworkReferenceFixture reference, ITestOutputHelper log) : IClassFixture<NetworkReferenceFixture>
{
    /// <summary>float32 agreement asked of every output, relative to the reference's largest magnitude.</summary>
    private const double Tolerance = 1e-4;

    public static TheoryData<string> NetworkIds => new(ReferenceCatalog.Networks.Select(n => n.Id));

    public static TheoryData<string> CaseIds => new(ReferenceCatalog.Cases.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(NetworkIds))]
    public void Structure_matches_python_parameter_and_buffer_names_shapes_and_order(string networkId)
    {
        ReferenceDescription expected = reference.Description(networkId);
        using nn.Module module = ReferenceCatalog.Network(networkId).Build();
        Assert.Equal(Render(expected.Parameters), Render(module.named_parameters().Select(p => (p.name, p.parameter.shape))));
        Assert.Equal(Render(expected.Buffers), Render(module.named_buffers().Select(b => (b.name, b.buffer.shape))));
        long count = module.ParameterCount();
        log.WriteLine($"{networkId}: {count:N0} parameters (python: {expected.ParameterCount:N0})");
        Assert.Equal(expected.ParameterCount, count);
    }

    [Theory]
    [MemberData(nameof(NetworkIds))]
    public void Initialization_equals_pytorch_default_init_under_the_same_seed(string networkId)
    {
        // python built the reference under torch.manual_seed(seed) and compared it with our weights from Generator(seed).
        Assert.Equal(0.0, reference.Description(networkId).InitMaxAbsDiff);
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Forward_outputs_input_gradient_and_buffers_match_python(string caseId)
    {
        ReferenceCase c = ReferenceCatalog.Case(caseId);
        using var threads = new SameComputationAsPython();
        using DisposeScope scope = NewDisposeScope();
        using nn.Module module = c.Network.Build();
        module.train(c.Train);
        Dictionary<string, Tensor> inputs = c.Network.MakeInputs();
        Tensor x = inputs["x"].requires_grad_();
        void Close(string key, Tensor actual) => AssertClose(reference.Output(caseId, key), actual, key);
        Tensor loss;
        switch (module)
        {
            case ClassifierNetwork net:
                NetworkOutput output = net.Forward(x, net.FeatureNames);
                Close("logits", output.Logits);
                Close("embedding", output.Embedding);
                Assert.Equal(reference.OutputKeys(caseId, "feature/").Order(), net.FeatureNames.Order());
                foreach (string stage in net.FeatureNames) Close("feature/" + stage, output.Features[stage]);
                loss = output.Logits.square().sum();
                break;
            case GanGenerator generator:
                Tensor image = generator.forward(x, inputs["labels"]);
                Close("image", image);
                loss = image.square().sum();
                break;
            case GanDiscriminator discriminator:
                var (score, classLogits) = discriminator.forward(x);
                Close("score", score);
                Close("class_logits", classLogits);
                loss = score.sum() + classLogits.square().sum();
                break;
            default:
                throw new InvalidOperationException($"no comparison for {module.GetType().Name}");
        }
        Close("input_grad", autograd.grad([loss], [x])[0]!);
        Assert.Equal(reference.OutputKeys(caseId, "buffer/").Order(), module.named_buffers().Select(b => b.name).Order());
        foreach (var (name, buffer) in module.named_buffers())
        {
            Tensor expected = reference.Output(caseId, "buffer/" + name);
            if (buffer.is_floating_point()) Close("buffer/" + name, buffer);
            else Assert.True(expected.equal(buffer), $"{name}: {buffer.item<long>()} here, {expected.item<long>()} in python");
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using DisposeScope scope = NewDisposeScope();
        double scale = expected.abs().max().item<double>();
        double difference = (actual.detach() - expected).abs().max().item<double>();
        Assert.True(difference <= Tolerance * Math.Max(scale, 1e-12),
            $"{what}: max |difference| {difference:G3} is over {Tolerance:G2} x max |reference| {scale:G3}");
    }

    /// <summary>
    /// One intra-op thread and libtorch's conv_transpose2d kernel until disposed; the thread count is set on the test's
    /// own thread, since OpenMP keeps it per thread.
    /// </summary>
    private readonly struct SameComputationAsPython : IDisposable
    {
        private readonly int previousThreads;
        private readonly nn.ConvTransposeMode previousMode;

        public SameComputationAsPython()
        {
            previousThreads = get_num_threads();
            previousMode = nn.functional.conv_transpose2d_mode;
            set_num_threads(1);
            nn.functional.conv_transpose2d_mode = nn.ConvTransposeMode.Native;
        }

        public void Dispose()
        {
            set_num_threads(previousThreads);
            nn.functional.conv_transpose2d_mode = previousMode;
        }
    }

    private static List<string> Render(IEnumerable<(string name, long[] shape)> entries) =>
        entries.Select(e => $"{e.name} [{string.Join(", ", e.shape)}]").ToList();
}
