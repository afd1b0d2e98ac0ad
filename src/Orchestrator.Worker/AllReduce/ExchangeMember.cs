namespace Orchestrator.Worker.AllReduce;

/// <summary>A participant of one step's all-reduce: its rank, where peers reach it, and the shards it computes.</summary>
public sealed record ExchangeMember(int Rank, string WorkerId, Uri Address, IReadOnlyList<int> Shards);
