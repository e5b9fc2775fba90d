#!/usr/bin/env bash
# Installs what dray's demo and tests need on a bare Debian 12 / Ubuntu machine, as root:
# Go 1.23 (bookworm-backports), a C compiler for cgo, Docker's engine, a real OCI registry, skopeo, umoci,
# Chromium, cosign, crane and oras (from Debian's sid, without adding sid to the system's sources), and
# what `dray verify` varies its second build with: faketime, tzdata and the tr_TR.UTF-8 locale.
# Idempotent: a second run installs nothing new.
set -euo pipefail

log() { printf '[install] %s\n' "$*"; }

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }

export DEBIAN_FRONTEND=noninteractive

enable_backports() {
  # Go 1.23 is only in bookworm-backports; add the suite to the existing source without naming any host.
  local src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ] && grep -q '^Suites:.*bookworm' "$src" && ! grep -q 'bookworm-backports' "$src"; then
    log "enabling bookworm-backports"
    sed -i '0,/^Suites: bookworm/s//Suites: bookworm bookworm-backports/' "$src"
  fi
}

go_bin() {
  for g in /usr/lib/go-1.23/bin/go /usr/lib/go-1.22/bin/go /usr/local/go/bin/go; do
    [ -x "$g" ] && { echo "$g"; return; }
  done
  return 1
}

if ! go_bin >/dev/null; then
  if grep -qi 'bookworm' /etc/os-release 2>/dev/null; then
    enable_backports
    need_apt+=("-t" "bookworm-backports" "golang-1.23-go")
  else
    need_apt+=("golang-go")
  fi
fi

pkgs=()
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  pkgs+=(nodejs npm)
fi
have dockerd || pkgs+=(docker.io)
have docker-registry || [ -x /usr/bin/docker-registry ] || pkgs+=(docker-registry)
have htpasswd || pkgs+=(apache2-utils)
have skopeo || pkgs+=(skopeo)
have umoci || pkgs+=(umoci)
have chromium || pkgs+=(chromium)
# Podman runs the rendered Kubernetes manifests (podman kube play); runc because this kernel's
# hybrid cgroups are refused by crun, catatonit for the pods' infra containers, CNI for their network.
podman_pkgs=()
have podman || podman_pkgs=(podman runc catatonit containernetworking-plugins)
have openssl || pkgs+=(openssl)
have faketime || pkgs+=(faketime)
# dray verify's second build runs under TZ=Pacific/Chatham and LC_ALL=tr_TR.UTF-8; without the zone
# file or the locale the C library silently falls back to UTC and C, so verify would skip them.
[ -e /usr/share/zoneinfo/Pacific/Chatham ] || pkgs+=(tzdata)
have localedef || pkgs+=(locales)
have git || pkgs+=(git)
# cgo services (and the cgo fixture's tests) need a C compiler, and glibc's static archives to link statically.
have gcc || pkgs+=(gcc)
dpkg -s libc6-dev >/dev/null 2>&1 || pkgs+=(libc6-dev)
have curl || pkgs+=(curl)

if [ ${#need_apt[@]} -gt 0 ] || [ ${#pkgs[@]} -gt 0 ] || [ ${#podman_pkgs[@]} -gt 0 ]; then
  log "apt-get update"
  apt-get update -qq
  if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing Go: ${need_apt[*]}"
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing: ${pkgs[*]}"
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
  if [ ${#podman_pkgs[@]} -gt 0 ]; then
    # With its recommended packages, as the tests run it (the pod network and storage helpers).
    log "installing: ${podman_pkgs[*]}"
    apt-get install -y -qq "${podman_pkgs[@]}" >/dev/null
  fi
fi

# No grep -q: its early exit would kill `locale -a` with SIGPIPE, which pipefail reports as failure.
has_verify_locale() { locale -a 2>/dev/null | grep -ix 'tr_TR\.utf-\?8' >/dev/null; }
if ! has_verify_locale; then
  log "generating the tr_TR.UTF-8 locale (dray verify builds under it)"
  if [ -f /etc/locale.gen ]; then
    # Listed in locale.gen too, so a later locale-gen (run by package updates) keeps it.
    sed -i 's/^# *\(tr_TR\.UTF-8 UTF-8\)$/\1/' /etc/locale.gen
    grep -q '^tr_TR\.UTF-8 UTF-8$' /etc/locale.gen || echo 'tr_TR.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null 2>&1 || true
  fi
  has_verify_locale || localedef -i tr_TR -c -f UTF-8 tr_TR.UTF-8 || true
  has_verify_locale || { log "could not generate tr_TR.UTF-8; dray verify will report the locale as skipped" >&2; }
fi

# cosign, crane and oras check dray's signatures and referrers in the supply-chain tests. Only
# Debian's sid has them (each a static binary needing just libc): their .deb files are fetched with a
# throwaway source list built from this machine's own archive address, read here at run time, and
# installed with dpkg; sid never enters the system's sources.
install_sid_tools() {
  local missing=() tool
  for tool in cosign crane oras; do have "$tool" || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local uri
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [ -z "$uri" ]; then
    log "no Debian archive address in /etc/apt/sources.list.d/debian.sources: install ${missing[*]} yourself (the supply-chain tests need them)" >&2
    return 0
  fi
  local d
  d=$(mktemp -d)
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main" >"$d/sources.list"
  local o=(-o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=/nonexistent"
    -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o "APT::Sandbox::User=root")
  log "installing from Debian sid with a throwaway source list: ${missing[*]}"
  apt-get "${o[@]}" update -qq
  (cd "$d" && apt-get "${o[@]}" download -qq "${missing[@]}")
  dpkg -i "$d"/*.deb >/dev/null
  rm -rf "$d"
}
install_sid_tools

if have podman && ! grep -qs '^runtime = "runc"' /etc/containers/containers.conf; then
  log "configuring podman: the runc runtime and no raised ulimits, which this kernel refuses"
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' >/etc/containers/containers.conf
fi

if [ -z "$(go_bin || true)" ] && ! have go; then
  log "no Go toolchain after install" >&2
  exit 1
fi
g=$(go_bin || command -v go)
if ! have go || [ "$(readlink -f "$(command -v go)")" != "$(readlink -f "$g")" ]; then
  ln -sf "$g" /usr/local/bin/go
  ln -sf "$(dirname "$g")/gofmt" /usr/local/bin/gofmt
fi
if [ "$(node_major)" -lt 20 ]; then
  log "dray needs Node.js 20 or newer; this system's package gives $(node --version 2>/dev/null || echo none)." >&2
  log "Install Node.js 20+ (for example from your distribution's newer releases) and run this script again." >&2
  exit 3
fi
log "go: $(go version)"
log "node: $(node --version)"
for tool in cosign crane oras; do have "$tool" && log "$tool: $(command -v "$tool")"; done
log "done"
