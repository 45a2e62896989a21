#!/usr/bin/env bash
# Runs every row of the quality benchmark (bench/RESULTS.md), QUALITY_JOBS (default 2) jobs at a time, one thread each.
#   bench/quality/run-quality.sh OUT [row...]      rows: ring8 grid25 mnist mnist-conditional fashion fashion-conditional faces (default: all), or ring8:3 for one seed;
#   ring8-example and grid25-example train examples/ring8.yaml and grid25.yaml as they are (seeds 1 2; not in the default set)
# Needs ../shared/data (or edit dataset.path in the recipes). Each job leaves OUT/<job>/evaluate.json;
# summarise with: dotnet bench/GanCluster.Bench/bin/Release/net10.0/GanCluster.Bench.dll quality-summary --dir OUT
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ "${1:-}" = "--job" ]; then
  out="$2"; kind="$3"; seed="$4"
  cli="$out/bin/gancluster"
  dir="$out/$kind-s$seed"
  [ -f "$dir/evaluate.json" ] && exit 0
  exec 9> "$dir.lock"
  flock -n 9 || exit 0   # another queue is running this job
  export GANCLUSTER_CACHE="$out/cache"
  recipe_file="$root/bench/quality/$kind.yaml"
  case "$kind" in *-example) recipe_file="$root/examples/${kind%-example}.yaml" ;; esac
  case "$kind" in
    ring8|grid25|ring8-example|grid25-example) samples=2500 ;;
    mnist|mnist-conditional|fashion|fashion-conditional) samples=10000 ;;
    faces) samples=400 ;;
  esac
  if [ "$samples" != 2500 ]; then
    dataset=$(sed -n 's/.*path: \([^ ,}]*\).*/\1/p' "$root/bench/quality/$kind.yaml" | head -1)
    case "$kind" in fashion|fashion-*) recipe=fashion-mnist ;; mnist-*) recipe=mnist ;; *) recipe="$kind" ;; esac
    # One evaluator per dataset, trained before the GAN that needs it (flock: two seeds may race).
    flock "$out/evaluator-$recipe.lock" bash -c "[ -f '$out/cache/evaluators/$recipe.evaluator' ] || '$cli' evaluator train --dataset $recipe --path '$root/$dataset' --threads 1 > '$out/evaluator-$recipe.log' 2>&1"
  fi
  start=$(date +%s)
  "$cli" train "$recipe_file" --out "$dir" --threads 1 --set seed="$seed" > "$dir.log" 2>&1
  echo "train_seconds: $(( $(date +%s) - start ))" >> "$dir.log"
  ckpt=$(ls "$dir"/checkpoints/*.gck | tail -1)
  "$cli" evaluate "$ckpt" --samples "$samples" --output json > "$dir/evaluate.json.tmp"
  mv "$dir/evaluate.json.tmp" "$dir/evaluate.json"
  echo "$kind seed $seed done: $(tail -2 "$dir.log" | head -1)"
  exit 0
fi
out="${1:?usage: run-quality.sh OUT [row...]}"
shift
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=(mnist mnist-conditional ring8 grid25 fashion fashion-conditional faces)
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# One frozen build for every job: editing sources meanwhile never changes (or rebuilds under) a run.
bash "$root/scripts/setup.sh" --quiet
dotnet build "$root/src/GanCluster.Cli/GanCluster.Cli.csproj" -c Release -o "$out/bin" -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary" > /dev/null
for row in "${rows[@]}"; do
  case "$row" in
    *:*) echo "${row%%:*} ${row#*:}" ;;   # one seed of a row, e.g. ring8:3
    ring8|grid25) for s in 1 2 3 4 5; do echo "$row $s"; done ;;
    *-example) for s in 1 2; do echo "$row $s"; done ;;
    *) echo "$row 1" ;;
  esac
done | xargs -P "${QUALITY_JOBS:-2}" -L 1 bash "$0" --job "$out"
