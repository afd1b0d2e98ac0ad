using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Orchestrator.Distillation.Progress;
using Orchestrator.Transport.Lanes;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;
using Orchestrator.Worker;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Bench;

/// <summary>
/// One rank of the all-reduce benchmark, run as its own process: a worker's gRPC endpoint and ShardOrderedAllReduce
/// exactly as a worker sets them up, one shard per rank. Per buffer size: warm-up then timed all-reduces, each
/// started after a barrier (<see cref="MeshBarrier"/>), each result checked against the exact expected sum; the process's CPU time per all-reduce
/// is kept beside its wall time. Prints one JSON line (the runner,
/// bench/python/allreduce.py, takes the slowest rank per iteration).
/// </summary>
public static class AllReduceBenchmark
{
    internal const string Token = "allreduce-bench";
    internal const int MaxMessageSize = 64 * 1024 * 1024;

    public static async Task RunAsync(AllReduceOptions options, CancellationToken cancellationToken)
    {
        using MeshBarrier mesh = await MeshBarrier.ConnectAsync(options, cancellationToken);
        Func<Task> barrier = () =>
        {
            mesh.Wait();
            return Task.CompletedTask;
        };
        if (options.RawTcp || options.Client == "grpc-lane")
        {
            using IBlockingAllReduce tcp = options.Client switch
            {
                "raw-tcp" => await RawTcpRing.ConnectAsync(options, cancellationToken),
                "grpc-lane" => await LaneRing.ConnectAsync(options, cancellationToken),
                _ => await RawTcpMesh.ConnectAsync(options, options.Mesh, cancellationToken),
            };
            var raw = await MeasureAsync(options, barrier,
                values => Task.Run(() => (tcp.AllReduce(values), (long)values.Length * 4 * 2 * (options.World - 1) / options.World), cancellationToken));
            Print(options, raw);
            return;
        }

        if (options.Client == "grpc-ring")
        {
            await using GrpcRing grpcRing = await GrpcRing.ConnectAsync(options, cancellationToken);
            long exchanges = 0;
            var ringResults = await MeasureAsync(options, barrier, values => grpcRing.AllReduceAsync(exchanges++, values, cancellationToken));
            // Nobody leaves while a peer may still be pushing to it.
            mesh.Wait();
            Print(options, ringResults);
            return;
        }

        var workerOptions = new WorkerOptions { WorkerId = $"rank{options.Rank}", BearerToken = Token, ChunkElements = options.ChunkElements };
        var mailbox = new GradientMailbox();
        using var replicas = new RunReplicas(workerOptions, IProgressReporter.Silent);
        var endpoint = new WorkerEndpoint(workerOptions, mailbox, replicas);
        // Pushes are all the exchange takes: the worker's lane server alone (its gRPC endpoint serves state transfers).
        using var lanes = new InPlaceLaneServer(new GrpcServerOptions
        {
            BearerToken = Token, MaxReceiveMessageSize = MaxMessageSize, InPlaceMethods = { endpoint.InPlacePushGradients() },
        });
        IReadOnlyList<Uri> addresses = await FileRendezvous.ExchangeAsync(options.Rendezvous, options.Rank, options.World, lanes.Address, cancellationToken);
        IReadOnlyList<ExchangeMember> ring = [.. addresses.Select((address, rank) => new ExchangeMember(rank, $"rank{rank}", address, [rank]))];

        using var peers = new PeerLanes(new PushLaneOptions { BearerToken = Token });
        var allReduce = new ShardOrderedAllReduce(mailbox, peers);
        long reductions = 0;
        var results = await MeasureAsync(options, barrier, async values =>
        {
            // In place, as the worker reduces its one shard (and as Gloo does).
            var request = new ExchangeRequest(new ExchangeKey("bench", reductions++, 0), ring.Count, ring, options.Rank, options.ChunkElements);
            ExchangeOutcome outcome = await allReduce.RunAsync(request, [(options.Rank, values)], values, cancellationToken);
            return (outcome.Sum, outcome.BytesSent);
        });
        // Nobody leaves while a peer may still be pushing to it.
        mesh.Wait();
        Print(options, results);
    }

