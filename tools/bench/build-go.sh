#!/usr/bin/env bash
# Builds the Go programs of the webhook benchmark (go-floor, go-load, go-webhook: each its own module,
# its dependencies pinned by its go.mod and go.sum and downloaded from the Go module proxy) into the
# project's binary cache, BIN/bench/<name>, with control-plane/scripts/go-build.sh: locked per
# binary, with progress, and rebuilt only when the module's files change (the version is their digest).
# Prints the folder of the binaries last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../control-plane/scripts/go-build.sh
. "$here/../../control-plane/scripts/go-build.sh"
mkdir -p "$BIN/bench"

build_module() {
  local name=$1
  (cd "$here/$name" && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$BIN/bench/$name.tmp" .)
  mv "$BIN/bench/$name.tmp" "$BIN/bench/$name"
}

digest() { (cd "$here/$1" && cat go.mod $(ls go.sum 2>/dev/null) ./*.go | sha256sum | cut -c1-16); }

for name in go-floor go-load go-webhook; do
  hint="seconds"
  [ "$name" = go-webhook ] && hint="controller-runtime: about 4 minutes the first time on 2 cores"
  ensure "bench/$name" "$(digest "$name")" "$hint" build_module "$name"
done
echo "$BIN/bench"
