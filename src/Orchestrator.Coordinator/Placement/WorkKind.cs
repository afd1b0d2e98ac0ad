namespace Orchestrator.Coordinator.Placement;

/// <summary>What a unit of work is: a run's pretraining, one shard of a generator step, or one network of its evaluation.</summary>
public enum WorkKind
{
    Pretrain,
    Shard,
    Evaluate,
}
