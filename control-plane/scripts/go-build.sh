# Sourced by build-binaries.sh and build-node.sh: the cache folder, progress, and the two ways the
# project builds a Go program from the module proxy (Kubernetes' commands through a module of our
# own, anything else with `go install`). Each binary BIN/<name> has its version in BIN/<name>.version.

KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
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

current() { cat "$BIN/$1.version" 2>/dev/null || true; }

# Builds NAME with `build_fn ARGS...` unless BIN/NAME is there at VERSION; says which, and how long.
# Two builds on one machine (two checkouts, a test and npm start) take turns on a binary: the second
# waits on a lock of that binary and then finds it cached, instead of racing on the same files.
ensure() {
  local name=$1 version=$2 hint=$3; shift 3
  local lock
  exec {lock}>"$BIN/.$name.lock"
  if ! flock -n "$lock"; then
    log "$name: another build of it is running on this machine; waiting for it"
    flock "$lock"
  fi
  if [ -x "$BIN/$name" ] && [ "$(current "$name")" = "$version" ]; then
    log "$name $version: cached"
  else
    log "$name $version: building ($hint)"
    with_progress "$name $version" "$@"
    echo "$version" > "$BIN/$name.version"
  fi
  exec {lock}>&-
}

# The staging modules of k8s.io/kubernetes: its go.mod replaces them with ./staging, which a module
# that requires it must redo with their published versions.
STAGING="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
pod-security-admission sample-apiserver sample-cli-plugin sample-controller"

# Builds k8s.io/kubernetes/cmd/CMD at KUBE_VERSION into BIN/CMD.
build_kube() {
  local cmd=$1
  local dir="$CACHE/src/$cmd-$KUBE_VERSION"
  local staging="v0.${KUBE_VERSION#v1.}"
  local minor; minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
  mkdir -p "$dir"
  {
    echo "module local/$cmd-build"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    for m in $STAGING; do echo "	k8s.io/$m => k8s.io/$m $staging"; done
    echo ")"
  } > "$dir/go.mod"
  printf 'package tools\n\nimport _ "k8s.io/kubernetes/cmd/%s"\n' "$cmd" > "$dir/tools.go"
  local pkg="k8s.io/component-base/version" cpkg="k8s.io/client-go/pkg/version"
  local ld="-s -w"
  for p in $pkg $cpkg; do
    ld="$ld -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  (cd "$dir" && go mod tidy >&2 && go build -trimpath -ldflags "$ld" -o "$BIN/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
  mv "$BIN/$cmd.tmp" "$BIN/$cmd"
}

# A module whose go.mod has no replace directives builds with `go install module/cmd@version`;
# GO_TAGS and GO_LDFLAGS add build tags and linker flags.
go_install() {
  local name=$1 pkg=$2 version=$3
  local tmp="$BIN/.gobin-${name//\//-}"
  rm -rf "$tmp" && mkdir -p "$tmp"
  GOBIN="$tmp" go install -trimpath ${GO_TAGS:+-tags "$GO_TAGS"} -ldflags "-s -w ${GO_LDFLAGS:-}" "$pkg@$version"
  mv "$tmp/$(basename "$pkg")" "$BIN/$name"
  rm -rf "$tmp"
}
