using Orchestrator.Bench;
using static Orchestrator.Torch.torch;

// Usage: Orchestrator.Bench <convnet|cgan> [--threads T] [--warmup W] [--steps N] [--batch B] [--width C] [--seed S]
//                             [--conv-transpose auto|native|subpixel] [--keep-freed-memory yes|no]
// Prints one JSON line with the per-step times (ms) and losses; bench/torch-step.sh runs it beside the python side.
//        Orchestrator.Bench allreduce --rank R --world N --rendezvous DIR --floats F[,F...] [--warmup W] [--iterations K] [--chunk-elements C] [--client product|grpc-ring|grpc-lane|raw-tcp|raw-direct|raw-ring-rs|raw-ring-ag]
// One rank of the gRPC all-reduce; bench/allreduce.sh starts N of them beside N Gloo ranks.
if (args.Length > 0 && args[0] == "allreduce")
{
    AllReduceOptions allReduce;
    try
    {
        allReduce = AllReduceOptions.Parse(args[1..]);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
    using var interrupted = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted.Cancel(); };
    await AllReduceBenchmark.RunAsync(allReduce, interrupted.Token);
    return 0;
}
var benchmarks = new Dictionary<string, (BenchOptions defaults, Action<BenchOptions> run)>
{
    ["convnet"] = (ConvNetBenchmark.Defaults, ConvNetBenchmark.Run),
    ["cgan"] = (CganBenchmark.Defaults, CganBenchmark.Run),
};
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine($"usage: Orchestrator.Bench <{string.Join("|", [.. benchmarks.Keys, "allreduce"])}> [--threads T] [--warmup W] [--steps N] [--batch B] [--width C] [--seed S] [--conv-transpose auto|native|subpixel] [--keep-freed-memory yes|no]");
    return 2;
}
BenchOptions options;
try
{
    options = BenchOptions.Parse(args[1..], benchmark.defaults);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
set_num_threads(options.Threads);
nn.functional.conv_transpose2d_mode = options.ConvTranspose;
if (options.KeepFreedMemory) keep_freed_memory();
benchmark.run(options);
return 0;
