using Orchestrator.Coordinator.Runs;

namespace Orchestrator.Coordinator.Tests;

public sealed class StepLossesTests
{
    private static Dictionary<string, double> Losses(double global, double gan) => new() { ["global"] = global, ["gan"] = gan };

    [Fact]
    public void A_step_is_published_as_the_mean_over_its_shards_once_every_shard_is_reported()
    {
        var losses = new StepLosses();
        losses.Record("run", 0, 3, [0, 2], Losses(3.0, 0.5));
        Assert.Empty(losses.Latest("run"));

        losses.Record("run", 0, 3, [1], Losses(1.5, 0.25));
        Assert.Equal(Losses(1.5, 0.25), losses.Latest("run"));
        Assert.Empty(losses.Latest("other-run"));
    }

    [Fact]
    public void A_shard_counts_once_however_often_it_is_reported_and_older_steps_do_not_replace_newer_ones()
    {
        var losses = new StepLosses();
        losses.Record("run", 4, 2, [0], Losses(1, 1));
        losses.Record("run", 4, 2, [0], Losses(100, 100));   // the same shard again, from a re-placement
        losses.Record("run", 5, 2, [0, 1], Losses(8, 4));    // a later step completes first
        losses.Record("run", 4, 2, [1], Losses(3, 3));       // the earlier step's last shard arrives late
        Assert.Equal(Losses(4, 2), losses.Latest("run"));
    }
}
