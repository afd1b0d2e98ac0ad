using Orchestrator.Coordinator.Placement;

namespace Orchestrator.Coordinator.Runs;

/// <summary>A run's saved state.</summary>
/// <param name="Step">Generator steps completed (the step in progress while matching; MatchSteps once evaluating).</param>
/// <param name="Units">The units of the current stage or step.</param>
/// <param name="Accuracy">Test accuracy per images-per-class count (the mean of the last evaluation row), once completed.</param>
/// <param name="Evaluations">The accuracy of every evaluation unit finished so far, in the order they finished.</param>
/// <param name="Sweeps">The sweeps this run belongs to.</param>
/// <param name="Attempts">Submissions that (re)started it: a failed or cancelled run submitted again starts over.</param>
/// <param name="Order">Position in its submission (a sweep's grid order), ties broken after the queue time.</param>
/// <param name="Attempt">Counts placements of the current stage's or step's units; workers drop traffic of older attempts.</param>
public sealed record RunSnapshot(
    string Key,
    RunSpec Spec,
    RunPlan Plan,
    RunStatus Status,
    long Step,
    IReadOnlyList<UnitAssignment> Units,
    CheckpointRef? Checkpoint,
    IReadOnlyDictionary<int, double> Accuracy,
    IReadOnlyList<EvaluationResult> Evaluations,
    string? Failure,
    IReadOnlyList<string> Sweeps,
    int Attempts,
    DateTimeOffset QueuedAt,
    int Order,
    IReadOnlyList<RunTransition> History,
    long Attempt = 0);
