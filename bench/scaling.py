"""Scaling of stage-2 generator steps over local workers: the measured table, then a model projected to GPUs.

Reads the workers' step lines (<run>/cluster/workers/local-*.log, written by AssignmentExecutor) of one run per
worker count, as bench/scaling.sh leaves them, and prints
  1. MEASURED: median step seconds, steps/s, speedup and efficiency against 1 worker, and the split of a step;
  2. MODEL (not a measurement): t(N) = t_shard / K * ceil(S/N) + t_allreduce(N) + t_fixed, from the measured
     per-shard time, gradient buffer and fixed cost, for N = 1, 2, 4, 8 and a few link bandwidths.

Usage: bench/scaling.py [model options] WORKERS=RUN_FOLDER ...   e.g. 1=runs/scaling/w1 2=runs/scaling/w2
"""
import argparse
import glob
import math
import os
import re
import statistics
import sys

# One worker's line per step it computed; see AssignmentExecutor.StepAsync.
STEP_LINE = re.compile(
    r"^(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d\.\d{3}) info: \S+ \S+ step (?P<step>\d+): shards \[(?P<shards>[\d, ]+)\] "
    r"in (?P<compute>[\d.]+) s \((?P<cpu>[\d.]+) s CPU\), all-reduce of a (?P<buffer>\d+) B buffer \((?P<sent>\d+) B sent\) "
    r"in (?P<reduce>[\d.]+) s \(.*\), step (?P<total>[\d.]+) s$")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", metavar="WORKERS=RUN_FOLDER")
    parser.add_argument("--warmup", type=int, default=2, help="first steps left out of the medians (default 2)")
    parser.add_argument("--gpu-speedup", type=float, default=50.0,
                        help="K: how many times faster one GPU computes a shard than one CPU thread here (default 50; see bench/README.md)")
    parser.add_argument("--link-gbps", default="10,100,200",
                        help="link bandwidths in Gbit/s to project for (default 10,100,200: 10 and 100 GbE, 25 GB/s NVLink-like)")
    parser.add_argument("--latency-us", type=float, default=50.0,
                        help="alpha: seconds*1e6 per chunk message on a stream (link latency plus gRPC's per-message cost; default 50)")
    parser.add_argument("--model-shards", type=int, default=8,
                        help="S for the projection (default 8, so that 8 workers hold a shard each); the measured S is printed beside it")
    parser.add_argument("--chunk-elements", type=int, default=256 * 1024, help="floats per all-reduce chunk (WorkerOptions.ChunkElements)")
    args = parser.parse_args(argv)
    args.links = [float(x) for x in args.link_gbps.split(",") if x]
    return args


def read_steps(run_folder):
    """{step: {worker: record}} from every worker log of the run; a step placed again keeps its last line."""
    steps = {}
    logs = sorted(glob.glob(os.path.join(run_folder, "cluster", "workers", "local-*.log")))
    if not logs:
        sys.exit(f"bench/scaling.py: no worker logs under {run_folder}/cluster/workers")
    for log in logs:
        worker = os.path.basename(log)[:-len(".log")]
        with open(log, encoding="utf-8") as lines:
            for line in lines:
                match = STEP_LINE.match(line.rstrip("\n"))
                if not match:
                    continue
                g = match.groupdict()
                steps.setdefault(int(g["step"]), {})[worker] = {
                    "end": int(g["h"]) * 3600 + int(g["m"]) * 60 + float(g["s"]),
                    "shards": [int(s) for s in g["shards"].split(",")],
                    "compute": float(g["compute"]), "cpu": float(g["cpu"]), "reduce": float(g["reduce"]), "total": float(g["total"]),
                    "buffer": int(g["buffer"]), "sent": int(g["sent"]),
                }
    return steps


