namespace Orchestrator.Worker.AllReduce;

/// <summary>What an all-reduce gave and cost this member.</summary>
/// <param name="Sum">The shard-order sum of every shard's buffer.</param>
/// <param name="BytesSent">Payload bytes this member sent.</param>
public sealed record ExchangeOutcome(float[] Sum, long BytesSent, TimeSpan Elapsed, int Members)
{
    /// <summary>nccl-tests' algorithm bandwidth: buffer bytes over time.</summary>
    public double AlgorithmBandwidth => Sum.LongLength * sizeof(float) / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>nccl-tests' bus bandwidth for all-reduce: algorithm bandwidth × 2(N−1)/N.</summary>
    public double BusBandwidth => AlgorithmBandwidth * 2.0 * (Members - 1) / Members;
}
