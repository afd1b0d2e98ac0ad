using Orchestrator.Distillation.Networks;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Tests.Networks;

public enum NetworkKind { Classifier, Generator, Discriminator }

/// <summary>A network built here and, from the same weights, by python/networks_reference.py.</summary>
public sealed record ReferenceNetwork(string Id, NetworkKind Kind, string Name, int Channels, int ImageSize, int Classes, ulong Seed, GanArchitecture? Gan = null)
{
    public const int Batch = 4;

    /// <summary>The network, initialized from a generator seeded with <see cref="Seed"/>.</summary>
    public nn.Module Build()
    {
        using var generator = new Generator(Seed);
        return Kind switch
        {
            NetworkKind.Classifier => NetworkFactory.Create(Name, Channels, Classes, ImageSize, generator),
            NetworkKind.Generator => new GanGenerator(Gan!, generator),
            _ => new GanDiscriminator(Gan!, generator),
        };
    }

    /// <summary>The batch both sides run: images (noise and labels for a generator), drawn from seed + 1.</summary>
    public Dictionary<string, Tensor> MakeInputs()
    {
        using var generator = new Generator(Seed + 1);
        if (Kind != NetworkKind.Generator) return new() { ["x"] = randn([Batch, Channels, ImageSize, ImageSize], generator: generator) };
        return new()
        {
            ["x"] = randn([Batch, Gan!.NoiseSize], generator: generator),
            ["labels"] = randint(0, Classes, [Batch], ScalarType.Int64, generator: generator),
        };
    }

    /// <summary>Batch norm (train and eval differ) is in every generator and in the classifiers named with BN.</summary>
    public bool HasBatchNorm => Kind == NetworkKind.Generator || (Kind == NetworkKind.Classifier && Name.Contains("BN"));
}

/// <summary>A forward pass of a reference network in train or eval mode.</summary>
public sealed record ReferenceCase(string Id, ReferenceNetwork Network, bool Train);

/// <summary>
/// What the reference tests cover: every factory name at 32x32x3, the 28-pixel adjustments at 28x28x1 (with 7
/// classes, so nothing assumes 10), and the stage-1 GAN at both sizes, DiM width, both conditionings.
/// </summary>
public static class ReferenceCatalog
{
    private static readonly string[] At28 = ["ConvNet", "ConvNetBN", "ConvNetD4", "ResNet10", "ResNet10AP", "ResNet10BN_AP", "AlexNet", "AlexNetBN", "VGG11"];

    public static IReadOnlyList<ReferenceNetwork> Networks { get; } = BuildNetworks();

    public static IReadOnlyList<ReferenceCase> Cases { get; } = Networks
        .SelectMany(n => n.Kind == NetworkKind.Discriminator
            ? [new ReferenceCase(n.Id + ":train", n, true)]
            : n.HasBatchNorm
                ? new[] { new ReferenceCase(n.Id + ":train", n, true), new ReferenceCase(n.Id + ":eval", n, false) }
                : [new ReferenceCase(n.Id + ":eval", n, false)])
        .ToList();

    public static ReferenceNetwork Network(string id) => Networks.Single(n => n.Id == id);

    public static ReferenceCase Case(string id) => Cases.Single(c => c.Id == id);

    private static List<ReferenceNetwork> BuildNetworks()
    {
        var networks = new List<ReferenceNetwork>();
        void Add(NetworkKind kind, string name, int channels, int size, int classes, GanArchitecture? gan = null) =>
            networks.Add(new ReferenceNetwork($"{name}@{channels}x{size}", kind, name, channels, size, classes, (ulong)(1000 + 10 * networks.Count), gan));

        foreach (string name in NetworkFactory.Names) Add(NetworkKind.Classifier, name, 3, 32, 10);
        foreach (string name in At28) Add(NetworkKind.Classifier, name, 1, 28, 7);
        Add(NetworkKind.Generator, "G-DiM", 1, 28, 7, GanArchitecture.DiM(1, 28, 7));
        Add(NetworkKind.Generator, "G-DiM", 3, 32, 10, GanArchitecture.DiM(3, 32, 10));
        Add(NetworkKind.Generator, "G-Cpu-concat", 3, 32, 10, GanArchitecture.Cpu(3, 32, 10) with { Conditioning = LabelConditioning.Concatenate });
        Add(NetworkKind.Discriminator, "D-DiM", 1, 28, 7, GanArchitecture.DiM(1, 28, 7));
        Add(NetworkKind.Discriminator, "D-DiM", 3, 32, 10, GanArchitecture.DiM(3, 32, 10));
        Add(NetworkKind.Discriminator, "D-Cpu-slope0.2", 3, 32, 10, GanArchitecture.Cpu(3, 32, 10) with { CriticSlope = 0.2 });
        return networks;
    }
}
