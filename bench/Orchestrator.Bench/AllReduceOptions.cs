using System.Globalization;
using Orchestrator.Worker;

namespace Orchestrator.Bench;

/// <summary>
/// One rank of the all-reduce benchmark: its place in the group, where the group meets, the buffer sizes and the
/// iteration counts. The python Gloo side (bench/python/allreduce_gloo.py) takes the same flags.
/// </summary>
public sealed record AllReduceOptions(int Rank, int World, string Rendezvous, IReadOnlyList<int> Floats, int Warmup, int Iterations, int ChunkElements, string Client)
{
    /// <summary>Plain TCP instead of gRPC: the ring (<c>raw-tcp</c>, <see cref="RawTcpRing"/>) or a <see cref="RawTcpMesh"/> pattern.</summary>
    public bool RawTcp => Client.StartsWith("raw-", StringComparison.Ordinal);

    /// <summary>The <see cref="RawTcpMesh"/> pattern a <c>raw-</c> client other than <c>raw-tcp</c> names.</summary>
    internal MeshPattern Mesh => Client switch
    {
        "raw-direct" => MeshPattern.Direct,
        "raw-ring-rs" => MeshPattern.RingReduceScatter,
        "raw-ring-ag" => MeshPattern.RingAllGather,
        _ => throw new InvalidOperationException($"--client {Client} is not a mesh pattern"),
    };

    public const string Usage = "usage: Orchestrator.Bench allreduce --rank R --world N --rendezvous DIR --floats F[,F...] [--warmup W] [--iterations K] [--chunk-elements C] [--client product|grpc-ring|grpc-lane|raw-tcp|raw-direct|raw-ring-rs|raw-ring-ag]";

    public static AllReduceOptions Parse(IReadOnlyList<string> args)
    {
        int? rank = null, world = null;
        string? rendezvous = null;
        IReadOnlyList<int>? floats = null;
        int warmup = 3, iterations = 10, chunkElements = new WorkerOptions().ChunkElements;
        string client = "product";
        for (int k = 0; k < args.Count; k++)
        {
            string flag = args[k];
            if (k + 1 >= args.Count) throw new ArgumentException($"flag {flag} needs a value");
            string value = args[++k];
            switch (flag)
            {
                case "--rank": rank = Integer(flag, value, 0); break;
                case "--world": world = Integer(flag, value, 1); break;
                case "--rendezvous": rendezvous = value; break;
                case "--floats": floats = [.. value.Split(',').Select(f => Integer(flag, f, 1))]; break;
                case "--warmup": warmup = Integer(flag, value, 0); break;
                case "--iterations": iterations = Integer(flag, value, 1); break;
                case "--chunk-elements": chunkElements = Integer(flag, value, 1); break;
                case "--client":
                    client = value is "product" or "grpc-ring" or "grpc-lane" or "raw-tcp" or "raw-direct" or "raw-ring-rs" or "raw-ring-ag" ? value
                        : throw new ArgumentException($"--client is product (the worker's all-reduce), grpc-ring (the plain ring over our async gRPC client and Kestrel), grpc-lane (the plain ring over push lanes), raw-tcp (the ring without gRPC), "
                            + $"raw-direct (ours' direct pattern without gRPC), raw-ring-rs or raw-ring-ag (one phase around the ring, the other direct), not '{value}'");
                    break;
                default: throw new ArgumentException($"unknown flag {flag}; {Usage}");
            }
        }
        if (rank is null || world is null || rendezvous is null || floats is null) throw new ArgumentException($"--rank, --world, --rendezvous and --floats are required; {Usage}");
        if (rank >= world) throw new ArgumentException($"--rank {rank} is outside the world of {world}");
        return new AllReduceOptions(rank.Value, world.Value, rendezvous, floats, warmup, iterations, chunkElements, client);
    }

    private static int Integer(string flag, string value, int least) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out int parsed) && parsed >= least
            ? parsed : throw new ArgumentException($"{flag} needs an integer of at least {least}, got '{value}'");
}