def measure(run_folder, warmup):
    """The medians of one run: step period (end of one step to the end of the next) and its split on the critical worker."""
    steps = read_steps(run_folder)
    numbers = sorted(steps)
    if numbers != list(range(len(numbers))):
        sys.exit(f"bench/scaling.py: {run_folder}: step lines missing (found steps {numbers[:3]}..{numbers[-3:]})")
    ends = [max(r["end"] for r in steps[k].values()) for k in numbers]
    rows = []
    for k in numbers[max(1, warmup):]:
        period = (ends[k] - ends[k - 1]) % 86400  # the log clock is HH:mm:ss: a step across midnight wraps
        # The critical worker is the last to finish computing: the exchange cannot end before its shards arrive.
        critical = max(steps[k].values(), key=lambda r: r["compute"])
        apply = critical["total"] - critical["compute"] - critical["reduce"]
        rows.append({
            "period": period, "compute": critical["compute"], "reduce": critical["reduce"], "apply": apply,
            "between": period - critical["total"],
            "shard": statistics.median(r["compute"] / len(r["shards"]) for r in steps[k].values()),
            "shard_cpu": statistics.median(r["cpu"] / len(r["shards"]) for r in steps[k].values()),
            "sent": max(r["sent"] for r in steps[k].values()),
        })
    if len(rows) < 3:
        sys.exit(f"bench/scaling.py: {run_folder}: only {len(rows)} timed steps after {warmup} warm-up; run more steps")
    any_record = next(iter(steps[numbers[0]].values()))
    shards = sum(len(r["shards"]) for r in steps[numbers[0]].values())
    median = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    return {"timed": len(rows), "shards": shards, "buffer": any_record["buffer"], **median}


def print_measured(measured):
    base = measured[1]
    print("MEASURED (medians over the timed steps; from the workers' step lines)")
    print(f"{'workers':>7} {'steps':>5} {'step_s':>8} {'steps/s':>8} {'speedup':>8} {'effic.':>7} | "
          f"{'compute_s':>9} {'allred_s':>8} {'apply_s':>7} {'between_s':>9} | {'shard_s':>7} {'shard_cpu':>9} {'sent_MB':>7}")
    for n, m in sorted(measured.items()):
        speedup = base["period"] / m["period"]
        print(f"{n:>7} {m['timed']:>5} {m['period']:>8.3f} {1 / m['period']:>8.4f} {speedup:>7.2f}x {speedup / n:>6.0%} | "
              f"{m['compute']:>9.3f} {m['reduce']:>8.3f} {m['apply']:>7.3f} {m['between']:>9.3f} | {m['shard']:>7.3f} {m['shard_cpu']:>9.3f} {m['sent'] / 1e6:>7.2f}")
    print("  step_s: end of one step to the end of the next (the last worker's step line); compute_s, allred_s, apply_s: the")
    print("  critical worker's (the last to finish its shards): its shards' gradients, its all-reduce, its generator update;")
    print("  between_s: step_s minus that worker's whole step (report, placement, dispatch, checkpoint). The parts are medians")
    print("  of their own, so they need not add up to step_s exactly. shard_s, shard_cpu: wall and process CPU seconds per shard")
    print("  (their ratio is the contention for the cores); sent_MB: the most one worker sent in the all-reduce.")


def allreduce_seconds(members, shards, buffer_bytes, link_bytes_per_s, latency_s, chunk_elements):
    """The exchange's time on the wire: ShardOrderedAllReduce's direct reduce-scatter then all-gather.

    Each member sends (N-1)/N of the buffer per shard contribution in the reduce-scatter and once more in the
    all-gather. With least-loaded placement a member's shards are not contiguous (worker r holds r, r+N, ...), so
    each of its ceil(S/N) shards is a contribution of its own (only a run starting at shard 0 could be pre-added).
    Sends to the N-1 peers share the member's link; every chunk message on a stream pays the latency alpha."""
    if members == 1:
        return 0.0
    contributions = math.ceil(shards / members)
    sent = (contributions + 1) * (members - 1) / members * buffer_bytes
    chunks_per_segment = max(1, math.ceil(math.ceil(buffer_bytes / 4 / members) / chunk_elements))
    return sent / link_bytes_per_s + (contributions + 1) * chunks_per_segment * latency_s


