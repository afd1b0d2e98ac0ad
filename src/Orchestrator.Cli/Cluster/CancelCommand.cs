using System.CommandLine;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary><c>cancel</c>: stops a queued or running run, or every such run of a sweep; workers drop their shards at the next placement.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var coordinator = ClusterCommands.CoordinatorAddress;
        var run = new Argument<string?>("run") { Description = "The run's id (as `status` lists it)", Arity = ArgumentArity.ZeroOrOne };
        var sweep = new Option<string?>("--sweep") { Description = "Cancel every queued or running run of this sweep instead (those already ended stay as they are)" };
        var command = new Command("cancel", "Cancel a queued or running run, or the unfinished runs of a sweep")
        {
            run, coordinator, sweep, ClusterCommands.TokenFile, ClusterCommands.TlsAuthority,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            string? runId = parse.GetValue(run), sweepName = parse.GetValue(sweep);
            if ((runId is null) == (sweepName is null)) throw new ArgumentException("name a run, or a sweep with --sweep (not both)");
            using ControlClient control = ClusterCommands.Connect(parse, coordinator);
            IEnumerable<string> runs = runId is not null ? [runId]
                : (await control.GetSweepAsync(sweepName!, cancellation)).Runs.Where(r => r.State is RunState.Queued or RunState.Running).Select(r => r.RunId).ToList();
            int cancelled = 0;
            foreach (string id in runs)
            {
                try
                {
                    Console.WriteLine($"run {id}: {RunFollower.State(await control.CancelRunAsync(id, cancellation))}");
                    cancelled++;
                }
                catch (Transport.RpcException e) when (sweepName is not null && e.StatusCode == Transport.StatusCode.FailedPrecondition)
                {
                    // It ended between the listing and the cancel.
                    Console.WriteLine($"run {id}: {e.Status.Detail}");
                }
            }
            if (sweepName is not null) Console.WriteLine($"sweep {sweepName}: {cancelled} unfinished run(s) cancelled");
        }));
        return command;
    }
}
