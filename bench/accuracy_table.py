"""Prints bench/accuracy.sh's table: our rows (Random, plain cGAN, distilled) from each run folder's report.json beside
the papers' ConvNet-3 figures (METHOD.md, "Reported results"), then each stage's wall time and the preset used.

Usage: accuracy_table.py RUN_FOLDER [RUN_FOLDER ...]   (each holds report.json and bench/accuracy.sh's timings.json)
"""
import json
import os
import sys

# METHOD.md's reported test accuracy (%) at IPC 1 / 10 / 50, ConvNet-3, standard protocol.
PAPERS = {
    "mnist": {
        "Random": (64.9, 95.1, 97.9), "DC": (91.7, 97.4, 98.8), "DSA": (88.7, 97.8, 99.2), "DM": (89.9, 97.6, 98.6),
        "CGAN": (96.1, 97.8, 98.4), "DiM": (96.5, 98.6, 99.2), "Global+local (seed 003)": (97.3, 98.8, 99.1),
    },
    "fashion-mnist": {
        "Random": (51.4, 73.8, 82.5), "DC": (70.5, 82.3, 83.6), "DSA": (70.6, 84.6, 88.7), "DM": (71.5, 83.6, 88.2),
        "CGAN": (81.5, 84.0, 86.3), "DiM": (84.5, 88.2, 89.8), "Global+local (seed 003)": (85.5, 88.6, 90.1),
    },
}
PAPER_IPC = (1, 10, 50)
WHOLE_DATASET = {"mnist": 99.6, "fashion-mnist": 93.5}
# The goal our distilled row is held to: the best paper row (seed 003's global+local matching).
GOAL_METHOD = "Global+local (seed 003)"
OUR_METHODS = {"random": "Random", "cgan": "plain cGAN", "distilled": "distilled"}
NAMES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}


def load(folder):
    try:
        with open(os.path.join(folder, "report.json")) as f:
            report = json.load(f)
        with open(os.path.join(folder, "timings.json")) as f:
            timings = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"accuracy_table.py: {folder}: {e}")
    return report, timings


def clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def main(folders):
    if not folders:
        sys.exit(__doc__)
    runs = [(folder, *load(folder)) for folder in folders]
    ipcs = sorted({row["ipc"] for _, report, _ in runs for row in report["rows"]} | set(PAPER_IPC))
    header = "| dataset       | method                          | " + " | ".join(f"IPC {i:<8}" for i in ipcs) + " |"
    rule = "|---------------|---------------------------------|" + "|".join("-" * 14 for _ in ipcs) + "|"
    lines = []
    for folder, report, timings in runs:
        name = NAMES.get(report["dataset"], report["dataset"])
        lines.append(f"{name}: test accuracy %, {report['model']} evaluator, {report['protocol']} protocol, "
                     f"{report['runs']} runs x {report['epochs']} epochs, preset {timings['preset']} ({timings['config']})")
    lines += ["", header, rule]
    for _, report, timings in runs:
        dataset = report["dataset"]
        name = NAMES.get(dataset, dataset)
        for method, label in OUR_METHODS.items():
            cells = []
            for i in ipcs:
                row = next((r for r in report["rows"] if r["method"] == method and r["ipc"] == i), None)
                cells.append(f"{100 * row['mean']:5.1f} ± {100 * row['std']:3.1f}" if row else "")
            if any(cells):
                lines.append(f"| {name:<13} | {label + ' (ours, ' + timings['preset'] + ')':<31} | " + " | ".join(f"{c:<12}" for c in cells) + " |")
        for method, figures in PAPERS.get(dataset, {}).items():
            by_ipc = dict(zip(PAPER_IPC, figures))
            cells = [f"{by_ipc[i]:5.1f}" if i in by_ipc else "" for i in ipcs]
            lines.append(f"| {name:<13} | {method + ' (paper)':<31} | " + " | ".join(f"{c:<12}" for c in cells) + " |")
        if dataset in WHOLE_DATASET:
            lines.append(f"| {name:<13} | {'whole training set (paper)':<31} | " + " | ".join(f"{WHOLE_DATASET[dataset]:5.1f}".ljust(12) for _ in ipcs) + " |")
    lines += ["", "| dataset       | preset        | pretrain | distill  | evaluate | total    |",
              "|---------------|---------------|----------|----------|----------|----------|"]
    for _, report, timings in runs:
        stages = [timings.get(s, 0) for s in ("pretrain", "distill", "evaluate")]
        lines.append(f"| {NAMES.get(report['dataset'], report['dataset']):<13} | {timings['preset']:<13} | "
                     + " | ".join(f"{clock(s):<8}" for s in stages + [sum(stages)]) + " |")
    lines.append("")
    for _, report, _ in runs:
        dataset = report["dataset"]
        goal = dict(zip(PAPER_IPC, PAPERS.get(dataset, {}).get(GOAL_METHOD, ())))
        for i in ipcs:
            ours = {r["method"]: 100 * r["mean"] for r in report["rows"] if r["ipc"] == i}
            if "distilled" not in ours or i not in goal:
                continue
            beats = [OUR_METHODS[m] for m in ("random", "cgan") if m in ours and ours["distilled"] > ours[m]]
            misses = [OUR_METHODS[m] for m in ("random", "cgan") if m in ours and ours["distilled"] <= ours[m]]
            verdict = "met" if ours["distilled"] >= goal[i] and not misses else "NOT met"
            detail = f"beats {', '.join(beats)}" if beats else ""
            if misses:
                detail += ("; " if detail else "") + f"does not beat {', '.join(misses)}"
            lines.append(f"goal {NAMES.get(dataset, dataset)} IPC {i}: distilled >= {goal[i]} ({GOAL_METHOD}) and above our baselines: "
                         f"{ours['distilled']:.1f}, {detail} -> {verdict}")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
