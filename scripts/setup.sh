#!/usr/bin/env bash
# Idempotent machine set-up for GanCluster on Debian 12 (or newer): makes TorchSharp's native
# library loadable by providing a libstdc++ with GLIBCXX_3.4.32. Does nothing where it is present.
# --postgres also installs Debian's PostgreSQL server binaries (the tests start their own server
# on loopback from them; nothing is started here).
# --prometheus also installs Debian's Prometheus server (/usr/bin/prometheus, promtool); `gancluster up --prometheus`
# and the tests start their own on loopback, so the packaged service is neither started nor enabled.
# --containers also installs buildah, podman and runc, which deploy/images builds and runs the CPU images with
# (no daemon is started). A failure there is reported and not fatal: the image test then says why it skipped.
set -euo pipefail

quiet=false
postgres=false
prometheus=false
containers=false
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=true ;;
    --postgres) postgres=true ;;
    --prometheus) prometheus=true ;;
    --containers) containers=true ;;
    *) printf '[setup] unknown option %s (known: --quiet, --postgres, --prometheus, --containers)\n' "$arg" >&2; exit 2 ;;
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

install_prometheus() {
  if [ -x /usr/bin/prometheus ]; then
    $quiet || log "Prometheus present: $(/usr/bin/prometheus --version 2>&1 | head -n 1)"
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    log "/usr/bin/prometheus is missing and this is not a Debian system: install Prometheus 2.x so that /usr/bin/prometheus exists."
    return 1
  fi
  log "installing Debian's Prometheus server (prometheus) without starting its service"
  # The postinst starts the daemon on :9090 through invoke-rc.d or deb-systemd-invoke; both obey policy-rc.d,
  # so a temporary one that denies every action keeps it stopped. One already there (containers have one) is kept.
  local policy=/usr/sbin/policy-rc.d own_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    own_policy=true
  fi
  # Recommends would add prometheus-node-exporter, another daemon (:9100) that nothing here needs.
  local status=0
  if ! DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
    # Never exit early here: the temporary policy-rc.d must not outlive the install.
    { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } || status=$?
  fi
  if $own_policy; then as_root rm -f "$policy"; fi
  [ "$status" -eq 0 ] || return "$status"
  # Enabled by the package for the next boot: disable it, and stop it should anything have started it.
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    # Without systemd, invoke-rc.d finds no runlevel and starts nothing, but the unit and rc links are still enabled
    # (systemctl disable works offline, and also disables the SysV links).
    if command -v systemctl >/dev/null; then as_root systemctl disable prometheus.service >/dev/null 2>&1 || true; fi
    as_root update-rc.d prometheus disable >/dev/null 2>&1 || true
    as_root service prometheus stop >/dev/null 2>&1 || true
  fi
  [ -x /usr/bin/prometheus ] || { log "prometheus was installed but /usr/bin/prometheus is missing"; return 1; }
  log "Prometheus installed: $(/usr/bin/prometheus --version 2>&1 | head -n 1) (packaged service not running)"
}

install_containers() {
  if command -v buildah >/dev/null && command -v podman >/dev/null && command -v runc >/dev/null; then
    $quiet || log "buildah, podman and runc present: $(buildah --version 2>&1 | head -n 1)"
    return 0
  fi
  command -v apt-get >/dev/null || { log "buildah, podman or runc missing and this is not a Debian system: the image test will skip"; return 0; }
  log "installing buildah, podman and runc (for deploy/images)"
  if ! DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq buildah podman runc >/dev/null 2>&1; then
    { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq buildah podman runc >/dev/null 2>&1; } \
      || log "could not install buildah, podman and runc: the image test will skip, saying so"
  fi
}

fix_libstdcxx
if $postgres; then install_postgres; fi
if $prometheus; then install_prometheus; fi
if $containers; then install_containers; fi
