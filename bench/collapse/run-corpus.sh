#!/usr/bin/env bash
# Trains every configuration of configs.txt for each seed, CORPUS_JOBS (default 2) runs at a time with one thread
# each, evaluating every 250 steps (2D mixtures: 2,500 samples; images: 2,000, in the dataset's evaluator).
# Output: OUT/<config>-s<seed>/metrics.jsonl.
#   bench/collapse/run-corpus.sh OUT [seeds...]     (default seeds: 1 2 3; image configurations run the first two)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: run-corpus.sh OUT [seeds...]}"
shift
seeds=("$@")
[ $# -eq 0 ] && seeds=(1 2 3)
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# One frozen build for the whole corpus: editing sources meanwhile never changes (or rebuilds under) a run.
bash "$root/scripts/setup.sh" --quiet
[ -f "$out/bin/gancluster.dll" ] || dotnet build "$root/src/GanCluster.Cli/GanCluster.Cli.csproj" -c Release -o "$out/bin" -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary" > /dev/null
cli=(dotnet "$out/bin/gancluster.dll")
jobs=()
while IFS='|' read -r name recipe steps overrides; do
  [[ "$name" =~ ^[[:space:]]*(#|$) ]] && continue
  name="$(echo "$name" | xargs)"; recipe="$(echo "$recipe" | xargs)"; steps="$(echo "$steps" | xargs)"
  case "$recipe" in quality/*) spec="$root/bench/$recipe.yaml" ;; *) spec="$root/examples/$recipe.yaml" ;; esac
  n=0
  for seed in "${seeds[@]}"; do
    n=$((n + 1))
    case "$recipe" in ring8|grid25) ;; *) [ $n -gt 2 ] && continue ;; esac
    jobs+=("$name|$spec|$steps|$seed|$overrides")
  done
done < "$root/bench/collapse/configs.txt"
# Image evaluators first (one per dataset), so that two runs never race to train one.
cache="${GANCLUSTER_CACHE:-$HOME/.cache/gancluster}/evaluators"
for dataset in mnist fashion-mnist; do
  [ -f "$cache/$dataset.evaluator" ] && continue
  folder=$([ $dataset = mnist ] && echo mnist || echo fashion-mnist)
  echo "training the $dataset evaluator (about 10 min on one core)"
  "${cli[@]}" evaluator train --dataset $dataset --path "$root/../shared/data/$folder" --threads 1 > "$out/evaluator-$dataset.log" 2>&1 \
    || { echo "evaluator $dataset failed: see $out/evaluator-$dataset.log"; exit 1; }
done
cd "$root"
printf '%s\n' "${jobs[@]}" | xargs -P "${CORPUS_JOBS:-2}" -I{} bash -c '
  IFS="|" read -r name spec steps seed overrides <<< "{}"
  dir="'"$out"'/$name-s$seed"
  [ -f "$dir/done" ] && exit 0
  rm -rf "$dir"
  samples=2500; case "$spec" in *quality/*|*mnist*) samples=2000 ;; esac
  # shellcheck disable=SC2086
  dotnet "'"$out"'/bin/gancluster.dll" train "$spec" --out "$dir" --threads 1 --steps "$steps" \
    --set seed=$seed --set report_every=50 --set health.eval_every=250 --set health.eval_samples=$samples \
    --set checkpoint_every=0 --set sample_every=0 --set name=$name $overrides > "$dir.log" 2>&1 || true
  mkdir -p "$dir" && touch "$dir/done"
  echo "$name seed $seed: $(tail -1 "$dir.log")"
'
