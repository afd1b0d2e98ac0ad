using System.CommandLine;
using Google.Protobuf;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary><c>status</c>: a cluster's workers and newest runs as its coordinator sees them, or one run in detail.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var coordinator = ClusterCommands.CoordinatorAddress;
        var run = new Option<string?>("--run") { Description = "Show this run alone: stage, progress, latest losses, accuracy, error" };
        var sweep = new Option<string?>("--sweep") { Description = "Show this sweep alone: its runs and its results so far (mean ± std over the seeds finished)" };
        var limit = new Option<int>("--limit") { Description = "How many runs to list, newest first", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the coordinator's answer as JSON (control.proto's messages, protobuf's JSON mapping) for scripts" };
        var command = new Command("status", "Show a cluster: its workers (device, pool, lease) and newest runs (state, stage, progress, accuracy)")
        {
            coordinator, run, sweep, limit, json, ClusterCommands.TokenFile, ClusterCommands.TlsAuthority,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            if (parse.GetValue(limit) < 1) throw new ArgumentException($"--limit {parse.GetValue(limit)} must be at least 1");
            using ControlClient control = ClusterCommands.Connect(parse, coordinator);
            bool asJson = parse.GetValue(json);
            if (parse.GetValue(run) is { } runId)
            {
                RunStatus status = await control.GetRunAsync(runId, cancellation);
                Console.Write(asJson ? Json(status) : StatusTables.Run(status));
                return;
            }
            if (parse.GetValue(sweep) is { } sweepName)
            {
                SweepStatus status = await control.GetSweepAsync(sweepName, cancellation);
                Console.Write(asJson ? Json(status) : StatusTables.Sweep(status));
                return;
            }
            ClusterStatus cluster = await control.GetClusterAsync(cancellation);
            IReadOnlyList<RunStatus> runs = await control.ListRunsAsync(parse.GetValue(limit), cancellation);
            if (asJson)
            {
                Console.Write($"{{\"cluster\": {JsonFormatter.Default.Format(cluster)}, \"runs\": [{string.Join(", ", runs.Select(r => JsonFormatter.Default.Format(r)))}]}}\n");
                return;
            }
            Console.Write(StatusTables.Workers(cluster, DateTimeOffset.UtcNow));
            Console.Write(StatusTables.Runs(runs, cluster));
        }));
        return command;
    }

    private static string Json(IMessage message) => JsonFormatter.Default.Format(message) + "\n";
}
