#!/usr/bin/env bash
# One GAN training step (batch 64, Adam, non-saturating BCE loss, d_steps 1) in plain PyTorch -- 2.6 in the trixie
# root, 1.13 on the host (bench/peers/torch_gan_step.py) -- against GanCluster's trainer (`trainer-overhead --json`,
# which also times the bare TorchSharp loop), for mlp, dcgan28 and dcgan64 on 1 and 2 threads, in alternating rounds
# (the peers' order reverses every other round), then a table with ours / PyTorch 2.6 per row. For benchmarks only.
#   bench/peers/step-vs-pytorch.sh [--rounds 3] [--steps N] [--threads 1,2] [--models mlp,dcgan28,dcgan64] [--out FILE]
# --steps: timed steps per model and pass on every side (default 200, 20, 3 for mlp, dcgan28, dcgan64, as trainer-overhead).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=3; steps=""; threads=1,2; models=mlp,dcgan28,dcgan64; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
. "$root/bench/peers/common.sh"
peers_setup "$root" torch_gan_step.py
common=(--models "$models" --threads "$threads")
[ -n "$steps" ] && common+=(--steps "$steps")
out="${out:-$(mktemp /tmp/step-vs-pytorch.XXXXXX.jsonl)}"
: > "$out"

tag() { grep '^{' | sed "s/^{/{\"round\": $1, /" >> "$out"; }
run_peer() {
  case "$1" in
    pytorch26) chroot "$trixie" /usr/bin/python3 /tmp/torch_gan_step.py "${common[@]}" 2>/dev/null | tag "$2" ;;
    pytorch113) (cd /tmp && /usr/bin/python3 "$root/bench/peers/torch_gan_step.py" "${common[@]}" 2>/dev/null) | tag "$2" ;;
    ours) dotnet "$bench" trainer-overhead --rounds 1 "${common[@]}" --json | tag "$2" ;;
  esac
}
for round in $(seq 1 "$rounds"); do
  order="pytorch26 pytorch113 ours"
  [ $((round % 2)) = 0 ] && order="ours pytorch113 pytorch26"
  for peer in $order; do
    echo "round $round: $peer ..." >&2
    run_peer "$peer" "$round"
  done
done
echo "raw results: $out" >&2
python3 "$root/bench/peers/summarise_steps.py" "$out"
