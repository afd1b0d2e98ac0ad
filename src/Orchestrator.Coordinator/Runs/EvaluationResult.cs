using Orchestrator.Coordinator.Placement;

namespace Orchestrator.Coordinator.Runs;

/// <summary>The test accuracy (in [0, 1]) a worker reported for one evaluation unit.</summary>
public sealed record EvaluationResult(EvaluationKey Unit, double Accuracy);
