using Orchestrator.Distillation.Progress;

namespace Orchestrator.Distillation.Tests;

public class ProgressThrottleTests
{
    [Fact]
    public void ShowsEachStagesFirstAndLast_AndNothingBetweenWithinTheInterval()
    {
        var throttle = new ProgressThrottle(TimeSpan.FromHours(1));
        var shown = new List<(string, long)>();
        foreach (string stage in new[] { "evaluate random IPC 1", "evaluate distilled IPC 1" })
            for (long step = 1; step <= 10; step++)
                if (throttle.ShouldShow(stage, step, 10)) shown.Add((stage, step));
        Assert.Equal([("evaluate random IPC 1", 1L), ("evaluate random IPC 1", 10L), ("evaluate distilled IPC 1", 1L), ("evaluate distilled IPC 1", 10L)], shown);
    }

    [Fact]
    public void ShowsAgainOnceTheIntervalHasPassed()
    {
        // Wide enough that two back-to-back calls never straddle it on a loaded CI machine.
        var throttle = new ProgressThrottle(TimeSpan.FromMilliseconds(500));
        Assert.True(throttle.ShouldShow("match", 1, 100));
        Assert.False(throttle.ShouldShow("match", 2, 100));
        Thread.Sleep(600);
        Assert.True(throttle.ShouldShow("match", 3, 100));
        Assert.False(throttle.ShouldShow("match", 4, 100));
    }
}
