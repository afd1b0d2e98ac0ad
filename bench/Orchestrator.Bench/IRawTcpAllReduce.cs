namespace Orchestrator.Bench;

/// <summary>An all-reduce over plain TCP sockets, without HTTP/2 or gRPC: what this runtime reaches on the machine.</summary>
internal interface IRawTcpAllReduce : IDisposable
{
    /// <summary>The elementwise sum of every rank's <paramref name="values"/>, in an array the implementation chooses.</summary>
    float[] AllReduce(float[] values);
}
