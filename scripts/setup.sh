#!/usr/bin/env bash
# Idempotent machine set-up for GanCluster on Debian 12 (or newer): makes TorchSharp's native
# library loadable by providing a libstdc++ with GLIBCXX_3.4.32. Does nothing where it is present.
# --postgres also installs Debian's PostgreSQL server binaries (the tests start their own server
# on loopback from them; nothing is started here).
set -euo pipefail

quiet=false
postgres=false
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=true ;;
    --postgres) postgres=true ;;
    *) printf '[setup] unknown option %s (known: --quiet, --postgres)\n' "$arg" >&2; exit 2 ;;
  esac
done
log() { printf '[setup] %s\n' "$*" >&2; }

libstdcxx_path() {
  local p
  p=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  [ -n "$p" ] || p=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 / {print $NF; exit}')
  printf '%s' "$p"
}

has_glibcxx_3_4_32() {
  local lib; lib=$(libstdcxx_path)
  [ -n "$lib" ] && grep -qa 'GLIBCXX_3\.4\.32' "$lib"
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  log "need root to run: $*"; return 1; fi; }

debian_mirror_uri() {
  # The URI the machine already uses for bookworm, so trixie comes from the same mirror.
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 ~ /bookworm/ && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  printf '%s' "${uri:-http://deb.debian.org/debian}"
}

fix_libstdcxx() {
  if has_glibcxx_3_4_32; then
    $quiet || log "libstdc++ has GLIBCXX_3.4.32: nothing to do"
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    log "libstdc++ lacks GLIBCXX_3.4.32 (TorchSharp 0.107 needs GCC 13's runtime) and this is not a Debian system:"
    log "install libstdc++ from GCC 13 or newer, then run again."
    return 1
  fi
  local uri; uri=$(debian_mirror_uri)
  log "libstdc++ lacks GLIBCXX_3.4.32: installing libstdc++6 from Debian trixie ($uri), pinned at priority 100"
  as_root tee /etc/apt/sources.list.d/gancluster-trixie.sources >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  as_root tee /etc/apt/preferences.d/gancluster-trixie.pref >/dev/null <<PREF
Package: *
Pin: release n=trixie
Pin-Priority: 100
PREF
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  if ! has_glibcxx_3_4_32; then
    log "libstdc++6 from trixie was installed but GLIBCXX_3.4.32 is still missing in $(libstdcxx_path)"
    return 1
  fi
  log "libstdc++ now provides GLIBCXX_3.4.32"
}


postgres_initdb() { ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1; }

install_postgres() {
  if [ -n "$(postgres_initdb)" ]; then
    $quiet || log "PostgreSQL server binaries present: $(postgres_initdb)"
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    log "PostgreSQL server binaries (initdb, pg_ctl) are missing and this is not a Debian system: install PostgreSQL 13 or newer."
    return 1
  fi
  log "installing Debian's PostgreSQL server (postgresql) for the tests"
  if ! DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null 2>&1; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  [ -n "$(postgres_initdb)" ] || { log "postgresql was installed but no initdb was found under /usr/lib/postgresql"; return 1; }
  log "PostgreSQL installed: $(postgres_initdb)"
}

fix_libstdcxx
if $postgres; then install_postgres; fi
