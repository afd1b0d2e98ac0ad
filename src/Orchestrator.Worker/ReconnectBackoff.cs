namespace Orchestrator.Worker;

/// <summary>
/// How long to wait before the next attempt to reach the coordinator: doubling from <c>initial</c> up to
/// <c>maximum</c>, each wait jittered by ±20% so that a cluster's workers do not all come back in the same instant
/// after a coordinator restart; <see cref="Reset"/> after an attempt that got through.
/// </summary>
public sealed class ReconnectBackoff
{
    private const double Jitter = 0.2;
    private readonly TimeSpan _initial, _maximum;
    private readonly Random _random;
    private TimeSpan _next;

    public ReconnectBackoff(TimeSpan initial, TimeSpan maximum, Random? random = null)
    {
        if (initial <= TimeSpan.Zero || maximum < initial) throw new ArgumentOutOfRangeException(nameof(maximum), $"backoff from {initial} to {maximum}: the first wait must be positive and the longest at least that");
        (_initial, _maximum, _random, _next) = (initial, maximum, random ?? Random.Shared, initial);
    }

    public TimeSpan Next()
    {
        TimeSpan wait = _next * (1 + Jitter * (2 * _random.NextDouble() - 1));
        _next = TimeSpan.FromTicks(Math.Min(_maximum.Ticks, _next.Ticks * 2));
        return wait;
    }

    public void Reset() => _next = _initial;
}
