#!/usr/bin/env bash
# Each anti-collapse technique of the discriminator against the same recipe without it, side by side:
# grid25 (bench/recipes/grid25-8k.yaml, the old example recipe, seeds 1 2) and MNIST (bench/quality/mnist.yaml, 2,000 steps, seed 1),
# one thread per run, ANTI_JOBS (default 1) runs at a time. Each run evaluates at its end (2,500 points for
# grid25, 2,000 images in the MNIST evaluator). Summarise with summary.py OUT (a markdown table).
#   bench/anti-collapse/run.sh OUT
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: run.sh OUT}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
bash "$root/scripts/setup.sh" --quiet
[ -f "$out/bin/gancluster.dll" ] || dotnet build "$root/src/GanCluster.Cli/GanCluster.Cli.csproj" -c Release -o "$out/bin" -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary" > /dev/null
variants=(
  "none|"
  "pack2|--set model.pack=2"
  "stddev4|--set model.minibatch_stddev=4"
  "minibatch-discrimination|--set model.minibatch_discrimination.kernels=50 --set model.minibatch_discrimination.dims=5"
  "spectral-norm|--set model.spectral_norm=true"
)
jobs=()
for v in "${variants[@]}"; do
  for seed in 1 2; do jobs+=("grid25|$seed|$v"); done
  jobs+=("mnist|1|$v")
done
cd "$root"
printf '%s\n' "${jobs[@]}" | xargs -P "${ANTI_JOBS:-1}" -I{} bash -c '
  IFS="|" read -r recipe seed name overrides <<< "{}"
  dir="'"$out"'/$recipe-$name-s$seed"
  [ -f "$dir/done" ] && exit 0
  rm -rf "$dir"
  case "$recipe" in
    grid25) spec=bench/recipes/grid25-8k.yaml; extra="--set health.eval_every=2000 --set health.eval_samples=2500" ;;
    mnist) spec=bench/quality/mnist.yaml; extra="--set steps=2000 --set health.eval_every=500 --set health.eval_samples=2000" ;;
  esac
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  dotnet "'"$out"'/bin/gancluster.dll" train "$spec" --out "$dir" --threads 1 --set seed=$seed --set checkpoint_every=0 \
    --set sample_every=0 --set name=$recipe-$name $extra $overrides > "$dir.log" 2>&1 || true
  echo "seconds: $(echo "$(date +%s.%N) - $start" | bc)" >> "$dir.log"
  mkdir -p "$dir" && touch "$dir/done"
  echo "$recipe $name seed $seed: $(tail -2 "$dir.log" | head -1)"
'
