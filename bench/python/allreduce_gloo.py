"""One rank of the all-reduce benchmark on torch.distributed's Gloo backend; the C# side's counterpart is
`Orchestrator.Bench allreduce` (AllReduceBenchmark.cs), with the same flags, buffers and JSON line.

Per buffer size: warm-up then timed all-reduces, each started after a barrier, each result checked against the exact
expected sum; the process's CPU time per all-reduce is kept beside its wall time. Gloo reduces in place, so the input is restored before each barrier, outside the timed region."""
import argparse
import json
import os
import time

import torch
import torch.distributed as dist


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rank", type=int, required=True)
    parser.add_argument("--world", type=int, required=True)
    parser.add_argument("--rendezvous", required=True, help="a directory shared by the ranks; the FileStore lives in it")
    parser.add_argument("--floats", required=True, help="buffer sizes in floats, comma-separated")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    args.floats = [int(f) for f in args.floats.split(",")]
    if not 0 <= args.rank < args.world or args.warmup < 0 or args.iterations < 1 or min(args.floats) < 1:
        parser.error("need 0 <= rank < world, warmup >= 0, iterations >= 1 and positive sizes")
    return args


def values(rank, floats):
    """Rank r's buffer: small integers, so every order of summing gives the same exact floats (as in C#)."""
    index = torch.arange(floats, dtype=torch.int64)
    return ((index * 7 + rank * 13) % 256 - 128).to(torch.float32)


def main():
    args = parse()
    torch.set_num_threads(1)
    os.makedirs(args.rendezvous, exist_ok=True)
    store = dist.FileStore(os.path.join(args.rendezvous, "store"), args.world)
    dist.init_process_group("gloo", store=store, rank=args.rank, world_size=args.world)
    results = []
    for floats in args.floats:
        mine = values(args.rank, floats)
        expected = sum(values(r, floats) for r in range(args.world))
        buffer = torch.empty_like(mine)
        times, cpu_times, starts = [], [], []
        for k in range(args.warmup + args.iterations):
            buffer.copy_(mine)
            dist.barrier()
            cpu_start, start, start_ns = time.process_time(), time.perf_counter(), time.monotonic_ns()
            dist.all_reduce(buffer)
            ms = (time.perf_counter() - start) * 1e3
            cpu_ms = (time.process_time() - cpu_start) * 1e3
            if not torch.equal(buffer, expected):
                first = int((buffer != expected).nonzero()[0])
                raise SystemExit(f"rank {args.rank}: the Gloo all-reduce of {floats} floats is wrong at element {first} "
                                 f"(got {float(buffer[first])}, expected {float(expected[first])})")
            if k >= args.warmup:
                times.append(ms)
                cpu_times.append(cpu_ms)
                starts.append(start_ns)
        results.append({"floats": floats, "times_ms": times, "cpu_ms": cpu_times, "starts_ns": starts, "verified": args.warmup + args.iterations})
    dist.barrier()
    dist.destroy_process_group()
    print(json.dumps({"side": "gloo", "rank": args.rank, "world": args.world, "results": results}), flush=True)


if __name__ == "__main__":
    main()
