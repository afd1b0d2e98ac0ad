namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// A participant of one step's all-reduce: its rank, where peers reach it (its gRPC endpoint, and the push endpoint
/// gradients go to, which is the gRPC endpoint itself when it has no lane server), and the shards it computes.
/// </summary>
public sealed record ExchangeMember(int Rank, string WorkerId, Uri Address, IReadOnlyList<int> Shards, Uri? Pushes = null)
{
    public Uri PushAddress => Pushes ?? Address;
}
