"""Ours only, two or more builds (or clients) of Orchestrator.Bench side by side: for A/B measurements of a change to
the all-reduce on this noisy machine. Each round runs every variant's N rank processes once, alternating the order
from round to round; a variant's figures are the medians, over all its rounds, of the slowest rank's time and of all
ranks' CPU per all-reduce. Every result is checked exact by the ranks, as in allreduce.py.

Usage: allreduce_ab.py VARIANT [VARIANT ...] [--ranks 4] [--floats 10485760] [--rounds 4] [--iterations 20] [--warmup 5]
                      [--chunk-elements C]
  VARIANT: DIR (a copy of bench/Orchestrator.Bench/bin/Release/net10.0, e.g. built before a change), DIR:CLIENT
  (that build with --client CLIENT: product, grpc-ring, grpc-lane, raw-tcp, raw-direct, raw-ring-rs, raw-ring-ag), or
  DIR:CLIENT:NAME=VALUE,... (with those environment variables too, for runtime knobs)."""
import argparse
import os
import statistics
import sys

from allreduce import cpu_per_iteration, run_ranks, slowest_per_iteration


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--ranks", type=int, default=4)
    parser.add_argument("--floats", type=int, default=10 * 1024 * 1024)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--chunk-elements", type=int, help="floats per chunk (default: the worker's)")
    args = parser.parse_args()
    variants = [tuple((v.split(":", 2) + [None, None])[:3]) for v in args.variants]
    for directory, _, _ in variants:
        if not os.path.exists(os.path.join(directory, "Orchestrator.Bench.dll")):
            sys.exit(f"{directory} holds no Orchestrator.Bench.dll")
    figures = {v: ([], []) for v in variants}
    for round_index in range(args.rounds):
        for variant in (variants if round_index % 2 == 0 else variants[::-1]):
            directory, client, environment = variant
            lines = run_ranks("ours", args.ranks, [args.floats], argparse.Namespace(**vars(args), client=client or "product"),
                              csharp=os.path.join(directory, "Orchestrator.Bench.dll"),
                              environment=dict(pair.split("=", 1) for pair in environment.split(",")) if environment else None)
            figures[variant][0].extend(slowest_per_iteration(lines, args.floats))
            figures[variant][1].extend(cpu_per_iteration(lines, args.floats))
    print(f"{args.ranks} ranks x {args.floats * 4 / 2**20:.1f} MiB, {args.rounds} rounds x {args.iterations} timed all-reduces, medians")
    for variant, (wall, cpu) in figures.items():
        name = variant[0] + (f" --client {variant[1]}" if variant[1] else "") + (f" with {variant[2]}" if variant[2] else "")
        print(f"{name}: {statistics.median(wall):.1f} ms, {statistics.median(cpu):.1f} ms CPU")


if __name__ == "__main__":
    main()
