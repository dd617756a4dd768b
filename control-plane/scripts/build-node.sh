#!/usr/bin/env bash
# Builds what a local node runs, from the Go module proxy into the same cache as build-binaries.sh:
# kubelet, kube-controller-manager, kube-scheduler, kube-proxy, containerd (with its runc shim and
# ctr), runc, the CNI plugins bridge, host-local and loopback, and the sandbox program of the pause
# image (control-plane/pause). Installs what they need from Debian when it is missing (libseccomp-dev
# to build runc, nftables for kube-proxy and the node's guard), which takes root.
# Rebuilds only when a binary is missing or its pinned version changed. Prints the binary folder last.
set -euo pipefail

CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.2.9}"
RUNC_VERSION="${RUNC_VERSION:-v1.3.7}"
CNI_PLUGINS_VERSION="${CNI_PLUGINS_VERSION:-v1.9.1}"
# shellcheck source=go-build.sh
. "$(dirname "$0")/go-build.sh"
PAUSE_SOURCE="$(cd "$(dirname "$0")/../pause" && pwd)"

# Installs Debian's PACKAGE when FILE is missing; a clear error when that cannot be done here.
debian_package() {
  local package=$1 file=$2
  [ -e "$file" ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "$file is missing: install Debian's package $package (apt-get install $package) as root and re-run"
    exit 3
  fi
  log "installing Debian's package $package (for $file)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$package" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "$package" >/dev/null; } \
    || { log "apt-get install $package failed"; exit 3; }
}

build_runc() {
  CGO_ENABLED=1 GO_TAGS=seccomp GO_LDFLAGS="-X main.version=${RUNC_VERSION#v}" go_install runc github.com/opencontainers/runc "$RUNC_VERSION"
}

build_pause() {
  (cd "$PAUSE_SOURCE" && go build -trimpath -ldflags "-s -w" -o "$BIN/pause.tmp" .)
  mv "$BIN/pause.tmp" "$BIN/pause"
}

debian_package libseccomp-dev /usr/include/seccomp.h
debian_package nftables /usr/sbin/nft

for cmd in kubelet kube-controller-manager kube-scheduler kube-proxy; do
  ensure "$cmd" "$KUBE_VERSION" "about a minute with the Go cache warm from kube-apiserver" build_kube "$cmd"
done
CONTAINERD_LD="-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION"
for cmd in containerd containerd-shim-runc-v2 ctr; do
  GO_LDFLAGS="$CONTAINERD_LD" ensure "$cmd" "$CONTAINERD_VERSION" "about a minute" \
    go_install "$cmd" "github.com/containerd/containerd/v2/cmd/$cmd" "$CONTAINERD_VERSION"
done
ensure runc "$RUNC_VERSION" "under a minute (cgo, libseccomp)" build_runc
mkdir -p "$BIN/cni"
for plugin in main/bridge ipam/host-local main/loopback; do
  ensure "cni/$(basename "$plugin")" "$CNI_PLUGINS_VERSION" "under a minute" \
    go_install "cni/$(basename "$plugin")" "github.com/containernetworking/plugins/plugins/$plugin" "$CNI_PLUGINS_VERSION"
done
ensure pause "source-$(cat "$PAUSE_SOURCE/go.mod" "$PAUSE_SOURCE/main.go" | sha256sum | cut -c1-16)" "a few seconds" build_pause
echo "$BIN"
