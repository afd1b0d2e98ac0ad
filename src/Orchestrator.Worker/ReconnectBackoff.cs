namespace Orchestrator.Worker;

/// <summary>
/// How long to wait before the next attempt to reach the coordinator. A short outage (a restarted or rescheduled
/// coordinator) is retried at the <c>initial</c> wait for the first <see cref="SteadyAttempts"/> attempts, so workers
/// are back as soon as it is; a longer one doubles the wait up to <c>maximum</c>. Each wait is jittered by ±20% so
/// that a cluster's workers do not all come back in the same instant; <see cref="Reset"/> after an attempt that got
/// through.
/// </summary>
public sealed class ReconnectBackoff
{
    /// <summary>Attempts at the initial wait before the waits start doubling.</summary>
    public const int SteadyAttempts = 10;

    private const double Jitter = 0.2;
    private readonly TimeSpan _initial, _maximum;
    private readonly Random _random;
    private TimeSpan _next;
    private int _attempts;

    public ReconnectBackoff(TimeSpan initial, TimeSpan maximum, Random? random = null)
    {
        if (initial <= TimeSpan.Zero || maximum < initial) throw new ArgumentOutOfRangeException(nameof(maximum), $"backoff from {initial} to {maximum}: the first wait must be positive and the longest at least that");
        (_initial, _maximum, _random, _next) = (initial, maximum, random ?? Random.Shared, initial);
    }

    public TimeSpan Next()
    {
        TimeSpan wait = _next * (1 + Jitter * (2 * _random.NextDouble() - 1));
        if (++_attempts >= SteadyAttempts) _next = TimeSpan.FromTicks(Math.Min(_maximum.Ticks, _next.Ticks * 2));
        return wait;
    }

    public void Reset() => (_next, _attempts) = (_initial, 0);
}
