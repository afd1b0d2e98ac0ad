using System.CommandLine;

namespace Orchestrator.Cli.Cluster;

/// <summary><c>cancel</c>: stops a queued or running run; its workers drop its shards at the next placement.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var coordinator = new Option<string>("--coordinator") { Description = "The coordinator's gRPC address", Required = true };
        var run = new Argument<string>("run") { Description = "The run's id (as `status` lists it)" };
        var command = new Command("cancel", "Cancel a queued or running run")
        {
            run, coordinator, ClusterCommands.TokenFile, ClusterCommands.TlsAuthority,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            using ControlClient control = ClusterCommands.Connect(parse, coordinator);
            string runId = parse.GetValue(run)!;
            Console.WriteLine($"run {runId}: {RunFollower.State(await control.CancelRunAsync(runId, cancellation))}");
        }));
        return command;
    }
}
