#!/usr/bin/env bash
# Prepares the peers the performance benchmarks compare against, for benchmarks only (never for tests):
#   - PyTorch 2.6 (Debian trixie's python3-torch with libopenblas0-pthread) inside a debootstrap'd trixie root, because
#     installing trixie's Python on this bookworm machine would replace the system's;
#   - PyTorch 1.13 (bookworm's python3-torch) on the machine itself, for /usr/bin/python3.
# Idempotent: a root that already imports torch is kept. Prints the two versions.
#   bench/peers/prepare-pytorch.sh [ROOT]        ROOT defaults to /var/cache/gancluster/trixie-pytorch
set -euo pipefail
root="${1:-${GANCLUSTER_TRIXIE_ROOT:-/var/cache/gancluster/trixie-pytorch}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" = 0 ] || { echo "prepare-pytorch.sh: run as root (debootstrap and apt)" >&2; exit 1; }

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing bookworm's python3-torch (PyTorch 1.13) ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -t bookworm python3-torch libopenblas0-pthread > /dev/null
fi

if ! chroot "$root" /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  command -v debootstrap > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap > /dev/null
  if [ ! -x "$root/usr/bin/apt-get" ]; then
    echo "debootstrap trixie into $root (a few minutes) ..."
    mkdir -p "$root"
    debootstrap --variant=minbase trixie "$root" "$mirror" > "$root.debootstrap.log" 2>&1 \
      || { echo "debootstrap failed; see $root.debootstrap.log" >&2; exit 1; }
  fi
  echo "installing trixie's python3-torch (PyTorch 2.6) in $root ..."
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    python3-torch libopenblas0-pthread > "$root.apt.log" 2>&1 || { echo "apt-get in the root failed; see $root.apt.log" >&2; exit 1; }
fi
# PyTorch reads /proc (cpuinfo, the boot id): the root gets the host's.
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
echo "host: PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null | tail -1) (/usr/bin/python3)"
echo "root: PyTorch $(chroot "$root" /usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null | tail -1) ($root)"
