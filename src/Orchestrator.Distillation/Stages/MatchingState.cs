using System.Globalization;
using Orchestrator.Distillation.Checkpoints;
using Orchestrator.Distillation.Matching;
using Orchestrator.Distillation.Networks;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Distillation.Stages;

/// <summary>
/// Stage 2's state at a <see cref="Version"/> (generator steps applied): the GAN, both optimizers and the shard
/// computer with its pool networks. The single-process stage and every distributed worker hold one; a step is the
/// shard-order sum of its shards' results applied with <see cref="Apply"/>, so all holders stay bitwise equal. With
/// match.ema it also holds a moving average of the generator, updated by every step, saved with the state and deployed
/// as the distilled generator.
/// </summary>
public sealed class MatchingState : IDisposable
{
    private const string Stage = "match";
    private const string PoolGroupPrefix = "pool_shard_";
    private readonly RunContext context;
    private readonly optim.Adam optG, optD;
    private readonly GanGenerator? averaged;
    private optim.ExponentialMovingAverage? average;

    private MatchingState(RunContext context)
    {
        this.context = context;
        var config = context.Config;
        Plan = new MatchingPlan(config.Match, config.Seed, context.Train, context.Device);
        Gan = GanState.Create(context, 0);
        optG = new optim.Adam(Gan.GeneratorParameters, config.Match.Generator.Lr, config.Match.Generator.Beta1, config.Match.Generator.Beta2);
        optD = new optim.Adam(Gan.DiscriminatorParameters, config.Match.Discriminator.Lr, config.Match.Discriminator.Beta1, config.Match.Discriminator.Beta2);
        Computer = new ShardComputer(Plan);
        if (config.Match.Ema > 0) averaged = GanState.CreateAverage(context);
    }

    public MatchingPlan Plan { get; }
    public GanPair Gan { get; }
    public ShardComputer Computer { get; }

    /// <summary>Generator steps applied so far; the next step to compute is this one (0-based).</summary>
    public long Version { get; private set; }

    public bool IsFinished => Version >= Plan.TotalSteps;

