#!/usr/bin/env bash
# Builds helm-template into $1 from Debian's Go packages (golang-go, golang-github-masterminds-sprig-dev,
# golang-github-ghodss-yaml-dev, golang-github-xeipuuv-gojsonschema-dev), offline, in GOPATH mode: Debian installs sprig and semver without the /v3 that
# their import paths carry, so a GOPATH of two links supplies it.
set -euo pipefail
out=$(realpath -m "$1")
gocode=/usr/share/gocode/src/github.com/Masterminds
mkdir -p "$out/gopath/src/github.com/Masterminds/sprig" "$out/gopath/src/github.com/Masterminds/semver"
ln -sfn "$gocode/sprig" "$out/gopath/src/github.com/Masterminds/sprig/v3"
ln -sfn "$gocode/semver" "$out/gopath/src/github.com/Masterminds/semver/v3"
cd "$(dirname "$0")"
GO111MODULE=off GOPATH="$out/gopath:/usr/share/gocode" GOCACHE="$out/cache" GOFLAGS= go build -o "$out/helm-template" .
