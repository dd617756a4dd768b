#!/usr/bin/env bash
# Builds kube-apiserver, etcd and Helm from the Go module proxy into a cache outside the repository,
# and, when asked, the load generator hey (`build-binaries.sh hey`, for the benchmarks), the chart's
# external checkers (`build-binaries.sh kube-score kubeconform`, for the chart's tests) and Prometheus'
# promtool (`build-binaries.sh promtool`, for the tests of the chart's alerting rules) and kubectl
# (`build-binaries.sh kubectl`, of the API server's version, for the tests that run it as users do).
# Rebuilds only when a binary is missing or its pinned version changed. Prints the binary folder last.
# The node's components (kubelet, containerd, ...) are built by build-node.sh.
set -euo pipefail

ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${HELM_VERSION:-v4.3.1}"
HEY_VERSION="${HEY_VERSION:-v0.1.4}"
# the chart's external checkers (deploy/src/chart-checkers.cluster.spec.ts)
KUBE_SCORE_VERSION="${KUBE_SCORE_VERSION:-v1.20.0}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
# Prometheus 3.16.0 (promtool, deploy/src/alerts.cluster.spec.ts): the Go module
# github.com/prometheus/prometheus tags release 3.x.y as v0.30x.y / v0.31x.y.
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v0.316.0}"
# shellcheck source=go-build.sh
. "$(dirname "$0")/go-build.sh"

build_etcd() {
  local dir="$CACHE/src/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  printf 'module local/etcd-build\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$dir/go.mod"
  printf 'package tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$dir/tools.go"
  (cd "$dir" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$BIN/etcd.tmp" "$BIN/etcd"
}

ensure etcd "$ETCD_VERSION" "about a minute the first time" build_etcd
ensure kube-apiserver "$KUBE_VERSION" "about 4 minutes the first time on 2 cores, under a minute with a warm Go cache" build_kube kube-apiserver
ensure helm "$HELM_VERSION" "about 3 minutes the first time on 2 cores" go_install helm helm.sh/helm/v4/cmd/helm "$HELM_VERSION"
for extra in "$@"; do
  case "$extra" in
    hey) ensure hey "$HEY_VERSION" "under a minute" go_install hey github.com/rakyll/hey "$HEY_VERSION" ;;
    # the chart's external checkers, built only when the chart's tests ask for them
    kube-score)
      ensure kube-score "$KUBE_SCORE_VERSION" "about a minute the first time on 2 cores" \
        go_install kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION" ;;
    kubeconform)
      ensure kubeconform "$KUBECONFORM_VERSION" "under a minute" \
        go_install kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" ;;
    # promtool: `promtool test rules` runs the chart's alerting rules against series in a test file
    # built without Prometheus' service discoveries (build tag remove_all_sd: no cloud SDKs), which
    # `promtool check/test rules` never use: 8.5 min instead of about 40 with empty Go caches under load
    promtool)
      GO_TAGS=remove_all_sd ensure promtool "$PROMETHEUS_VERSION" "about 8 minutes the first time on 2 cores" \
        go_install promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_VERSION" ;;
    # kubectl of the API server's own version: the tests run it as users do, never the machine's
    kubectl) ensure kubectl "$KUBE_VERSION" "about a minute with the Go cache warm from kube-apiserver" build_kube kubectl ;;
    *) log "unknown extra binary: $extra"; exit 2 ;;
  esac
done
echo "$BIN"