    /// <summary>Starts from the run's latest matching checkpoint, or from stage 1's best checkpoint at version 0.</summary>
    public static MatchingState Open(RunContext context)
    {
        var state = new MatchingState(context);
        try
        {
            if (File.Exists(context.Paths.MatchLatest)) state.Load(context.Paths.MatchLatest);
            else
            {
                if (!File.Exists(context.Paths.PretrainBest))
                    throw new FileNotFoundException($"stage 2 starts from stage 1's best checkpoint, and {context.Paths.PretrainBest} does not exist: run pretrain first", context.Paths.PretrainBest);
                using Checkpoint pretrained = Checkpoint.Load(context.Paths.PretrainBest);
                GanState.LoadModels(pretrained, state.Gan);
                state.StartAverage();
            }
            return state;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>Shard <paramref name="shard"/> of the next step, from the current state.</summary>
    public ShardResult Compute(int shard, CancellationToken cancellation) => Computer.Compute(Gan, Version, shard, cancellation);

    /// <summary>Applies the next step's reduced gradients; the state moves to the next version.</summary>
    public void Apply(ReducedStep step)
    {
        ShardReduction.Apply(Gan, optG, optD, step);
        average?.Update(Version);
        Version++;
    }

    /// <summary>Computes every shard of the next step here, sums them in the fixed shard order (<see cref="Matching.ShardReduction"/>) and applies them; returns the mean loss terms.</summary>
    public Dictionary<string, double> StepLocally(CancellationToken cancellation)
    {
        var results = new List<ShardResult>();
        try
        {
            for (int shard = 0; shard < Plan.Config.Shards; shard++) results.Add(Compute(shard, cancellation));
            using ReducedStep reduced = ShardReduction.Sum(results);
            Apply(reduced);
            return MeanTerms(results);
        }
        finally
        {
            foreach (ShardResult r in results) r.Dispose();
        }
    }

    public static Dictionary<string, double> MeanTerms(IEnumerable<ShardResult> results) =>
        results.SelectMany(r => r.Terms).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Average(kv => kv.Value));

    /// <summary>Whether the step just applied ends an epoch or a checkpoint interval.</summary>
    public bool CheckpointDue => Version > 0 && (Version % Plan.StepsPerEpoch == 0 || Version % Plan.Config.CheckpointEvery == 0);

    /// <summary>
    /// Writes the resumable state (atomically) to <paramref name="path"/>: models, optimizers, the version and, with
    /// <paramref name="includePools"/>, this epoch's pool networks (else a loader recomputes them from the seed).
    /// </summary>
    public void Save(string path, bool includePools = true)
    {
        using var checkpoint = new Checkpoint();
        GanState.AddModels(checkpoint, Gan);
        if (averaged is not null) GanState.AddOwned(checkpoint, GanState.GeneratorAverage, averaged.state_dict());
        GanState.AddOptimizers(checkpoint, optG, optD);
        long epoch = Computer.Pools.Select(p => p.Epoch).DefaultIfEmpty(0).Max();
        foreach (PoolNetwork pool in Computer.Pools.Where(p => includePools && p.Epoch == epoch))
            GanState.AddOwned(checkpoint, PoolGroupPrefix + pool.Shard.ToString(CultureInfo.InvariantCulture), pool.State());
        checkpoint.Metadata["stage"] = Stage;
        checkpoint.Metadata["step"] = Version.ToString(CultureInfo.InvariantCulture);
        checkpoint.Metadata["pool_epoch"] = epoch.ToString(CultureInfo.InvariantCulture);
        checkpoint.Save(path);
    }

    /// <summary>Replaces this state with the one saved at <paramref name="path"/> by <see cref="Save"/>.</summary>
    public void Load(string path)
    {
        using Checkpoint checkpoint = Checkpoint.Load(path);
        if (checkpoint.RequireMetadata("stage") != Stage) throw new InvalidDataException($"{path}: not a stage-2 checkpoint");
        GanState.LoadModels(checkpoint, Gan);
        StartAverage();
        averaged?.load_state_dict(checkpoint.Group(GanState.GeneratorAverage));
        GanState.LoadOptimizers(checkpoint, optG, optD);
        Version = long.Parse(checkpoint.RequireMetadata("step"), CultureInfo.InvariantCulture);
        long epoch = long.Parse(checkpoint.RequireMetadata("pool_epoch"), CultureInfo.InvariantCulture);
        foreach (string group in checkpoint.Groups.Where(g => g.StartsWith(PoolGroupPrefix, StringComparison.Ordinal)))
        {
            int shard = int.Parse(group[PoolGroupPrefix.Length..], CultureInfo.InvariantCulture);
            Computer.Adopt(PoolNetwork.Restore(Plan, epoch, shard, checkpoint.Group(group)));
        }
    }

    // The average starts as the generator just loaded.
    private void StartAverage()
    {
        if (averaged is not null) average = new optim.ExponentialMovingAverage(Gan.Generator, averaged, context.Config.Match.Ema);
    }

    /// <summary>Writes the distilled generator (models only; the average with match.ema) to the run's final path.</summary>
    public void SaveDistilled()
    {
        using var final = new Checkpoint();
        GanState.AddModels(final, averaged ?? Gan.Generator, Gan.Discriminator);
        final.Metadata["stage"] = Stage;
        if (averaged is not null) final.Metadata[GanState.GeneratorAverage] = context.Config.Match.Ema.ToString(CultureInfo.InvariantCulture);
        final.Metadata["steps"] = Version.ToString(CultureInfo.InvariantCulture);
        final.Save(context.Paths.DistilledGenerator);
    }

    public void Dispose()
    {
        Computer.Dispose();
        optG.Dispose();
        optD.Dispose();
        averaged?.Dispose();
        Gan.Dispose();
    }
}
