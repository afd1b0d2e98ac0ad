"""Ours only, two or more builds (or clients) of Orchestrator.Bench side by side: for A/B measurements of a change to
the all-reduce on this noisy machine. Each round runs every variant's N rank processes once, alternating the order
from round to round; a variant's figures are the medians, over all its rounds, of the slowest rank's time and of all
ranks' CPU per all-reduce. Every result is checked exact by the ranks, as in allreduce.py.

Usage: allreduce_ab.py VARIANT [VARIANT ...] [--ranks 4] [--floats 10485760] [--rounds 4] [--iterations 20] [--warmup 5]
  VARIANT: DIR (a copy of bench/Orchestrator.Bench/bin/Release/net10.0, e.g. built before a change) or DIR:CLIENT
  (that build with --client CLIENT: direct, sockets, raw-tcp, raw-direct, raw-ring-rs, raw-ring-ag)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def run(directory, client, args):
    with tempfile.TemporaryDirectory(prefix="allreduce-ab-") as rendezvous:
        command = ["dotnet", os.path.join(directory, "Orchestrator.Bench.dll"), "allreduce", "--world", str(args.ranks),
                   "--rendezvous", rendezvous, "--floats", str(args.floats), "--warmup", str(args.warmup),
                   "--iterations", str(args.iterations)] + (["--client", client] if client else [])
        ranks = [subprocess.Popen(command + ["--rank", str(r)], stdout=subprocess.PIPE, text=True,
                                  env=dict(os.environ, OMP_NUM_THREADS="1")) for r in range(args.ranks)]
        outputs = [p.communicate(timeout=900)[0] for p in ranks]
    lines = []
    for r, (p, output) in enumerate(zip(ranks, outputs)):
        results = [line for line in output.splitlines() if line.startswith("{")]
        if p.returncode != 0 or not results:
            sys.exit(f"rank {r} of {' '.join(command)} failed (exit code {p.returncode})")
        lines.append(json.loads(results[-1])["results"][0])
    wall = [max(times) for times in zip(*(line["times_ms"] for line in lines))]
    cpu = [sum(times) for times in zip(*(line["cpu_ms"] for line in lines))]
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--ranks", type=int, default=4)
    parser.add_argument("--floats", type=int, default=10 * 1024 * 1024)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    variants = [tuple(v.split(":", 1)) if ":" in v else (v, None) for v in args.variants]
    for directory, _ in variants:
        if not os.path.exists(os.path.join(directory, "Orchestrator.Bench.dll")):
            sys.exit(f"{directory} holds no Orchestrator.Bench.dll")
    figures = {v: ([], []) for v in variants}
    for round_index in range(args.rounds):
        for variant in (variants if round_index % 2 == 0 else variants[::-1]):
            wall, cpu = run(*variant, args)
            figures[variant][0].extend(wall)
            figures[variant][1].extend(cpu)
    print(f"{args.ranks} ranks x {args.floats * 4 / 2**20:.1f} MiB, {args.rounds} rounds x {args.iterations} timed all-reduces, medians")
    for variant, (wall, cpu) in figures.items():
        name = variant[0] + (f" --client {variant[1]}" if variant[1] else "")
        print(f"{name}: {statistics.median(wall):.1f} ms, {statistics.median(cpu):.1f} ms CPU")


if __name__ == "__main__":
    main()
