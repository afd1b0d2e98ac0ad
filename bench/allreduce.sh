#!/usr/bin/env bash
# Builds the C# side and runs the all-reduce benchmark: ours (gRPC, ShardOrderedAllReduce) beside torch.distributed's
# Gloo, N rank processes each over loopback, one table.
# Usage: bench/allreduce.sh [--ranks 2,4] [--sizes 4,40] [--iterations N] [--warmup W] [--rounds R] [--chunk-elements C]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Orchestrator.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
exec /usr/bin/python3 bench/python/allreduce.py "$@"
