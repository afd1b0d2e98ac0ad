using System.CommandLine;
using Orchestrator.Distillation.Configuration;
using Orchestrator.Distillation.Progress;
using Orchestrator.Distillation.Stages;

namespace Orchestrator.Cli;

/// <summary>The <c>orchestrator</c> command line: one subcommand per stage, and <c>run</c> for all of them.</summary>
public static class OrchestratorCommand
{
    private static readonly Option<FileInfo?> ConfigOption = new("--config", "-c") { Description = "Run config (YAML or JSON); METHOD.md defaults where it is silent" };
    private static readonly Option<string[]> SetOption = new("--set", "-s")
    {
        Description = "Override a config key, e.g. --set match.epochs=5 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };
    private static readonly Option<string?> OutputOption = new("--output", "-o") { Description = "Run folder (overrides the config's output)" };

    public static RootCommand Create()
    {
        var root = new RootCommand("Generative dataset distillation: distils a labelled image dataset into a conditional GAN generator.");
        root.Add(RunCommand());
        root.Add(StageCommand("pretrain", "Stage 1: pretrain the conditional GAN, keeping the best scored checkpoint", (c, ct) => new PretrainStage(c).Run(ct)));
        root.Add(StageCommand("distill", "Stage 2: match the generator's images to the real data through the model pool", (c, ct) => new MatchStage(c).Run(ct)));
        root.Add(StageCommand("evaluate", "Stage 3: train fresh networks on generated sets and report test accuracy beside the baselines", (c, ct) => Print(c, new EvaluateStage(c).Run(ct))));
        root.Add(GenerateCommand());
        root.Add(Cluster.ClusterCommands.Coordinator());
        root.Add(Cluster.ClusterCommands.Worker());
        root.Add(Cluster.SweepCommand.Create());
        root.Add(Cluster.StatusCommand.Create());
        root.Add(Cluster.CancelCommand.Create());
        return root;
    }

    /// <summary>
    /// <c>run</c>: all stages. By default on an embedded cluster (a coordinator here, N local worker processes, the
    /// gRPC all-reduce); <c>--single-process</c> runs the pipeline in this process instead, and <c>--coordinator</c>
    /// submits it to a standing cluster.
    /// </summary>
    private static Command RunCommand()
    {
        var workers = new Option<int>("--workers", "-w") { Description = "Local worker processes of the embedded cluster", DefaultValueFactory = _ => 2 };
        var single = new Option<bool>("--single-process") { Description = "Run every stage in this process (no coordinator, no workers)" };
        var lease = new Option<double>("--lease-seconds") { Description = "Embedded cluster: a worker silent this long is declared dead", DefaultValueFactory = _ => 10 };
        var coordinator = new Option<string>("--coordinator") { Description = "Submit the run to this standing cluster's coordinator and follow it, instead of an embedded cluster" };
        var command = new Command("run", "All stages: pretrain the cGAN, distil it, evaluate against the Random and cGAN baselines")
        {
            ConfigOption, SetOption, OutputOption, workers, single, lease, coordinator, Cluster.ClusterCommands.TokenFile, Cluster.ClusterCommands.TlsAuthority,
        };
        command.SetAction((parse, cancellation) =>
        {
            if (parse.GetValue(coordinator) is not null)
                return CommandErrors.Guard(async () =>
                {
                    if (parse.GetValue(single) || parse.GetResult(workers) is { Implicit: false } || parse.GetResult(lease) is { Implicit: false })
                        throw new ArgumentException("--coordinator submits to a standing cluster: --single-process, --workers and --lease-seconds are for running here");
                    using Cluster.ControlClient control = Cluster.ClusterCommands.Connect(parse, coordinator);
                    return await Cluster.RemoteRun.RunAsync(control, parse.GetValue(ConfigOption)?.FullName, parse.GetValue(SetOption) ?? [], parse.GetValue(OutputOption), cancellation);
                });
            if (parse.GetResult(Cluster.ClusterCommands.TokenFile) is not null || parse.GetResult(Cluster.ClusterCommands.TlsAuthority) is not null)
                return CommandErrors.Guard(() => throw new ArgumentException("--token-file and --tls-ca are for --coordinator; the embedded cluster makes its own token"));
            if (parse.GetValue(single)) return Execute(parse, context => RunAll(context, cancellation));
            return CommandErrors.Guard(() => parse.GetValue(workers) < 1
                ? throw new ArgumentException($"--workers {parse.GetValue(workers)} must be at least 1")
                : Cluster.LocalCluster.RunAsync(parse.GetValue(ConfigOption)?.FullName, parse.GetValue(SetOption) ?? [],
                    parse.GetValue(OutputOption), parse.GetValue(workers), parse.GetValue(lease), cancellation));
        });
        return command;
    }

    private static Command StageCommand(string name, string description, Action<RunContext, CancellationToken> body)
    {
        var command = new Command(name, description) { ConfigOption, SetOption, OutputOption };
        command.SetAction((parse, cancellation) => Execute(parse, context => body(context, cancellation)));
        return command;
    }

    private static Command GenerateCommand()
    {
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Generator checkpoint (default: the run's distilled generator)" };
        var ipc = new Option<int>("--ipc") { Description = "Images per class", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong?>("--seed") { Description = "Sampling seed (default: the run seed)" };
        var output = new Option<FileInfo?>("--out") { Description = "Output .safetensors (a .png grid is written beside it)" };
        var command = new Command("generate", "Deploy: draw IPC images per class from a generator into a safetensors set and a PNG grid")
        {
            ConfigOption, SetOption, OutputOption, checkpoint, ipc, seed, output,
        };
        command.SetAction((parse, cancellation) => Execute(parse, context =>
        {
            string path = new GenerateStage(context).Run(parse.GetValue(checkpoint)?.FullName ?? context.Paths.DistilledGenerator,
                parse.GetValue(ipc), parse.GetValue(seed) ?? context.Config.Seed, parse.GetValue(output)?.FullName);
            Console.WriteLine($"wrote {path} and {Path.ChangeExtension(path, ".png")}");
        }));
        return command;
    }

    private static void RunAll(RunContext context, CancellationToken cancellation)
    {
        var (report, seconds) = Pipeline.Run(context, cancellation);
        Print(context, report);
        foreach (var (stage, s) in seconds) Console.WriteLine($"{stage}: {TimeSpan.FromSeconds(s):hh\\:mm\\:ss}");
    }

    private static void Print(RunContext context, EvaluationReport report)
    {
        Console.WriteLine();
        Console.Write(report.ToTable());
        Console.WriteLine($"report: {context.Paths.ReportText}");
    }

    /// <summary>
    /// The embedded cluster keeps each run in a folder of its own under the config's output (<c>output/run-…/</c>); a
    /// stage command pointed at that output, which holds no run itself, is told which runs are there.
    /// </summary>
    private static void HintClusterRuns(string output)
    {
        if (!Directory.Exists(output) || File.Exists(Path.Combine(output, "config.json"))) return;
        string[] runs = [.. new DirectoryInfo(output).GetDirectories("run-*").Where(d => File.Exists(Path.Combine(d.FullName, "config.json")))
            .OrderByDescending(d => d.LastWriteTimeUtc).Select(d => Path.Combine(output, d.Name))];
        if (runs.Length > 0)
            Console.Error.WriteLine($"note: {output} holds no run of its own but the cluster's runs {string.Join(", ", runs)} (newest first); --output {runs[0]} uses the newest");
    }

    /// <summary>Loads the config, opens the run and runs <paramref name="body"/>; bad input becomes a one-line error and exit code 2.</summary>
    private static Task<int> Execute(ParseResult parse, Action<RunContext> body) => CommandErrors.Guard(() =>
    {
        var overrides = parse.GetValue(SetOption) ?? [];
        RunConfig config = RunConfigLoader.Load(parse.GetValue(ConfigOption)?.FullName, overrides);
        if (parse.GetValue(OutputOption) is { } output) config.Output = output;
        HintClusterRuns(config.Output);
        using RunContext context = Pipeline.Open(config, TextProgressReporter.ForConsole());
        body(context);
        return Task.CompletedTask;
    });
}
