using System.Text.RegularExpressions;
using Orchestrator.Cli.Tests.Deployment;

namespace Orchestrator.Metrics.Tests.Alerting;

/// <summary>
/// The alerting rules the chart ships (helm/orchestrator/rules) are valid for Prometheus, fire and stay quiet as
/// orchestrator.rules.test.yaml says under Prometheus' own rule engine, and use only series the product exports.
/// </summary>
public sealed partial class AlertRulesTests
{
    private static readonly string Rules = Path.Combine(RepositoryPaths.Root, "helm", "orchestrator", "rules", "orchestrator.rules.yaml");
    private static readonly string UnitTests = Path.Combine(RepositoryPaths.Root, "tests", "Orchestrator.Metrics.Tests", "Alerting", "orchestrator.rules.test.yaml");

    [Fact]
    public async Task Promtool_finds_the_rules_valid()
    {
        var (exitCode, output) = await ExternalTool.RunAsync(ExternalTool.Promtool, $"check rules {Rules}", "");
        Assert.True(exitCode == 0, $"promtool check rules exited {exitCode}: {output}");
        Assert.Contains("SUCCESS: 5 rules found", output);
    }

    [Fact]
    public async Task Each_alert_fires_and_stays_quiet_as_its_unit_tests_say()
    {
        var (exitCode, output) = await ExternalTool.RunAsync(ExternalTool.Promtool, $"test rules {UnitTests}", "");
        Assert.True(exitCode == 0, $"promtool test rules exited {exitCode}: {output}");
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public void Every_alert_has_unit_tests()
    {
        var alerts = AlertName().Matches(File.ReadAllText(Rules)).Select(m => m.Groups[1].Value).ToList();
        var tested = TestedAlertName().Matches(File.ReadAllText(UnitTests)).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(5, alerts.Count);
        Assert.All(alerts, alert => Assert.Contains(alert, tested));
    }

    [Fact]
    public void The_rules_use_only_series_the_product_exports()
    {
        var (metrics, exporter) = OrchestratorMetricsTests.Create();
        using (metrics)
        using (exporter)
        {
            OrchestratorMetricsTests.RecordEverything(metrics);
            var exported = Exposition.Samples(exporter.Scrape()).Keys.Select(k => k.Split('{')[0]).ToHashSet();
            var used = SeriesName().Matches(File.ReadAllText(Rules)).Select(m => m.Value).Distinct().ToList();
            Assert.NotEmpty(used);
            Assert.All(used, name => Assert.Contains(name, exported));
        }
    }

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (\w+)")]
    private static partial Regex TestedAlertName();

    [GeneratedRegex(@"\borchestrator_[a-z_]+")]
    private static partial Regex SeriesName();
}
