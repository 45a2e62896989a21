#!/usr/bin/env bash
# Weak scaling of data-parallel dcgan28 (or dcgan64): 2 ranks × 1 thread (global batch 2·B) against 1 process × 1 thread (batch B),
# run alternately ROUNDS times on one frozen build. Efficiency = throughput₂ / (2 · throughput₁), throughput in samples/s.
# Each round also runs two independent single processes at once (no ring): their efficiency is what the machine
# itself allows two busy processes (shared caches, memory bandwidth, a VM's vCPUs), the ceiling for the ring.
#   bench/scaling/weak-scaling.sh OUT [ROUNDS] [STEPS] [B]
# Needs MNIST in ../shared/data/mnist (or DATA=dir). Prints a table and the exposed all-reduce time per step.
# PAIR_SET=key=value (e.g. data_parallel.compression=bf16) is passed to the 2-rank run only.
# MODEL=dcgan64 trains dcgan64 on the ORL faces at 64×64 (../shared/data/faces/att-orl, or FACES=dir) instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: weak-scaling.sh OUT [ROUNDS] [STEPS] [B]}"; rounds="${2:-3}"; steps="${3:-60}"; batch="${4:-64}"
data="${DATA:-$root/../shared/data/mnist}"
model="${MODEL:-dcgan28}"
case "$model" in
  dcgan28) dataset="{ kind: idx, path: $data }" ;;
  dcgan64) dataset="{ kind: images, path: ${FACES:-$root/../shared/data/faces/att-orl}, image_size: 64, channels: 1 }" ;;
  *) echo "MODEL must be dcgan28 or dcgan64" >&2; exit 2 ;;
esac
mkdir -p "$out"; out="$(cd "$out" && pwd)"
bash "$root/scripts/setup.sh" --quiet
# One frozen build of the CLI and the programs it starts (ranks are workers), found through GANCLUSTER_BIN_DIR.
for project in Cli Worker Silo; do
  dotnet build "$root/src/GanCluster.$project/GanCluster.$project.csproj" -c Release -o "$out/bin" -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary" > /dev/null
done
export GANCLUSTER_BIN_DIR="$out/bin"
cat > "$out/spec.yaml" <<YAML
name: weak-scaling
seed: 1
steps: $steps
batch_size: $batch
threads: 1
model: { name: $model }
dataset: $dataset
optimizers:
  g: { kind: adam, lr: 2.0e-4, betas: [0.5, 0.999] }
  d: { kind: adam, lr: 2.0e-4, betas: [0.5, 0.999] }
report_every: 20
health: { eval_every: 0 }
YAML
rate() { sed -n 's/^timing: .*(\([0-9.]*\) steps\/s).*/\1/p' "$1" | tail -1; }
coll() { sed -n 's/^timing: \([0-9]*\) steps in .*, collectives \([0-9.]*\) s (\([0-9.]*\)%.*/\1 \2 \3/p' "$1" | tail -1; }
echo "| round | 1 process steps/s | 2 independent processes steps/s (each) | machine ceiling | 2 ranks steps/s | efficiency | efficiency / ceiling | exposed all-reduce per step (rank 0) | share of step time |"
echo "|---|---|---|---|---|---|---|---|---|"
effs=()
for r in $(seq 1 "$rounds"); do
  "$out/bin/gancluster" train "$out/spec.yaml" --threads 1 --out "$out/single-$r" > "$out/single-$r.log" 2>&1
  "$out/bin/gancluster" train "$out/spec.yaml" --threads 1 --world-size 2 --set batch_size=$((2 * batch)) ${PAIR_SET:+--set "$PAIR_SET"} --out "$out/pair-$r" > "$out/pair-$r.log" 2>&1
  "$out/bin/gancluster" train "$out/spec.yaml" --threads 1 --out "$out/alone-a-$r" > "$out/alone-a-$r.log" 2>&1 &
  "$out/bin/gancluster" train "$out/spec.yaml" --threads 1 --out "$out/alone-b-$r" > "$out/alone-b-$r.log" 2>&1
  wait
  one=$(rate "$out/single-$r.log"); two=$(rate "$out/pair-$r/rank-0.log")
  both=$(awk -v a="$(rate "$out/alone-a-$r.log")" -v b="$(rate "$out/alone-b-$r.log")" 'BEGIN { printf "%.3f", (a + b) / 2 }')
  ceiling=$(awk -v a="$one" -v b="$both" 'BEGIN { printf "%.3f", b / a }')
  read -r n secs pct <<< "$(coll "$out/pair-$r/rank-0.log")"
  eff=$(awk -v a="$one" -v b="$two" 'BEGIN { printf "%.3f", b / a }')
  effs+=("$eff")
  echo "| $r | $one | $both | $ceiling | $two | $eff | $(awk -v e="$eff" -v c="$ceiling" 'BEGIN { printf "%.3f", e / c }') | $(awk -v s="$secs" -v n="$n" 'BEGIN { printf "%.1f ms", 1000 * s / n }') | $pct % |"
done
printf '%s\n' "${effs[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "median efficiency over %d rounds: %s (per-rank batch %d, %d steps)\n", NR, a[int((NR + 1) / 2)], '"$batch"', '"$steps"' }'
