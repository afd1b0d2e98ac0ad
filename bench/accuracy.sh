#!/usr/bin/env bash
# The accuracy benchmark: the whole method (pretrain, distill, evaluate) on MNIST, then Fashion-MNIST, evaluated at
# IPC 1, 10 and 50 with the ConvNet-3 evaluator under the standard protocol (5 runs), printed as one table beside
# the papers' figures (METHOD.md), with each stage's wall time and the preset used.
#
# Usage: bench/accuracy.sh [--paper] [--datasets mnist,fashion-mnist] [--ipc 1,10,50] [--runs 5]
#                          [--eval-epochs N] [--output DIR] [--resume] [--set key=value ...]
#   --paper        configs/paper.yaml (METHOD.md's full schedule, device cuda:0) for every dataset; default is
#                  the CPU presets configs/mnist-cpu.yaml and configs/fashion-cpu.yaml
#   --datasets     which datasets, comma-separated (mnist, fashion-mnist)
#   --ipc, --runs  evaluated images per class and networks per setting
#   --eval-epochs  evaluation epochs per network (default: the preset's)
#   --output       where the runs go (default runs/accuracy); each dataset in <output>/<preset>-<dataset>
#   --resume       keep a dataset's earlier run folder and continue it (stage times then count only this call)
#   --set          passed to every stage (repeatable), e.g. --set threads=1
set -euo pipefail
cd "$(dirname "$0")/.."

paper=0 resume=0 datasets=mnist,fashion-mnist ipc=1,10,50 runs=5 eval_epochs="" output=runs/accuracy
sets=()
value() { [[ $# -ge 2 ]] || { echo "bench/accuracy.sh: $1 needs a value (see --help)" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --paper) paper=1; shift ;;
        --resume) resume=1; shift ;;
        --datasets) value "$@"; datasets="$2"; shift 2 ;;
        --ipc) value "$@"; ipc="$2"; shift 2 ;;
        --runs) value "$@"; runs="$2"; shift 2 ;;
        --eval-epochs) value "$@"; eval_epochs="$2"; shift 2 ;;
        --output) value "$@"; output="$2"; shift 2 ;;
        --set) value "$@"; sets+=(--set "$2"); shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/accuracy.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$ipc" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "bench/accuracy.sh: --ipc takes positive integers separated by commas, not '$ipc'" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/accuracy.sh: --runs takes a positive integer, not '$runs'" >&2; exit 2; }
[[ -z "$eval_epochs" || "$eval_epochs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/accuracy.sh: --eval-epochs takes a positive integer, not '$eval_epochs'" >&2; exit 2; }

# The run config of a dataset: its CPU preset, or METHOD.md's full schedule with --paper.
config_for() {
    case "$1" in
        mnist) [[ $paper == 1 ]] && echo configs/paper.yaml || echo configs/mnist-cpu.yaml ;;
        fashion-mnist) [[ $paper == 1 ]] && echo configs/paper.yaml || echo configs/fashion-cpu.yaml ;;
        *) echo "bench/accuracy.sh: '$1' is not a benchmark dataset: expected mnist or fashion-mnist" >&2; return 2 ;;
    esac
}
for dataset in ${datasets//,/ }; do config_for "$dataset" > /dev/null || exit 2; done

dotnet build src/Orchestrator.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >&2
cli=(dotnet src/Orchestrator.Cli/bin/Release/net10.0/orchestrator.dll)

folders=()
for dataset in ${datasets//,/ }; do
    config=$(config_for "$dataset")
    preset=$(basename "$config" .yaml)
    folder="$output/$preset-$dataset"
    [[ $resume == 1 ]] || rm -rf "$folder"
    mkdir -p "$folder"
    args=(--config "$config" --output "$folder" --set "dataset.name=$dataset"
          --set "evaluate.ipc=[$ipc]" --set "evaluate.runs=$runs" --set evaluate.model=ConvNet --set evaluate.protocol=standard
          ${eval_epochs:+--set "evaluate.epochs=$eval_epochs"} "${sets[@]}")
    timings="{\"preset\": \"$preset\", \"config\": \"$config\""
    for stage in pretrain distill evaluate; do
        echo "== $dataset: $stage ($config)" >&2
        start=$(date +%s)
        "${cli[@]}" "$stage" "${args[@]}" >&2
        timings+=", \"$stage\": $(( $(date +%s) - start ))"
    done
    echo "$timings}" > "$folder/timings.json"
    folders+=("$folder")
done

/usr/bin/python3 bench/accuracy_table.py "${folders[@]}"
