using Orchestrator.Distillation.Configuration;
using Orchestrator.Transport;

namespace Orchestrator.Cli;

/// <summary>Turns bad input into one line on stderr and exit code 2 (130 when interrupted), never a stack trace.</summary>
internal static class CommandErrors
{
    public static Task<int> Guard(Func<Task> body) => Guard(async () =>
    {
        await body();
        return 0;
    });

    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            // A refusal from a server reads as its message, with the status code for scripts to match.
            Console.Error.WriteLine($"orchestrator: {RpcException.Describe(e)}");
            return e is OperationCanceledException ? 130 : 2;
        }
    }

    public static bool IsUserError(Exception e) =>
        e is ConfigException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException
            or OperationCanceledException or RpcException or HttpRequestException or UnauthorizedAccessException;
}
