namespace Orchestrator.Metrics.Tests;

/// <summary>The product's instruments: exported names, label sets, values, label bounds and Prometheus' own lint.</summary>
public sealed class OrchestratorMetricsTests
{
    internal static (OrchestratorMetrics Metrics, PrometheusExporter Exporter) Create()
    {
        string meterName = "Test." + Guid.NewGuid().ToString("N");
        return (new OrchestratorMetrics(new OrchestratorMetricsOptions { MeterName = meterName }), new PrometheusExporter(meterName));
    }

    internal static void RecordEverything(OrchestratorMetrics metrics)
    {
        metrics.RecordStep(TimeSpan.FromMilliseconds(300));
        metrics.RecordStep(TimeSpan.FromSeconds(2));
        metrics.RecordLoss("global", 0.75);
        metrics.RecordLoss("local", 0.125);
        metrics.RecordAllReduce(1_000_000, TimeSpan.FromSeconds(0.5), ranks: 4);
        metrics.RecordAllReduce(3_000_000, TimeSpan.FromSeconds(1), ranks: 4);
        metrics.RecordShardComputed("worker-0");
        metrics.RecordShardComputed("worker-0");
        metrics.RecordShardComputed("worker-1");
        metrics.SetWorkerUp("worker-0", true);
        metrics.SetWorkerUp("worker-1", false);
        metrics.RecordWorkerRestart("worker-1");
        metrics.SetRuns("running", 2);
        metrics.SetRuns("failed", 1);
    }

    [Fact]
    public void Every_instrument_exports_under_its_documented_name_and_labels()
    {
        var (metrics, exporter) = Create();
        using (metrics)
        using (exporter)
        {
            RecordEverything(metrics);
            var samples = Exposition.Samples(exporter.Scrape());

            Assert.Equal(2, samples["orchestrator_step_duration_seconds_count"]);
            Assert.Equal(2.3, samples["orchestrator_step_duration_seconds_sum"], 12);
            Assert.Equal(1, samples["orchestrator_step_duration_seconds_bucket{le=\"0.5\"}"]);
            Assert.Equal(OrchestratorMetrics.StepDurationBuckets.Count + 1, samples.Keys.Count(k => k.StartsWith("orchestrator_step_duration_seconds_bucket")));
            Assert.Equal(0.75, samples["orchestrator_loss{component=\"global\"}"]);
            Assert.Equal(0.125, samples["orchestrator_loss{component=\"local\"}"]);
            Assert.Equal(4_000_000, samples["orchestrator_allreduce_bytes_total"]);
            Assert.Equal(2, samples["orchestrator_allreduce_duration_seconds_count"]);
            Assert.Equal(1, samples["orchestrator_allreduce_duration_seconds_bucket{le=\"0.5\"}"]);
            // The last all-reduce: 3 MB in 1 s over 4 ranks, algbw 3e6 B/s, busbw = 3e6 · 2·3/4.
            Assert.Equal(4.5e6, samples["orchestrator_allreduce_bus_bandwidth_bytes_per_second"]);
            Assert.Equal(2, samples["orchestrator_shards_computed_total{worker=\"worker-0\"}"]);
            Assert.Equal(1, samples["orchestrator_shards_computed_total{worker=\"worker-1\"}"]);
            Assert.Equal(1, samples["orchestrator_worker_up{worker=\"worker-0\"}"]);
            Assert.Equal(0, samples["orchestrator_worker_up{worker=\"worker-1\"}"]);
            Assert.Equal(1, samples["orchestrator_worker_restarts_total{worker=\"worker-1\"}"]);
            Assert.Equal(2, samples["orchestrator_runs{state=\"running\"}"]);
            Assert.Equal(1, samples["orchestrator_runs{state=\"failed\"}"]);
            foreach (string state in new[] { "pending", "succeeded", "cancelled" }) Assert.Equal(0, samples[$"orchestrator_runs{{state=\"{state}\"}}"]);
        }
    }

    [Fact]
    public async Task Promtool_finds_the_full_scrape_valid_and_lint_clean()
    {
        var (metrics, exporter) = Create();
        using (metrics)
        using (exporter)
        {
            RecordEverything(metrics);

            var (exitCode, output) = await ExternalTool.RunAsync(ExternalTool.Promtool, "check metrics", exporter.Scrape());

            Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics exited {exitCode}: {output}");
        }
    }

    [Theory]
    [InlineData(1, 0.0)]       // one rank moves nothing over the bus
    [InlineData(2, 1.0)]       // 2(n−1)/n = 1
    [InlineData(8, 1.75)]
    public void Bus_bandwidth_is_algorithm_bandwidth_times_two_n_minus_one_over_n(int ranks, double factor)
    {
        Assert.Equal(2e9 * factor, OrchestratorMetrics.BusBandwidth(1_000_000_000, 0.5, ranks), 6);
    }

    [Fact]
    public void Label_values_outside_their_closed_sets_are_refused_by_name()
    {
        var (metrics, exporter) = Create();
        using (metrics)
        using (exporter)
        {
            var component = Assert.Throws<ArgumentException>(() => metrics.RecordLoss("seed-17", 1));
            var state = Assert.Throws<ArgumentException>(() => metrics.SetRuns("exploded", 1));
            Assert.Throws<ArgumentException>(() => metrics.RecordShardComputed(" "));
            Assert.Throws<ArgumentOutOfRangeException>(() => metrics.RecordAllReduce(10, TimeSpan.FromSeconds(1), ranks: 0));

            Assert.Contains("'seed-17'", component.Message);
            Assert.Contains("global", component.Message);
            Assert.Contains("'exploded'", state.Message);
            Assert.DoesNotContain("orchestrator_loss", exporter.Scrape());
        }
    }

    [Fact]
    public void A_removed_worker_leaves_the_up_gauge_and_an_instant_all_reduce_sets_no_bandwidth()
    {
        var (metrics, exporter) = Create();
        using (metrics)
        using (exporter)
        {
            metrics.SetWorkerUp("worker-0", true);
            metrics.SetWorkerUp("worker-1", true);
            metrics.RemoveWorker("worker-0");
            metrics.RecordAllReduce(100, TimeSpan.Zero, ranks: 2);

            var samples = Exposition.Samples(exporter.Scrape());

            Assert.Equal(["orchestrator_worker_up{worker=\"worker-1\"}"], samples.Keys.Where(k => k.StartsWith("orchestrator_worker_up")));
            Assert.Equal(100, samples["orchestrator_allreduce_bytes_total"]);
            Assert.DoesNotContain(samples.Keys, k => k.StartsWith("orchestrator_allreduce_bus_bandwidth"));
        }
    }
}
