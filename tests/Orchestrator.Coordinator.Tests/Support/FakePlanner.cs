using Orchestrator.Coordinator.Runs;

namespace Orchestrator.Coordinator.Tests.Support;

/// <summary>
/// A planner reading the few keys the tests use (seed, evaluate.ipc, evaluate.runs, match.steps, match.shards,
/// match.pool) from the config's key=value lines, then the overrides; shard s of step t draws pool[(t + s) mod |pool|]; the evaluation has rows random and distilled, 2 runs
/// each by default. An override of key "invalid" is refused, as a real planner refuses a bad key. Reports it is asked
/// to write are kept in <see cref="Reports"/>; the next <see cref="FailingReports"/> writes throw, as a full disk does.
/// </summary>
public sealed class FakePlanner(long steps = 2, int shards = 3, params string[] pool) : IRunPlanner
{
    private readonly string[] _pool = pool.Length > 0 ? pool : ["ConvNet", "ResNet18"];

    public List<(RunPlan Plan, IReadOnlyList<EvaluationResult> Results)> Reports { get; } = [];

    public int FailingReports { get; set; }

    public RunPlan Plan(RunSpec spec)
    {
        var settings = new Dictionary<string, string>();
        foreach (string[] kv in spec.Config.Split('\n').Where(line => line.Contains('=')).Concat(spec.Overrides).Select(o => o.Split('=', 2)))
            settings[kv[0].Trim()] = kv[1].Trim();
        if (settings.ContainsKey("invalid")) throw new ArgumentException("invalid: not a config key");
        return new RunPlan(
            ulong.Parse(settings.GetValueOrDefault("seed", "0")),
            long.Parse(settings.GetValueOrDefault("match.steps", steps.ToString())),
            int.Parse(settings.GetValueOrDefault("match.shards", shards.ToString())),
            List(settings.GetValueOrDefault("evaluate.ipc", "[1, 10]")).Select(int.Parse).ToList(),
            settings.TryGetValue("match.pool", out string? p) ? List(p) : _pool,
            1000,
            ["random", "distilled"],
            int.Parse(settings.GetValueOrDefault("evaluate.runs", "2")));
    }

    public void WriteReport(RunPlan plan, IReadOnlyList<EvaluationResult> results)
    {
        lock (Reports)
        {
            if (FailingReports > 0)
            {
                FailingReports--;
                throw new IOException("No space left on device");
            }
            Reports.Add((plan, [.. results]));
        }
    }

    public string ArchitectureOf(RunPlan plan, long step, int shard) => plan.Pool[(int)((step + shard) % plan.Pool.Count)];

    private static List<string> List(string text) => [.. text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
