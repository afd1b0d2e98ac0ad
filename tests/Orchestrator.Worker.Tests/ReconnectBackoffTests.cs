namespace Orchestrator.Worker.Tests;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Waits_stay_at_the_first_for_a_short_outage_then_double_up_to_the_maximum_within_the_jitter_and_start_again_after_a_reset()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), new Random(7));
        double[] nominal = [.. Enumerable.Repeat(1.0, ReconnectBackoff.SteadyAttempts), 2, 4, 8, 10, 10, 10];
        double[] waits = [.. nominal.Select(_ => backoff.Next().TotalSeconds)];
        for (int k = 0; k < nominal.Length; k++) Assert.InRange(waits[k], 0.8 * nominal[k], 1.2 * nominal[k]);
        // Jittered: the waits at the cap are not all the same.
        Assert.True(waits[^3..].Distinct().Count() > 1, string.Join(", ", waits));

        backoff.Reset();
        for (int k = 0; k < ReconnectBackoff.SteadyAttempts; k++) Assert.InRange(backoff.Next().TotalSeconds, 0.8, 1.2);
        Assert.InRange(backoff.Next().TotalSeconds, 1.6, 2.4);
    }

    [Fact]
    public void A_wait_that_is_not_positive_or_a_maximum_below_it_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        var options = new WorkerOptions { ReconnectDelay = TimeSpan.FromSeconds(5), MaxReconnectDelay = TimeSpan.FromSeconds(1) };
        Assert.Contains("Worker:MaxReconnectDelay", Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
