#!/usr/bin/env bash
# Builds kube-apiserver, etcd and Helm from the Go module proxy into a cache outside the repository,
# and, when asked, the load generator hey (`build-binaries.sh hey`, for the benchmarks) and Prometheus'
# promtool (`build-binaries.sh promtool`, for the tests of the chart's alerting rules).
# Rebuilds only when a binary is missing or its pinned version changed. Prints the binary folder last.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${HELM_VERSION:-v4.3.1}"
HEY_VERSION="${HEY_VERSION:-v0.1.4}"
# Prometheus 3.16.0: the Go module github.com/prometheus/prometheus tags release 3.x.y as v0.30x.y / v0.31x.y.
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v0.316.0}"
CACHE="${KUBEVIRT_MIGRATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubevirt-migration}"
BIN="$CACHE/bin"
mkdir -p "$BIN"

log() { printf '[control-plane build] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "Go is not installed. Install Go 1.24 or newer (Debian: apt-get install golang-go, or the official tarball) and re-run."
  exit 3
fi

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Runs a long build, printing a heartbeat with the elapsed time every 30 s.
with_progress() {
  local what=$1; shift
  local start; start=$(date +%s)
  "$@" &
  local pid=$!
  local ticks=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    ticks=$((ticks + 1))
    if [ $((ticks % 30)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
      log "$what: still building ($(elapsed "$start") elapsed)"
    fi
  done
  if wait "$pid"; then
    log "$what: done in $(elapsed "$start")"
  else
    log "$what: FAILED after $(elapsed "$start")"
    return 1
  fi
}

STAGING="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
pod-security-admission sample-apiserver sample-cli-plugin sample-controller"

build_kube_apiserver() {
  local dir="$CACHE/src/kube-apiserver-$KUBE_VERSION"
  local staging="v0.${KUBE_VERSION#v1.}"
  local minor; minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
  mkdir -p "$dir"
  {
    echo "module local/kube-apiserver-build"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    for m in $STAGING; do echo "	k8s.io/$m => k8s.io/$m $staging"; done
    echo ")"
  } > "$dir/go.mod"
  printf 'package tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' > "$dir/tools.go"
  local pkg="k8s.io/component-base/version" cpkg="k8s.io/client-go/pkg/version"
  local ld="-s -w"
  for p in $pkg $cpkg; do
    ld="$ld -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  (cd "$dir" && go mod tidy >&2 && go build -trimpath -ldflags "$ld" -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  echo "$KUBE_VERSION" > "$BIN/kube-apiserver.version"
}

build_etcd() {
  local dir="$CACHE/src/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  printf 'module local/etcd-build\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$dir/go.mod"
  printf 'package tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$dir/tools.go"
  (cd "$dir" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  echo "$ETCD_VERSION" > "$BIN/etcd.version"
}

# A module whose go.mod has no replace directives builds with `go install module/cmd@version`.
go_install() {
  local name=$1 pkg=$2 version=$3
  local tmp="$BIN/.$name.gobin"
  rm -rf "$tmp" && mkdir -p "$tmp"
  GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "$pkg@$version"
  mv "$tmp/$(basename "$pkg")" "$BIN/$name"
  rm -rf "$tmp"
  echo "$version" > "$BIN/$name.version"
}

current() { cat "$BIN/$1.version" 2>/dev/null || true; }

if [ -x "$BIN/etcd" ] && [ "$(current etcd)" = "$ETCD_VERSION" ]; then
  log "etcd $ETCD_VERSION: cached"
else
  log "etcd $ETCD_VERSION: building (about a minute the first time)"
  with_progress "etcd $ETCD_VERSION" build_etcd
fi
if [ -x "$BIN/kube-apiserver" ] && [ "$(current kube-apiserver)" = "$KUBE_VERSION" ]; then
  log "kube-apiserver $KUBE_VERSION: cached"
else
  log "kube-apiserver $KUBE_VERSION: building (about 4 minutes the first time on 2 cores, under a minute with a warm Go cache)"
  with_progress "kube-apiserver $KUBE_VERSION" build_kube_apiserver
fi
if [ -x "$BIN/helm" ] && [ "$(current helm)" = "$HELM_VERSION" ]; then
  log "helm $HELM_VERSION: cached"
else
  log "helm $HELM_VERSION: building (about 3 minutes the first time on 2 cores)"
  with_progress "helm $HELM_VERSION" go_install helm helm.sh/helm/v4/cmd/helm "$HELM_VERSION"
fi
for extra in "$@"; do
  case "$extra" in
    hey)
      if [ -x "$BIN/hey" ] && [ "$(current hey)" = "$HEY_VERSION" ]; then
        log "hey $HEY_VERSION: cached"
      else
        log "hey $HEY_VERSION: building"
        with_progress "hey $HEY_VERSION" go_install hey github.com/rakyll/hey "$HEY_VERSION"
      fi
      ;;
    promtool)
      # promtool: `promtool test rules` runs the chart's alerting rules against series in a test file.
      if [ -x "$BIN/promtool" ] && [ "$(current promtool)" = "$PROMETHEUS_VERSION" ]; then
        log "promtool $PROMETHEUS_VERSION: cached"
      else
        log "promtool $PROMETHEUS_VERSION: building (about 5 minutes the first time on 2 cores)"
        with_progress "promtool $PROMETHEUS_VERSION" go_install promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_VERSION"
      fi
      ;;
    *) log "unknown extra binary: $extra"; exit 2 ;;
  esac
done
echo "$BIN"
