#!/usr/bin/env bash
# Gloo's all-reduce (PyTorch 2.6 in the trixie root, PyTorch 1.13 on the host) and GanCluster's gRPC ring between
# real processes (the static launcher; over TCP with the default connections per link (one on one host) and with 4,
# over Unix domain sockets, and over TCP with bfloat16 on the wire), in alternating rounds, then a table with
# the ratio per row. For benchmarks only.
#   bench/peers/allreduce-vs-gloo.sh [--world-sizes 2,3] [--sizes 4K,...,64M] [--rounds 3] [--iterations 20] [--out FILE]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
worlds=2,3; sizes=4K,64K,1M,4M,16M,64M; rounds=3; iterations=20; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --world-sizes) worlds="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --iterations) iterations="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
. "$root/bench/peers/common.sh"
peers_setup "$root" gloo_allreduce.py
bytes=$(python3 -c "import sys; u={'K':1<<10,'M':1<<20,'G':1<<30}; print(','.join(str(int(s[:-1])*u[s[-1]]) if s[-1] in u else s for s in sys.argv[1].split(',')))" "$sizes")
out="${out:-$(mktemp /tmp/allreduce-vs-gloo.XXXXXX.jsonl)}"
: > "$out"
port=29600
export GLOO_SOCKET_IFNAME=lo
for round in $(seq 1 "$rounds"); do
  for world in ${worlds//,/ }; do
    echo "round $round, $world processes ..." >&2
    port=$((port + 1))
    chroot "$trixie" /usr/bin/env GLOO_SOCKET_IFNAME=lo /usr/bin/python3 /tmp/gloo_allreduce.py "$world" "$port" "$bytes" "$iterations" 2>/dev/null | grep '^{' >> "$out"
    port=$((port + 1))
    (cd /tmp && /usr/bin/python3 "$root/bench/peers/gloo_allreduce.py" "$world" "$port" "$bytes" "$iterations" 2>/dev/null | grep '^{' >> "$out")
    for variant in "tcp float32 auto" "tcp float32 4" "unixsocket float32 auto" "tcp bf16 auto" "tcp bf16 4"; do
      set -- $variant
      dotnet "$bench" allreduce-processes --world-size "$world" --sizes "$sizes" --iterations "$iterations" --transport "$1" --encoding "$2" --channels "$3" --json | grep '^{' >> "$out"
    done
  done
done
echo "raw results: $out" >&2
python3 "$root/bench/peers/summarise_allreduce.py" "$out"