def print_model(args, base, measured_shards):
    """MODEL, not a measurement: the measured CPU per-shard time divided by K, a link of the given bandwidth."""
    t_shard = base["shard_cpu"] / args.gpu_speedup
    t_fixed = base["apply"] + base["between"]
    S = args.model_shards
    print()
    print("MODEL (a projection, not a measurement): t(N) = t_shard/K * ceil(S/N) + t_allreduce(N) + t_fixed")
    print(f"  t_shard = {base['shard_cpu']:.3f} CPU s per shard (measured, 1 thread, 1 worker; CPU time, not wall, so other load on the")
    print(f"            machine does not inflate it) / K = {args.gpu_speedup:g} -> {t_shard * 1e3:.1f} ms per shard on a GPU")
    print(f"  t_fixed = {t_fixed * 1e3:.0f} ms (measured apply + between steps at 1 worker; kept as is: coordinator round trip, update, checkpoint)")
    print(f"  buffer  = {base['buffer'] / 1e6:.2f} MB of float32 gradients per step; S = {S} shards (measured with S = {measured_shards});"
          f" members = min(N, S)")
    print(f"  t_allreduce = (ceil(S/N)+1)(N-1)/N * buffer / link + (ceil(S/N)+1) * chunks * alpha, alpha = {args.latency_us:g} us")
    print(f"  one worker per GPU; shards cost alike (the pool's members do not: see bench/README.md); the gRPC transport reaches")
    print(f"  the link's bandwidth (pass a lower --link-gbps if it does not); no overlap of compute and exchange")
    for gbps in args.links:
        link = gbps * 1e9 / 8
        print(f"\n  link {gbps:g} Gbit/s ({link / 1e9:g} GB/s)")
        print(f"  {'workers':>7} {'shards/w':>8} {'compute_ms':>10} {'allred_ms':>9} {'fixed_ms':>8} {'step_ms':>8} {'steps/s':>8} {'speedup':>8} {'effic.':>7}")
        single = None
        for n in (1, 2, 4, 8):
            members = min(n, S)
            compute = t_shard * math.ceil(S / members)
            reduce = allreduce_seconds(members, S, base["buffer"], link, args.latency_us * 1e-6, args.chunk_elements)
            step = compute + reduce + t_fixed
            single = single or step
            print(f"  {n:>7} {math.ceil(S / members):>8} {compute * 1e3:>10.1f} {reduce * 1e3:>9.2f} {t_fixed * 1e3:>8.1f} "
                  f"{step * 1e3:>8.1f} {1 / step:>8.2f} {single / step:>7.2f}x {single / step / n:>6.0%}")


def main(argv):
    args = parse_args(argv)
    measured = {}
    for spec in args.runs:
        workers, _, folder = spec.partition("=")
        if not workers.isdigit() or not folder:
            sys.exit(f"bench/scaling.py: expected WORKERS=RUN_FOLDER, not '{spec}'")
        measured[int(workers)] = measure(folder, args.warmup)
    if 1 not in measured:
        sys.exit("bench/scaling.py: speedups are against 1 worker: give a run with 1 worker")
    shard_counts = {m["shards"] for m in measured.values()}
    if len(shard_counts) != 1:
        sys.exit(f"bench/scaling.py: the runs differ in shard count {sorted(shard_counts)}: not the same config")
    print_measured(measured)
    print(f"\n  On this machine ({os.cpu_count()} cores) each worker runs 1 thread, so the speedup is bounded by the cores:")
    print(f"  beyond {os.cpu_count()} workers they oversubscribe them and measure contention, not the distributed path.")
    print_model(args, measured[1], shard_counts.pop())


if __name__ == "__main__":
    main(sys.argv[1:])
