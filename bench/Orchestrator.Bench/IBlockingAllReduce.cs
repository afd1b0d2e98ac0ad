namespace Orchestrator.Bench;

/// <summary>An all-reduce driven from the caller's thread with blocking I/O: the plain-TCP variants and the ring over push lanes.</summary>
internal interface IBlockingAllReduce : IDisposable
{
    /// <summary>The elementwise sum of every rank's <paramref name="values"/>, in an array the implementation chooses.</summary>
    float[] AllReduce(float[] values);
}
