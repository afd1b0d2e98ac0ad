using System.CommandLine;

namespace Orchestrator.Cli.Cluster;

/// <summary><c>status</c>: a cluster's workers and newest runs as its coordinator sees them, or one run in detail.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var coordinator = new Option<string>("--coordinator") { Description = "The coordinator's gRPC address", Required = true };
        var run = new Option<string?>("--run") { Description = "Show this run alone: stage, progress, latest losses, accuracy, error" };
        var sweep = new Option<string?>("--sweep") { Description = "Show this sweep alone: its runs and its results so far (mean ± std over the seeds finished)" };
        var limit = new Option<int>("--limit") { Description = "How many runs to list, newest first", DefaultValueFactory = _ => 20 };
        var command = new Command("status", "Show a cluster: its workers (device, pool, lease) and newest runs (state, stage, progress, accuracy)")
        {
            coordinator, run, sweep, limit, ClusterCommands.TokenFile, ClusterCommands.TlsAuthority,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            if (parse.GetValue(limit) < 1) throw new ArgumentException($"--limit {parse.GetValue(limit)} must be at least 1");
            using ControlClient control = ClusterCommands.Connect(parse, coordinator);
            if (parse.GetValue(run) is { } runId)
            {
                Console.Write(StatusTables.Run(await control.GetRunAsync(runId, cancellation)));
                return;
            }
            if (parse.GetValue(sweep) is { } sweepName)
            {
                Console.Write(StatusTables.Sweep(await control.GetSweepAsync(sweepName, cancellation)));
                return;
            }
            var cluster = await control.GetClusterAsync(cancellation);
            var runs = await control.ListRunsAsync(parse.GetValue(limit), cancellation);
            Console.Write(StatusTables.Workers(cluster, DateTimeOffset.UtcNow));
            Console.Write(StatusTables.Runs(runs, cluster));
        }));
        return command;
    }
}