    /// <summary>Per buffer size: warm-up then timed all-reduces, each after a barrier, each result checked exact.</summary>
    private static async Task<List<Dictionary<string, object>>> MeasureAsync(AllReduceOptions options, Func<Task> barrier,
        Func<float[], Task<(float[] Sum, long BytesSent)>> allReduce)
    {
        var results = new List<Dictionary<string, object>>();
        foreach (int floats in options.Floats)
        {
            float[] pristine = Values(options.Rank, floats), mine = new float[floats];
            float[] expected = ExpectedSum(options.World, floats);
            var times = new List<double>();
            var cpuTimes = new List<double>();
            var starts = new List<long>();
            long bytesSent = 0;
            for (int k = 0; k < options.Warmup + options.Iterations; k++)
            {
                // Restored each time, before the barrier: every client reduces in place (as Gloo does), so a chunk an
                // all-reduce failed to write holds this rank's own values and fails the check.
                pristine.CopyTo(mine, 0);
                await barrier();
                TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
                long start = Stopwatch.GetTimestamp();
                var (sum, sent) = await allReduce(mine);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                double cpuMs = (Environment.CpuUsage.TotalTime - cpuStart).TotalMilliseconds;
                Verify(sum, expected, options.Rank, floats);
                if (k >= options.Warmup)
                {
                    times.Add(ms);
                    cpuTimes.Add(cpuMs);
                    starts.Add(MonotonicNanoseconds(start));
                }
                bytesSent = sent;
            }
            results.Add(new() { ["floats"] = floats, ["times_ms"] = times, ["cpu_ms"] = cpuTimes, ["starts_ns"] = starts, ["verified"] = options.Warmup + options.Iterations, ["bytes_sent"] = bytesSent });
        }
        return results;
    }

    /// <summary>A timestamp on CLOCK_MONOTONIC, as python's time.monotonic_ns() reads it: ranks' starts compare across processes.</summary>
    private static long MonotonicNanoseconds(long timestamp) => (long)(timestamp * (1e9 / Stopwatch.Frequency));

    private static void Print(AllReduceOptions options, List<Dictionary<string, object>> results) =>
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["side"] = options.RawTcp ? "tcp" : "ours", ["rank"] = options.Rank, ["world"] = options.World, ["chunk_elements"] = options.ChunkElements, ["client"] = options.Client, ["results"] = results,
        }));

    /// <summary>Rank r's buffer: small integers, so every order of summing gives the same exact floats.</summary>
    public static float[] Values(int rank, int floats)
    {
        var values = new float[floats];
        for (int i = 0; i < floats; i++) values[i] = Value(rank, i);
        return values;
    }

    // The python side computes the same: ((i * 7 + rank * 13) % 256) - 128.
    private static float Value(int rank, int index) => (int)(((long)index * 7 + rank * 13) % 256) - 128;

    private static float[] ExpectedSum(int world, int floats)
    {
        var sum = new float[floats];
        for (int i = 0; i < floats; i++)
            for (int rank = 0; rank < world; rank++) sum[i] += Value(rank, i);
        return sum;
    }

    private static void Verify(float[] sum, float[] expected, int rank, int floats)
    {
        if (MemoryMarshal.AsBytes(sum.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(expected.AsSpan()))) return;
        int first = sum.Length != expected.Length ? Math.Min(sum.Length, expected.Length) : Enumerable.Range(0, floats).First(i => sum[i] != expected[i]);
        throw new InvalidDataException($"rank {rank}: the all-reduce of {floats} floats is wrong at element {first} "
            + $"(got {(first < sum.Length ? sum[first] : float.NaN)}, expected {(first < expected.Length ? expected[first] : float.NaN)}; length {sum.Length})");
    }
}
