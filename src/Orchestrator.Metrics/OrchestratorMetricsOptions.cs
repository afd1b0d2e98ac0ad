namespace Orchestrator.Metrics;

/// <summary>
/// The meter's name and the closed sets of values the bounded labels may take. A value outside its set is refused,
/// so a typo or an unbounded identifier cannot grow the number of series.
/// </summary>
public sealed class OrchestratorMetricsOptions
{
    public static readonly IReadOnlyList<string> DefaultLossComponents =
        ["total", "gan", "global", "local", "standardized", "d2m_embedding", "d2m_prediction", "discriminator", "critic", "gradient_penalty"];

    public static readonly IReadOnlyList<string> DefaultRunStates = ["pending", "running", "succeeded", "failed", "cancelled"];

    public string MeterName { get; init; } = OrchestratorMetrics.DefaultMeterName;

    /// <summary>Allowed values of the <c>component</c> label of orchestrator_loss.</summary>
    public IReadOnlyCollection<string> LossComponents { get; init; } = DefaultLossComponents;

    /// <summary>Allowed values of the <c>state</c> label of orchestrator_runs; each is reported, 0 until set.</summary>
    public IReadOnlyCollection<string> RunStates { get; init; } = DefaultRunStates;
}
