using System.Globalization;
using System.Text;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary>The cluster's workers and runs as aligned text tables, for <c>status</c>.</summary>
internal static class StatusTables
{
    public static string Workers(ClusterStatus cluster, DateTimeOffset now)
    {
        if (cluster.Workers.Count == 0) return "workers: none registered\n";
        var rows = new List<string[]> { new[] { "worker", "state", "device", "pool", "address", "lease" } };
        foreach (WorkerStatus worker in cluster.Workers.OrderBy(w => w.WorkerId, StringComparer.Ordinal))
        {
            double lease = (worker.LeaseExpiresAt.ToDateTimeOffset() - now).TotalSeconds;
            rows.Add([worker.WorkerId, worker.State == WorkerState.Dead ? "dead" : "live", worker.Device?.Name ?? "", string.Join(",", worker.Architectures), worker.Address,
                worker.State == WorkerState.Dead ? "-" : lease >= 0 ? $"{lease:F0} s left" : $"lapsed {-lease:F0} s ago"]);
        }
        return $"workers: {cluster.Workers.Count(w => w.State != WorkerState.Dead)} live of {cluster.Workers.Count}\n" + Align(rows);
    }

    public static string Runs(IReadOnlyList<RunStatus> runs, ClusterStatus cluster)
    {
        string counts = string.Join(", ", cluster.RunsByState.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {RunFollower.State(Enum.Parse<RunState>(kv.Key))}"));
        return runs.Count == 0 ? "runs: none\n" : $"runs: {counts}; the newest {runs.Count}\n" + RunRows(runs);
    }

    /// <summary>One line per run, then the errors of those that failed.</summary>
    private static string RunRows(IEnumerable<RunStatus> runs)
    {
        var rows = new List<string[]> { new[] { "run", "state", "stage", "progress", "accuracy", "sweep" } };
        foreach (RunStatus run in runs)
            rows.Add([run.RunId, RunFollower.State(run.State), run.Stage == RunStage.Unspecified ? "-" : RunFollower.Name(run.Stage), Progress(run), RunFollower.Accuracies(run) is { Length: > 0 } a ? a : "-",
                run.SweepId.Length > 0 ? run.SweepId : "-"]);
        return Align(rows) + string.Concat(runs.Where(r => r.Error.Length > 0).Select(r => $"  {r.RunId}: {r.Error}\n"));
    }

    /// <summary>One run: its state and stage, progress, latest losses and results.</summary>
    public static string Run(RunStatus run)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"run {run.RunId}: {RunFollower.State(run.State)}");
        if (run.Stage != RunStage.Unspecified) text.Append(CultureInfo.InvariantCulture, $", {RunFollower.Name(run.Stage)} {Progress(run)}");
        text.Append('\n');
        if (run.Losses.Count > 0)
            text.AppendLine(CultureInfo.InvariantCulture, $"losses: {RunFollower.Losses(run)}");
        if (RunFollower.Accuracies(run) is { Length: > 0 } accuracy) text.AppendLine(CultureInfo.InvariantCulture, $"accuracy (distilled): {accuracy}");
        if (run.LatestCheckpointId.Length > 0) text.AppendLine(CultureInfo.InvariantCulture, $"checkpoint: {run.LatestCheckpointId}");
        if (run.Error.Length > 0) text.AppendLine(CultureInfo.InvariantCulture, $"error: {run.Error}");
        text.AppendLine(CultureInfo.InvariantCulture, $"queued {run.CreatedAt.ToDateTimeOffset():u}, last change {run.UpdatedAt.ToDateTimeOffset():u}");
        return text.ToString();
    }

    /// <summary>A sweep's runs that have ended, however they ended.</summary>
    public static int Finished(SweepStatus sweep) => sweep.Runs.Count(r => RunFollower.IsTerminal(r.State));

    /// <summary>A sweep's results so far: test accuracy in percent, mean ± std over the seeds finished, per setting and IPC.</summary>
    public static string SweepResults(SweepStatus sweep)
    {
        var text = new StringBuilder("| setting | IPC | accuracy % (mean ± std) | seeds |\n|---------|-----|--------------------------|-------|\n");
        foreach (SweepResultRow row in sweep.Results)
            text.Append(CultureInfo.InvariantCulture,
                $"| {row.Settings.GetValueOrDefault("setting", "")} | {row.Settings.GetValueOrDefault("ipc", "")} | {row.Mean:F2} ± {row.Std:F2} | {row.Count} |\n");
        return text.ToString();
    }

    /// <summary>A sweep: how many of its runs ended, its runs, and its results so far.</summary>
    public static string Sweep(SweepStatus sweep) =>
        $"sweep {sweep.Name}: {Finished(sweep)}/{sweep.Runs.Count} runs finished\n" + RunRows(sweep.Runs) + "\n" + SweepResults(sweep);

    private static string Progress(RunStatus run) => run.Stage switch
    {
        RunStage.Match => $"step {run.Step}/{run.TotalSteps}",
        RunStage.Evaluate => $"units {run.EvaluationUnitsDone}/{run.EvaluationUnitsTotal}",
        _ => "-",
    };

    private static string Align(List<string[]> rows)
    {
        int[] widths = [.. Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length))];
        var text = new StringBuilder();
        foreach (string[] row in rows) text.Append(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
        return text.ToString();
    }
}
