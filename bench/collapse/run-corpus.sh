#!/usr/bin/env bash
# Trains every configuration of configs.txt for each seed, two runs at a time with one thread each,
# evaluating mode coverage every 250 steps. Output: OUT/<config>-s<seed>/metrics.jsonl.
#   bench/collapse/run-corpus.sh OUT [seeds...]     (default seeds: 1 2 3 4)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: run-corpus.sh OUT [seeds...]}"
shift
seeds=("$@")
[ $# -eq 0 ] && seeds=(1 2 3 4)
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# One frozen build for the whole corpus: editing sources meanwhile never changes (or rebuilds under) a run.
bash "$root/scripts/setup.sh" --quiet
dotnet build "$root/src/GanCluster.Cli/GanCluster.Cli.csproj" -c Release -o "$out/bin" -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary" > /dev/null
jobs=()
while IFS='|' read -r name example overrides; do
  [[ "$name" =~ ^[[:space:]]*(#|$) ]] && continue
  name="$(echo "$name" | sed 's/^ *//; s/ *$//')"; example="$(echo "$example" | sed 's/^ *//; s/ *$//')"
  for seed in "${seeds[@]}"; do
    jobs+=("$name|$example|$seed|$overrides")
  done
done < "$root/bench/collapse/configs.txt"
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c '
  IFS="|" read -r name example seed overrides <<< "{}"
  dir="'"$out"'/$name-s$seed"
  [ -f "$dir/done" ] && exit 0
  rm -rf "$dir"
  # shellcheck disable=SC2086
  dotnet "'"$out"'/bin/gancluster.dll" train "'"$root"'/examples/$example.yaml" --out "$dir" --threads 1 --steps 3000 \
    --set seed=$seed --set report_every=50 --set health.eval_every=250 --set checkpoint_every=0 --set sample_every=0 \
    --set name=$name $overrides > "$dir.log" 2>&1 || true
  touch "$dir/done"
  echo "$name seed $seed: $(tail -1 "$dir.log")"
'
