using Orchestrator.Coordinator.Runs;

namespace Orchestrator.Coordinator.Sweeps;

/// <summary>
/// A sweep's results: test accuracy in percent (runs hold fractions; their reports print percent), mean ± std across
/// seeds for each (setting, IPC), settings in grid order, IPC ascending. Only completed runs count;
/// <see cref="Expected"/> says how many runs each setting has, to show what is missing.
/// </summary>
public sealed record ResultTable(string Sweep, IReadOnlyList<ResultRow> Rows, IReadOnlyList<string> Settings, IReadOnlyList<int> Ipc,
    IReadOnlyDictionary<string, int> Expected)
{
    public static ResultTable Aggregate(SweepSnapshot sweep)
    {
        var settings = sweep.Members.OrderBy(m => m.Order).Select(m => m.Setting).Distinct().ToList();
        var expected = sweep.Members.GroupBy(m => m.Setting).ToDictionary(g => g.Key, g => g.Count());
        var rows = new List<ResultRow>();
        foreach (string setting in settings)
        {
            var done = sweep.Members.Where(m => m.Setting == setting && m.Status == RunStatus.Completed).OrderBy(m => m.Seed).ToList();
            foreach (int ipc in sweep.Spec.Ipc.Order())
            {
                var withIpc = done.Where(m => m.Accuracy.ContainsKey(ipc)).ToList();
                if (withIpc.Count == 0) continue;
                double[] values = [.. withIpc.Select(m => m.Accuracy[ipc] * 100)];
                double mean = values.Average();
                double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
                rows.Add(new ResultRow(setting, ipc, values.Length, mean, std, [.. withIpc.Select(m => m.Seed)]));
            }
        }
        return new ResultTable(sweep.Name, rows, settings, [.. sweep.Spec.Ipc.Order()], expected);
    }
}
