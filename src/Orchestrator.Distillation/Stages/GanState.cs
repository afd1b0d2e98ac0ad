using Orchestrator.Distillation.Checkpoints;
using Orchestrator.Distillation.Matching;
using Orchestrator.Distillation.Networks;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Stages;

/// <summary>Puts a GAN and its optimizers into checkpoint groups and back.</summary>
public static class GanState
{
    public const string Generator = "generator", Discriminator = "discriminator";

    /// <summary>
    /// A stage's moving average of the generator (pretrain.ema, match.ema): its group beside the live one in the
    /// resumable checkpoint, and the metadata key holding the decay in a checkpoint whose generator group is the average.
    /// </summary>
    public const string GeneratorAverage = "generator_ema";
    public const string GeneratorOptimizer = "generator_optimizer", DiscriminatorOptimizer = "discriminator_optimizer";

    public static GanPair Create(RunContext context, ulong initSeed)
    {
        using var init = new Generator(initSeed);
        var gan = new GanPair(new GanGenerator(context.GanArchitecture, init), new GanDiscriminator(context.GanArchitecture, init));
        gan.Generator.to(device: context.Device);
        gan.Discriminator.to(device: context.Device);
        return gan;
    }

    /// <summary>
    /// A generator module of the run's architecture on its device, to hold a moving average: its initial weights are
    /// overwritten with the live generator's at once.
    /// </summary>
    public static GanGenerator CreateAverage(RunContext context)
    {
        using var init = new Generator(0);
        var module = new GanGenerator(context.GanArchitecture, init);
        module.to(device: context.Device);
        return module;
    }

    public static void AddModels(Checkpoint checkpoint, GanPair gan) => AddModels(checkpoint, gan.Generator, gan.Discriminator);

    /// <summary>A generator and a critic as the pair's groups: stage 1 keeps its averaged generator so.</summary>
    public static void AddModels(Checkpoint checkpoint, GanGenerator generator, GanDiscriminator discriminator)
    {
        AddOwned(checkpoint, Generator, generator.state_dict());
        AddOwned(checkpoint, Discriminator, discriminator.state_dict());
    }

    public static void AddOptimizers(Checkpoint checkpoint, optim.Optimizer generatorOptimizer, optim.Optimizer discriminatorOptimizer)
    {
        AddOwned(checkpoint, GeneratorOptimizer, generatorOptimizer.state_dict());
        AddOwned(checkpoint, DiscriminatorOptimizer, discriminatorOptimizer.state_dict());
    }

    public static void LoadModels(Checkpoint checkpoint, GanPair gan)
    {
        gan.Generator.load_state_dict(checkpoint.Group(Generator));
        gan.Discriminator.load_state_dict(checkpoint.Group(Discriminator));
    }

    public static void LoadOptimizers(Checkpoint checkpoint, optim.Optimizer generatorOptimizer, optim.Optimizer discriminatorOptimizer)
    {
        generatorOptimizer.load_state_dict(checkpoint.Group(GeneratorOptimizer));
        discriminatorOptimizer.load_state_dict(checkpoint.Group(DiscriminatorOptimizer));
    }

    /// <summary>Adds a group built from temporaries and disposes them (the checkpoint keeps copies).</summary>
    public static void AddOwned(Checkpoint checkpoint, string group, Dictionary<string, Tensor> tensors)
    {
        try { checkpoint.Add(group, tensors); }
        finally { foreach (Tensor t in tensors.Values) t.Dispose(); }
    }
}
