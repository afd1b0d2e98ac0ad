#!/usr/bin/env bash
# The scaling benchmark: stage-2 generator (matching) steps per second with 1, 2 and 4 local workers on the same
# config, timed from the workers' own step lines, then a model of the same step on GPUs (bench/scaling.py).
#
# Usage: bench/scaling.sh [--workers 1,2,4] [--shards 4] [--steps 12] [--warmup 2] [--config configs/mnist-cpu.yaml]
#                         [--output runs/scaling] [--report-only] [--set key=value ...]
#                         [--gpu-speedup 50] [--link-gbps 10,100,200] [--latency-us 50] [--model-shards 8]
#   --workers      worker counts to measure, comma-separated; 1 is required (the baseline)
#   --shards       match.shards, the same for every count (divisible by each count, so no worker idles)
#   --steps        generator steps per run; the first --warmup are left out of the medians
#   --config       the run config; stage 1 is cut to 2 steps and the evaluation to 1 epoch (neither is timed)
#   --output       where the runs go: <output>/w<N> per worker count
#   --report-only  print the tables from the runs already in --output, without running anything
#   --set          passed to every run (repeatable), after the benchmark's own settings
#   --gpu-speedup, --link-gbps, --latency-us, --model-shards: the model's assumptions (bench/README.md)
# Each worker runs with threads=1: on a 2-core machine 2 workers fill the cores and 4 oversubscribe them.
set -euo pipefail
cd "$(dirname "$0")/.."

workers=1,2,4 shards=4 steps=12 warmup=2 config=configs/mnist-cpu.yaml output=runs/scaling report_only=0
sets=() model=()
value() { [[ $# -ge 2 ]] || { echo "bench/scaling.sh: $1 needs a value (see --help)" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --workers) value "$@"; workers="$2"; shift 2 ;;
        --shards) value "$@"; shards="$2"; shift 2 ;;
        --steps) value "$@"; steps="$2"; shift 2 ;;
        --warmup) value "$@"; warmup="$2"; shift 2 ;;
        --config) value "$@"; config="$2"; shift 2 ;;
        --output) value "$@"; output="$2"; shift 2 ;;
        --report-only) report_only=1; shift ;;
        --set) value "$@"; sets+=(--set "$2"); shift 2 ;;
        --gpu-speedup|--link-gbps|--latency-us|--model-shards) value "$@"; model+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/scaling.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "bench/scaling.sh: $1 takes a positive integer, not '$2'" >&2; exit 2; }; }
[[ "$workers" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "bench/scaling.sh: --workers takes positive integers separated by commas, not '$workers'" >&2; exit 2; }
[[ ",$workers," == *,1,* ]] || { echo "bench/scaling.sh: --workers must include 1, the baseline of the speedups" >&2; exit 2; }
positive --shards "$shards"; positive --steps "$steps"
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "bench/scaling.sh: --warmup takes a non-negative integer, not '$warmup'" >&2; exit 2; }
(( steps >= warmup + 4 )) || { echo "bench/scaling.sh: --steps $steps leaves fewer than 3 timed steps after --warmup $warmup" >&2; exit 2; }
for n in ${workers//,/ }; do
    (( shards % n == 0 )) || { echo "bench/scaling.sh: --shards $shards is not divisible by $n workers: some would idle" >&2; exit 2; }
done

runs=()
for n in ${workers//,/ }; do runs+=("$n=$output/w$n"); done
if [[ $report_only == 0 ]]; then
    dotnet build src/Orchestrator.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >&2
    # Stage 1 and the evaluation only have to produce something: 2 pretraining steps, a 1-epoch score and evaluation.
    # Stage 2 is the config's but for the shard count and the steps: one epoch, so the pool networks are drawn once.
    bench=(--set threads=1
           --set pretrain.epochs=1 --set pretrain.steps_per_epoch=2 --set pretrain.checkpoint_every=1
           --set pretrain.score_ipc=1 --set pretrain.score_epochs=1 --set dataset.test_limit=100
           --set match.shards="$shards" --set match.epochs=1 --set match.steps_per_epoch="$steps" --set match.checkpoint_every="$steps"
           --set evaluate.ipc=[1] --set evaluate.runs=1 --set evaluate.epochs=1 --set evaluate.baselines=[])
    for n in ${workers//,/ }; do
        rm -rf "$output/w$n"
        mkdir -p "$output/w$n"
        echo "== $n worker(s): $config, $shards shards, $steps steps (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
        dotnet src/Orchestrator.Cli/bin/Release/net10.0/orchestrator.dll run --config "$config" --output "$output/w$n" --workers "$n" \
            "${bench[@]}" "${sets[@]}" > "$output/w$n/run.log" 2>&1 \
            || { echo "bench/scaling.sh: the $n-worker run failed; see $output/w$n/run.log and $output/w$n/cluster/workers/" >&2; tail -5 "$output/w$n/run.log" >&2; exit 1; }
    done
    echo "== done (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
fi

echo "config: $config, match.shards=$shards, $steps steps per run ($warmup warm-up), threads=1 per worker; runs in $output"
/usr/bin/python3 bench/scaling.py --warmup "$warmup" "${model[@]}" "${runs[@]}"
