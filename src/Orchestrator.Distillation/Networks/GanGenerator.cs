using Orchestrator.Torch;
using Orchestrator.Torch.Modules;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Networks;

/// <summary>
/// The stage-1 generator (DiM code's ACGAN generator): Linear(input → W·4·4) + BN + ReLU, then
/// ConvT(k4 s2; k3 for 28 pixels) → 3 × Conv3x3 → ConvT(k4 s2) → Conv3x3 → ConvT(k4 s2), each followed by BN + ReLU,
/// then Conv3x3(W → C) → tanh. Images come out in [-1, 1]; sides go 4 → 8 (7) → 16 (14) → 32 (28).
/// </summary>
public sealed class GanGenerator : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly BatchNorm bn0;
    private readonly nn.Module<Tensor, Tensor>[] hidden;
    private readonly BatchNorm[] norms;
    private readonly Conv2d conv8;

    public GanGenerator(GanArchitecture architecture, Generator? generator = null) : base(nameof(GanGenerator))
    {
        architecture.Validate();
        Architecture = architecture;
        long w = architecture.Width;
        fc1 = nn.Linear(architecture.GeneratorInputSize, w * 4 * 4, generator: generator);
        bn0 = nn.BatchNorm1d(w * 4 * 4);
        register_module("fc1", fc1);
        register_module("bn0", bn0);
        hidden =
        [
            nn.ConvTranspose2d(w, w, architecture.ImageSize == 28 ? 3 : 4, stride: 2, padding: 1, generator: generator),
            nn.Conv2d(w, w, 3, stride: 1, padding: 1, generator: generator),
            nn.Conv2d(w, w, 3, stride: 1, padding: 1, generator: generator),
            nn.Conv2d(w, w, 3, stride: 1, padding: 1, generator: generator),
            nn.ConvTranspose2d(w, w, 4, stride: 2, padding: 1, generator: generator),
            nn.Conv2d(w, w, 3, stride: 1, padding: 1, generator: generator),
            nn.ConvTranspose2d(w, w, 4, stride: 2, padding: 1, generator: generator),
        ];
        norms = new BatchNorm[hidden.Length];
        for (int k = 0; k < hidden.Length; k++)
        {
            norms[k] = nn.BatchNorm2d(w);
            register_module($"conv{k + 1}", hidden[k]);
            register_module($"bn{k + 1}", norms[k]);
        }
        conv8 = nn.Conv2d(w, architecture.Channels, 3, stride: 1, padding: 1, generator: generator);
        register_module("conv8", conv8);
    }

    public GanArchitecture Architecture { get; }

    /// <summary>The generator input for noise z [N, NoiseSize] and int64 labels [N], by the architecture's conditioning.</summary>
    public Tensor Condition(Tensor noise, Tensor labels)
    {
        var a = Architecture;
        long[] zs = noise.shape, ls = labels.shape;
        if (zs.Length != 2 || zs[1] != a.NoiseSize) throw new ArgumentException($"the generator takes noise [N, {a.NoiseSize}], not [{string.Join(", ", zs)}]");
        if (ls.Length != 1 || ls[0] != zs[0]) throw new ArgumentException($"the generator takes one label per noise row ({zs[0]}), not labels [{string.Join(", ", ls)}]");
        if (labels.dtype != ScalarType.Int64) throw new ArgumentException($"labels must be int64, not {labels.dtype}");
        using DisposeScope scope = NewDisposeScope();
        // one_hot itself rejects labels outside [0, Classes) with libtorch's message.
        Tensor oneHot = nn.functional.one_hot(labels, a.Classes).to(noise.dtype, noise.device) * a.LabelScale;
        Tensor input = a.Conditioning == LabelConditioning.OverwriteNoise
            ? cat([oneHot, noise.narrow(1, a.Classes, a.NoiseSize - a.Classes)], 1)
            : cat([noise, oneHot], 1);
        return scope.MoveToOuter(input);
    }

    /// <summary>Images [N, C, S, S] in [-1, 1] for noise and labels.</summary>
    public Tensor forward(Tensor noise, Tensor labels)
    {
        using DisposeScope scope = NewDisposeScope();
        return scope.MoveToOuter(forward(Condition(noise, labels)));
    }

    /// <summary>Images [N, C, S, S] in [-1, 1] for an already conditioned input [N, GeneratorInputSize].</summary>
    public override Tensor forward(Tensor input)
    {
        long[] s = input.shape;
        if (s.Length != 2 || s[1] != Architecture.GeneratorInputSize)
            throw new ArgumentException($"the generator's conditioned input is [N, {Architecture.GeneratorInputSize}], not [{string.Join(", ", s)}]");
        using DisposeScope scope = NewDisposeScope();
        Tensor x = bn0.forward(fc1.forward(input)).relu().view(-1, Architecture.Width, 4, 4);
        for (int k = 0; k < hidden.Length; k++) x = norms[k].forward(hidden[k].forward(x)).relu();
        return scope.MoveToOuter(conv8.forward(x).tanh());
    }
}
