using Orchestrator.Coordinator.Entities;
using Orchestrator.Coordinator.Placement;

namespace Orchestrator.Coordinator.Runs;

/// <summary>Queues the run if it is new, failed or cancelled; otherwise only records <see cref="Sweep"/>.</summary>
internal sealed record SubmitRun(RunSpec Spec, RunPlan Plan, string? Sweep, int Order) : IEntityRequest<SubmitRunReply>;

internal sealed record SubmitRunReply(RunSnapshot Run, bool Queued);

/// <summary>The queue admits the run: Queued → Pretraining. A run no longer queued (cancelled meanwhile) stays as it is.</summary>
internal sealed record StartRun : IEntityRequest<RunSnapshot>;

internal sealed record CompletePretrain(string WorkerId, string Checkpoint) : IEntityRequest<WorkReceipt>;

/// <summary>
/// A worker's report on a step, handled (and saved) as one transition: its <see cref="Shards"/> of step
/// <see cref="Step"/> are done, and, when <see cref="Checkpoint"/> is given, the generator after the step was saved
/// there. Replies a receipt per shard, in order, then one for the checkpoint.
/// </summary>
internal sealed record ReportShards(string WorkerId, long Step, IReadOnlyList<int> Shards, string? Checkpoint) : IEntityRequest<IReadOnlyList<WorkReceipt>>;

/// <summary>A worker trained the network of evaluation unit <see cref="Unit"/>; its test accuracy in [0, 1].</summary>
internal sealed record CompleteEvaluation(string WorkerId, EvaluationKey Unit, double Accuracy) : IEntityRequest<WorkReceipt>;

/// <summary>The run failed; a <see cref="WorkerId"/> must hold one of its units (a stale worker's word does not count).</summary>
internal sealed record FailRun(string? WorkerId, string Reason) : IEntityRequest<WorkReceipt>;

internal sealed record CancelRun(string Reason) : IEntityRequest<WorkReceipt>;

/// <summary>A worker died or restarted: its unfinished units are placed again. Replies how many it held.</summary>
internal sealed record WorkerLost(string WorkerId) : IEntityRequest<int>;

/// <summary>A worker joined: pending units may have somewhere to go now. Replies how many were placed.</summary>
internal sealed record PlacePending : IEntityRequest<int>;

/// <summary>After a coordinator restart: republish the run's units and re-place those held by workers no longer live.</summary>
internal sealed record ResumeRun : IEntityRequest<RunSnapshot?>;

internal sealed record GetRun : IEntityRequest<RunSnapshot?>;
