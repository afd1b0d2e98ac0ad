#!/usr/bin/env bash
# Sets up (apt, npm, NuGet, native build) and runs every test. CI runs this through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for-tests
results=artifacts/test-results  # one folder per project: tests/Directory.Build.props
rm -rf "$results"
status=0
dotnet test Orchestrator.sln -c Release --no-build -nologo -v quiet --logger "console;verbosity=normal" \
  --logger trx "$@" || status=$?
# The summary comes last, so a failure printed early by a parallel project is still in a log's tail.
mapfile -t projects < <(ls tests | grep -E '^Orchestrator\..*\.Tests$')
/usr/bin/python3 scripts/test-summary.py "$results" "${projects[@]}"
exit $status
