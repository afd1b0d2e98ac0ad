using Orchestrator.Distillation.Matching;
using Orchestrator.Distillation.Stages;
using Orchestrator.Torch;
using static Orchestrator.Torch.torch;

namespace Orchestrator.Worker;

/// <summary>
/// This worker's copy of one run: its data and, once matching, stage 2's state. Every member of a step applies the
/// same all-reduced sum, so copies stay bitwise equal. The last reduced sum is kept so a member that already applied
/// a step can finish it for peers when the step is placed again.
/// </summary>
public sealed class RunReplica(string runId, RunContext context) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, ShardResult> _computed = [];
    private MatchingState? _matching;

    public string RunId { get; } = runId;
    public RunContext Context { get; } = context;

    /// <summary>Stage 2's state, opened on first use from the run's latest checkpoint or stage 1's best.</summary>
    public MatchingState Matching => _matching ??= MatchingState.Open(Context);

    /// <summary>The step whose sum was applied last, and that sum.</summary>
    public (long Step, float[] Sum)? LastReduced { get; private set; }

    /// <summary>
    /// The shards of the next step (computing those not computed already in an earlier attempt), packed as flat
    /// buffers: generator gradient, discriminator gradient, generator statistics. Excludes <see cref="SaveStateAsync"/>
    /// meanwhile: a shard's forward pass moves the generator's batch-norm statistics until it puts them back.
    /// </summary>
    public async Task<IReadOnlyList<(int Shard, float[] Values, IReadOnlyDictionary<string, double> Terms)>> ComputeAsync(IReadOnlyList<int> shards, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            foreach (int shard in shards.Where(s => !_computed.ContainsKey(s)))
            {
                cancellation.ThrowIfCancellationRequested();
                _computed[shard] = Matching.Compute(shard, cancellation);
            }
            return [.. shards.Select(s => (s, Pack(_computed[s]), _computed[s].Terms))];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Applies the step's sum: the state moves to the next version. Excludes <see cref="SaveState"/> meanwhile.</summary>
    public async Task ApplyAsync(float[] sum, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            long step = Matching.Version;
            using (ReducedStep reduced = Unpack(sum))
                Matching.Apply(reduced);
            LastReduced = (step, sum);
            ForgetComputed();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes the GAN and optimizers (not the pool networks, which any worker recomputes from the seed) to <paramref name="path"/>.</summary>
    public async Task<long> SaveStateAsync(string path, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            Matching.Save(path, includePools: false);
            return Matching.Version;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Takes the state a peer sent.</summary>
    public async Task LoadStateAsync(string path, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            Matching.Load(path);
            LastReduced = null;
            ForgetComputed();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Computes and applies every shard of the next step here (catching up when no peer has the state).</summary>
    public async Task StepLocallyAsync(CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            ForgetComputed();
            Matching.StepLocally(cancellation);
            LastReduced = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The shard's result as the buffer the all-reduce sums (<see cref="ShardReduction.Flat"/>'s layout).</summary>
    private static float[] Pack(ShardResult result)
    {
        using Tensor flat = ShardReduction.Flat(result);
        using Tensor cpu = flat.to(Device.CPU);
        var buffer = new float[cpu.numel()];
        cpu.CopyTo(buffer.AsSpan());
        return buffer;
    }

    private ReducedStep Unpack(float[] sum)
    {
        long g = ParameterVector.Count(Matching.Gan.GeneratorParameters);
        long d = ParameterVector.Count(Matching.Gan.DiscriminatorParameters);
        if (sum.LongLength != g + d + ParameterVector.Count(Matching.Gan.GeneratorStatistics))
            throw new InvalidDataException($"run {RunId}: the reduced buffer holds {sum.LongLength} values, not this GAN's {g + d} + statistics");
        Tensor Slice(long start, long count) => from_array<float>(sum.AsSpan((int)start, (int)count), [count]).to(Matching.Plan.Device);
        return new ReducedStep(Slice(0, g), Slice(g, d), Slice(g + d, sum.LongLength - g - d), Matching.Plan.Config.Shards);
    }

    private void ForgetComputed()
    {
        foreach (ShardResult r in _computed.Values) r.Dispose();
        _computed.Clear();
    }

    public void Dispose()
    {
        ForgetComputed();
        _matching?.Dispose();
        Context.Dispose();
        _gate.Dispose();
    }
}
