namespace Orchestrator.Distillation.Networks;

/// <summary>How the stage-1 generator sees the class label.</summary>
public enum LabelConditioning
{
    /// <summary>DiM code: the first <c>classes</c> entries of z are overwritten by the one-hot label.</summary>
    OverwriteNoise,

    /// <summary>Seed 003: G([z ⊕ y]), the one-hot label appended to z.</summary>
    Concatenate,
}

/// <summary>
/// The shape of the stage-1 conditional GAN (DiM code: an ACGAN generator and a WGAN-GP critic with a class head).
/// </summary>
/// <param name="Width">Channels of every hidden layer; 196 in the DiM code.</param>
/// <param name="NoiseSize">Length of z; 100 in the DiM code.</param>
/// <param name="CriticSlope">Negative slope of the critic's LeakyReLUs; the DiM code uses nn.LeakyReLU()'s default, 0.01.</param>
/// <param name="LabelScale">The value of the label's one-hot entry in the generator input; 1 in the DiM code. A larger
/// value makes the label stand out from the noise from the first step, for short CPU schedules.</param>
public sealed record GanArchitecture(
    int Channels,
    int ImageSize,
    int Classes,
    int Width = 196,
    int NoiseSize = 100,
    LabelConditioning Conditioning = LabelConditioning.OverwriteNoise,
    double CriticSlope = 0.01,
    double LabelScale = 1.0)
{
    /// <summary>The DiM code's sizes.</summary>
    public static GanArchitecture DiM(int channels, int imageSize, int classes) => new(channels, imageSize, classes);

    /// <summary>A narrow variant (64 channels, about 1/9 of the compute) for CPU runs and tests.</summary>
    public static GanArchitecture Cpu(int channels, int imageSize, int classes) => new(channels, imageSize, classes, Width: 64);

    /// <summary>Length of the generator's input vector.</summary>
    public int GeneratorInputSize => Conditioning == LabelConditioning.Concatenate ? NoiseSize + Classes : NoiseSize;

    /// <summary>Throws, naming the field, when this architecture cannot be built.</summary>
    public void Validate()
    {
        if (Channels < 1) throw new ArgumentException($"GAN channels must be positive, not {Channels}");
        if (ImageSize is not (28 or 32)) throw new ArgumentException($"the GAN is built for 28 or 32 pixel images, not {ImageSize}");
        if (Classes < 2) throw new ArgumentException($"the conditional GAN needs at least two classes, not {Classes}");
        if (Width < 1) throw new ArgumentException($"GAN width must be positive, not {Width}");
        if (NoiseSize < 1) throw new ArgumentException($"GAN noise size must be positive, not {NoiseSize}");
        if (Conditioning == LabelConditioning.OverwriteNoise && Classes > NoiseSize)
            throw new ArgumentException($"overwriting the noise with a {Classes}-class one-hot label needs a noise size of at least {Classes}, not {NoiseSize}");
        if (!(LabelScale > 0) || double.IsInfinity(LabelScale)) throw new ArgumentException($"the generator's label scale must be positive and finite, not {LabelScale}");
        if (!(CriticSlope >= 0 && CriticSlope < 1)) throw new ArgumentException($"the critic's LeakyReLU slope must be in [0, 1), not {CriticSlope}");
    }
}
