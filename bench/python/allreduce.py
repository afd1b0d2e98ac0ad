"""All-reduce of float32 buffers between N processes on this machine: ours (ShardOrderedAllReduce over the worker's
gRPC endpoint, one shard per rank, `Orchestrator.Bench allreduce`) beside torch.distributed's Gloo backend
(allreduce_gloo.py), and the table.

Each round runs, for each rank count, one side's N rank processes (every size, warm-up then timed iterations), then
the other side's, alternating which goes first. Every iteration starts after a barrier; its time is the slowest
rank's. Medians pool the timed iterations of every round. Bandwidths follow nccl-tests: algbw = bytes / time,
busbw = algbw * 2(n-1)/n (GB/s, 1e9 bytes). Beside them, the median CPU time all ranks spent per all-reduce (on a
machine with fewer cores than busy processes, that is what bounds the wall time). Both sides check every result
against the exact expected sum."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSHARP = os.path.join(ROOT, "bench/Orchestrator.Bench/bin/Release/net10.0/Orchestrator.Bench.dll")
PYTHON = "/usr/bin/python3"  # Debian's interpreter, which has python3-torch 1.13 (Gloo built in)
GOAL = 1.0  # ours busbw / Gloo busbw
MIB = 1024 * 1024
RANK_TIMEOUT_S = 900
OURS = {
    "product": "the worker's all-reduce: ShardOrderedAllReduce (the ring, in the fixed per-block shard order) over gRPC push lanes",
    "raw-tcp": "the same ring and fold over plain TCP, no HTTP/2 or gRPC (not a transport of the product: the runtime's reach)",
    "raw-direct": "ours' direct reduce-scatter + all-gather over plain TCP, no HTTP/2 or gRPC (not a transport of the product: what the pattern costs)",
    "raw-ring-rs": "reduce-scatter around the ring, direct all-gather, over plain TCP (not a transport of the product: what each phase's pattern costs)",
    "grpc-ring": "the plain ring (not in shard order) over our gRPC transport, forwarding from the read loop (not the product's all-reduce: what the transport gives the ring)",
    "grpc-lane": "the plain ring (not in shard order) over gRPC push lanes, folded on the lane server's thread (not the product's all-reduce: its bookkeeping left out)",
    "raw-ring-ag": "direct reduce-scatter, all-gather around the ring, over plain TCP (not a transport of the product: what each phase's pattern costs)",
}


def positive_list(text):
    values = [int(v) for v in text.split(",")]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of positive integers")
    return values


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ranks", type=positive_list, default=[2, 4], help="rank counts (default 2,4)")
    parser.add_argument("--sizes", type=positive_list, default=[4, 40], help="buffer sizes in MiB of float32 (default 4,40: 1M and 10M floats)")
    parser.add_argument("--iterations", type=int, default=20, help="timed all-reduces per size per run (default 20)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed all-reduces before them (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side per rank count, alternating order (default 2)")
    parser.add_argument("--chunk-elements", type=int, help="ours: floats per gRPC chunk (default: the worker's, WorkerOptions.ChunkElements)")
    parser.add_argument("--client", choices=["product", "grpc-ring", "grpc-lane", "raw-tcp", "raw-direct", "raw-ring-rs", "raw-ring-ag"], default="product",
                        help="ours: the gRPC client's HTTP/2 stack, the transport's own (direct, the worker's) or SocketsHttpHandler; "
                             "or raw-tcp, the same ring and fold over plain TCP without HTTP/2 or gRPC (what this runtime reaches), "
                             "or raw-direct, ours' direct pattern over plain TCP (what the pattern itself costs beside the ring), "
                             "or raw-ring-rs / raw-ring-ag, one phase around the ring and the other direct, over plain TCP")
    args = parser.parse_args()
    if args.iterations < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--iterations and --rounds need a positive integer, --warmup a non-negative one")
    if min(args.ranks) < 2:
        parser.error("--ranks: an all-reduce needs at least 2 ranks")
    return args


def run_ranks(side, world, floats, args, csharp=CSHARP, environment=None):
    """Starts the side's `world` rank processes (ours from the build `csharp`, with `environment` added to theirs),
    waits for all, and returns their JSON lines in rank order."""
    with tempfile.TemporaryDirectory(prefix=f"allreduce-{side}-") as rendezvous:
        common = ["--world", str(world), "--rendezvous", rendezvous, "--floats", ",".join(map(str, floats)),
                  "--warmup", str(args.warmup), "--iterations", str(args.iterations)]
        if side == "ours":
            command = ["dotnet", csharp, "allreduce"] + common + (["--chunk-elements", str(args.chunk_elements)] if args.chunk_elements else []) + ["--client", args.client]
        else:
            command = [PYTHON, os.path.join(ROOT, "bench/python/allreduce_gloo.py")] + common
        env = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME="lo", **(environment or {}))
        ranks = [subprocess.Popen(command + ["--rank", str(r)], env=env, stdout=subprocess.PIPE, text=True) for r in range(world)]
        try:
            outputs = [p.communicate(timeout=RANK_TIMEOUT_S)[0] for p in ranks]
        finally:
            for p in ranks:
                if p.poll() is None:
                    p.kill()
    lines = []
    for r, (p, output) in enumerate(zip(ranks, outputs)):
        results = [line for line in output.splitlines() if line.startswith("{")]
        if p.returncode != 0 or not results:
            sys.exit(f"{side} rank {r} of {world} failed (exit code {p.returncode}): {' '.join(command)} --rank {r}")
        lines.append(json.loads(results[-1]))
    return lines


def result(line, floats):
    return next(res for res in line["results"] if res["floats"] == floats)


def slowest_per_iteration(lines, floats):
    return [max(times) for times in zip(*(result(line, floats)["times_ms"] for line in lines))]


def cpu_per_iteration(lines, floats):
    """CPU time of all ranks together per all-reduce: what the 2 shared cores had to give it."""
    return [sum(times) for times in zip(*(result(line, floats)["cpu_ms"] for line in lines))]


def start_spread_per_iteration(lines, floats):
    """How far apart the ranks started each all-reduce after the barrier (ms; both sides read CLOCK_MONOTONIC): the
    slowest rank's time includes the wait for the last one to start."""
    return [(max(starts) - min(starts)) / 1e6 for starts in zip(*(result(line, floats)["starts_ns"] for line in lines))]


