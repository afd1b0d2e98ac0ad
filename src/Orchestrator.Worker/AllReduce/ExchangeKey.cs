namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Names one all-reduce: a run's step at one placement attempt. A step placed again (a member died or joined) gets a
/// higher attempt, and chunks of the older one are dropped.
/// </summary>
public readonly record struct ExchangeKey(string RunId, long Step, long Attempt) : IComparable<ExchangeKey>
{
    /// <summary>Orders keys of the same run by step, then attempt.</summary>
    public int CompareTo(ExchangeKey other) =>
        Step != other.Step ? Step.CompareTo(other.Step) : Attempt.CompareTo(other.Attempt);

    public override string ToString() => $"{RunId} step {Step} attempt {Attempt}";
}
