using System.CommandLine;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Cli.Cluster;

/// <summary><c>sweep</c>: submits a grid (seeds × IPC × settings) to a coordinator, waits for it, prints mean ± std across seeds.</summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var coordinator = ClusterCommands.CoordinatorAddress;
        var config = new Option<FileInfo>("--config", "-c") { Description = "Base run config (YAML or JSON)", Required = true };
        var axes = new Option<string[]>("--axis") { Description = "A grid axis, key=v1,v2 (repeatable); 'seed' and 'evaluate.ipc' included (without them: the config's seed and IPC list)", AllowMultipleArgumentsPerToken = false };
        var repeat = new Option<string>("--repeat-key") { Description = "The axis averaged over (mean ± std)", DefaultValueFactory = _ => "seed" };
        var name = new Option<string?>("--name") { Description = "Sweep name (default: the config file's name)" };
        var noWait = new Option<bool>("--no-wait") { Description = "Submit and return without waiting for the results" };
        var command = new Command("sweep", "Submit a sweep campaign; runs already done are skipped; writes results as CSV and JSON and prints them")
        {
            coordinator, config, axes, repeat, name, noWait, ClusterCommands.TokenFile, ClusterCommands.TlsAuthority,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            FileInfo file = parse.GetValue(config)!;
            var spec = new SweepSpec
            {
                Name = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(file.Name),
                BaseConfigYaml = File.ReadAllText(file.FullName),
                RepeatKey = parse.GetValue(repeat)!,
            };
            foreach (string axis in parse.GetValue(axes) ?? []) spec.Axes.Add(ParseAxis(axis));
            using var control = ClusterCommands.Connect(parse, coordinator);
            SubmitSweepResponse submitted = await control.SubmitSweepAsync(spec, cancellation);
            Console.WriteLine($"sweep {submitted.SweepId}: {submitted.RunIds.Count} runs, {submitted.RunsSubmitted} queued, {submitted.RunsSkipped} already queued or done");
            if (parse.GetValue(noWait)) return 0;
            SweepStatus status;
            // A campaign runs for hours: a line when a run ends (a failure with its reason, at once), else one every 10 minutes.
            int shown = -1;
            var failures = new HashSet<string>();
            var sinceLine = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                status = await control.GetSweepAsync(submitted.SweepId, cancellation);
                foreach (RunStatus failed in status.Runs.Where(r => r.State == RunState.Failed && failures.Add(r.RunId)))
                    Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} run {failed.RunId} failed: {failed.Error}");
                int finished = StatusTables.Finished(status);
                if (finished != shown || sinceLine.Elapsed >= TimeSpan.FromMinutes(10))
                {
                    Console.WriteLine($"{DateTime.Now:HH:mm:ss} {finished}/{status.Runs.Count} runs finished");
                    shown = finished;
                    sinceLine.Restart();
                }
                if (finished == status.Runs.Count) break;
                await Task.Delay(TimeSpan.FromSeconds(10), cancellation);
            }
            Console.WriteLine();
            Console.Write(StatusTables.SweepResults(status));
            Console.WriteLine("results.csv and results.json are in the coordinator's sweeps/<name>/ folder");
            // Exit 1 when a run did not succeed, so a Job or script sees it (submitting the sweep again retries those runs).
            int unsuccessful = status.Runs.Count(r => r.State != RunState.Succeeded);
            if (unsuccessful == 0) return 0;
            Console.Error.WriteLine($"orchestrator: sweep {status.Name}: {unsuccessful} of {status.Runs.Count} runs did not succeed; submitting the sweep again retries them");
            return 1;
        }));
        return command;
    }

    private static SweepAxis ParseAxis(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1) throw new ArgumentException($"axis '{text}' must read key=value1,value2");
        var axis = new SweepAxis { Key = text[..eq].Trim() };
        axis.Values.AddRange(text[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return axis;
    }
}