def busbw(world, floats, ms):
    algbw = floats * 4 / (ms / 1e3) / 1e9
    return algbw * 2 * (world - 1) / world


def main():
    args = parse()
    if not os.path.exists(CSHARP):
        sys.exit(f"{CSHARP} is missing: build it first (bench/allreduce.sh does)")
    floats = [size * MIB // 4 for size in args.sizes]
    load_before = os.getloadavg()[0]
    times = {}  # (side, world, floats) -> slowest rank's ms per timed iteration, every round
    cpu = {}  # (side, world, floats) -> all ranks' CPU ms per timed iteration, every round
    spread = {}  # (side, world, floats) -> ms between the first and the last rank's start, per timed iteration
    verified = {"ours": 0, "gloo": 0}
    sent = {}  # (world, floats) -> bytes rank 0 of ours sent per all-reduce
    for round_index in range(args.rounds):
        for k, world in enumerate(args.ranks):
            sides = ["ours", "gloo"] if (round_index + k) % 2 == 0 else ["gloo", "ours"]
            for side in sides:
                print(f"round {round_index + 1}/{args.rounds}: {side}, {world} ranks", file=sys.stderr, flush=True)
                lines = run_ranks(side, world, floats, args)
                for f in floats:
                    times.setdefault((side, world, f), []).extend(slowest_per_iteration(lines, f))
                    cpu.setdefault((side, world, f), []).extend(cpu_per_iteration(lines, f))
                    spread.setdefault((side, world, f), []).extend(start_spread_per_iteration(lines, f))
                    verified[side] += sum(result(line, f)["verified"] for line in lines)
                    if side == "ours":
                        sent[(world, f)] = result(lines[0], f)["bytes_sent"]

    print(f"ours: {OURS[args.client]}")
    print(f"all-reduce, float32, {args.iterations} timed + {args.warmup} warm-up iterations x {args.rounds} rounds; "
          f"median of the slowest rank; cpu: all ranks' CPU per all-reduce; busbw = bytes/time * 2(n-1)/n; {os.cpu_count()} CPUs, load {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    header = (f"{'ranks':>5}  {'size':>7}  {'ours_ms':>8}  {'ours_busbw':>10}  {'gloo_ms':>8}  {'gloo_busbw':>10}  {'ratio':>6}  {'goal':<15}"
              f"  {'ours_cpu_ms':>11}  {'gloo_cpu_ms':>11}")
    print(header)
    for world in args.ranks:
        for size, f in zip(args.sizes, floats):
            ours = statistics.median(times[("ours", world, f)])
            gloo = statistics.median(times[("gloo", world, f)])
            ratio = busbw(world, f, ours) / busbw(world, f, gloo)
            print(f"{world:>5}  {size:>3} MiB  {ours:>8.1f}  {busbw(world, f, ours):>5.2f} GB/s  {gloo:>8.1f}  "
                  f"{busbw(world, f, gloo):>5.2f} GB/s  {ratio:>6.2f}  {f'>= {GOAL:.2f} ' + ('met' if ratio >= GOAL else 'NOT met'):<15}"
                  f"  {statistics.median(cpu[('ours', world, f)]):>11.1f}  {statistics.median(cpu[('gloo', world, f)]):>11.1f}")
    print("ranks' start spread after the barrier (median ms, ours / Gloo): "
          + ", ".join(f"{w} ranks {size} MiB: {statistics.median(spread[('ours', w, f)]):.2f} / {statistics.median(spread[('gloo', w, f)]):.2f}"
                      for w in args.ranks for size, f in zip(args.sizes, floats)))
    print(f"checked exact: {verified['ours']} of our rank results, {verified['gloo']} of Gloo's (warm-up included)")
    print("ours, bytes sent per rank per all-reduce (2(n-1)/n of the buffer): "
          + ", ".join(f"{w} ranks {f * 4 // MIB} MiB: {b / (f * 4):.3f} x" for (w, f), b in sorted(sent.items())))


if __name__ == "__main__":
    main()
