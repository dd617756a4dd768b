#!/usr/bin/env bash
# chart-testing's linters, yamllint and yamale (Python, pinned), installed from PyPI into a virtual
# environment in the project's cache outside the repository; reinstalled only when a version changes.
# Used by deploy/src/chart-checkers.cluster.spec.ts. Prints the environment's bin folder last.
set -euo pipefail

YAMLLINT_VERSION="${YAMLLINT_VERSION:-1.37.1}"
YAMALE_VERSION="${YAMALE_VERSION:-6.0.0}"
CACHE="${KUBEVIRT_MIGRATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubevirt-migration}"
VENV="$CACHE/chart-lint-venv"
WANTED="yamllint $YAMLLINT_VERSION, yamale $YAMALE_VERSION"

log() { printf '[chart-lint tools] %s\n' "$*" >&2; }

# Debian: python3 and its venv module, installed when missing (as root, with apt-get)
python_ready() { command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' >/dev/null 2>&1; }
if ! python_ready; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing python3 and python3-venv with apt-get"
    apt-get install -y -qq python3 python3-venv >&2 || { apt-get update -qq >&2 && apt-get install -y -qq python3 python3-venv >&2; }
  fi
  python_ready || { log "Python 3 with its venv module is needed (Debian: apt-get install python3 python3-venv)"; exit 3; }
fi

if [ -x "$VENV/bin/yamllint" ] && [ -x "$VENV/bin/yamale" ] && [ "$(cat "$VENV/versions" 2>/dev/null || true)" = "$WANTED" ]; then
  log "$WANTED: cached"
else
  log "$WANTED: installing from PyPI"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "yamllint==$YAMLLINT_VERSION" "yamale==$YAMALE_VERSION" >&2
  echo "$WANTED" > "$VENV/versions"
fi
echo "$VENV/bin"
