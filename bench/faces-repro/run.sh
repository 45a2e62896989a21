#!/usr/bin/env bash
# The reproduced face experiment: a 2-rank ORL-faces run on a local cluster that loses a worker (SIGKILL) and its
# silo (SIGKILL) along the way, and must end bit for bit equal to the same run uninterrupted.
#   bench/faces-repro/run.sh OUT [--steps N]     the whole experiment
#   bench/faces-repro/run.sh OUT --report        only step 6 again, on the finished runs in OUT
# What it does, in order (the README's walkthrough "A face experiment, interrupted and reproduced" explains it):
#   1. builds the CLI once into OUT/bin, and trains the faces evaluator if none is cached;
#   2. starts the uninterrupted twin: `gancluster train --world-size 2` (the static launcher, no cluster);
#   3. starts a local cluster (`up --workers 2 --threads 1`) and submits the same spec with --world-size 2;
#   4. at 30% of the steps SIGKILLs one of the run's workers; `up` restarts it and the run resumes from its
#      last checkpoint;
#   5. at 60% SIGKILLs the silo; `up` restarts it and the workers' ranks are adopted;
#   6. when both runs end: `checkpoint diff` on their last checkpoints (exit 0 only when bitwise identical),
#      the Fréchet distance against steps (`gancluster plot`), and `evaluate --best` on 400 and 10,000 samples.
# It leaves OUT/report.md (the timeline, the diff, the scores), OUT/fd.png and OUT/samples.png.
# Both runs share the 2 cores of this machine: about 30 minutes for the default 2,000 steps.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: run.sh OUT [--steps N]}"
steps=2000
[ "${2:-}" = "--steps" ] && steps="${3:?--steps needs a number}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"
spec="$root/bench/faces-repro/faces.yaml"
cluster="$out/cluster"
log="$out/timeline.log"
note() { echo "$(date -u +%H:%M:%S) $*" | tee -a "$log"; }

bash scripts/setup.sh --quiet
# One frozen build of the CLI, the silo and the worker (the launcher and `up` find them next to the CLI).
for project in Silo Worker Cli; do   # the CLI last: its newer SkiaSharp (plots) must win
  dotnet build "src/GanCluster.$project/GanCluster.$project.csproj" -c Release -o "$out/bin" -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary" > /dev/null
done
cli() { "$out/bin/gancluster" "$@"; }
report() {
  final=$(jq -r '.checkpoint.path' "$out/run.json")
  steps=$(jq -r '.totalSteps // .step' "$out/run.json")
  twin_final="$out/uninterrupted/checkpoints/step-$(printf %08d "$steps").gck"
  set +e
  cli checkpoint diff "$final" "$twin_final" > "$out/diff.txt" 2>&1
  identical=$?
  set -e
  note "checkpoint diff exit code $identical (0: bitwise identical)"
  run_dir="$(dirname "$(dirname "$final")")"
  cli plot "$run_dir" "$out/uninterrupted" --metric fd,d_loss --out "$out/fd.png" | tee -a "$log"
  cli samples "$run_dir" --best --count 64 --out "$out/samples.png" | tee -a "$log"
  cli evaluate "$run_dir" --best --samples 400 --output json > "$out/evaluate-400.json"
  cli evaluate "$run_dir" --best --samples 10000 --output json > "$out/evaluate-10000.json"
  {
    echo "# The reproduced face experiment ($steps steps, 2 ranks)"
    echo
    echo "## Timeline"
    echo
    echo '```'
    cat "$log"
    echo '```'
    echo
    echo "## The interrupted run against the uninterrupted twin"
    echo
    echo '```'
    cat "$out/diff.txt"
    echo '```'
    echo
    echo "## Scores of the best checkpoint"
    echo
    echo "| samples | step | fd_faces-lenet | constant-image baseline | classifier score | identities covered | precision | recall |"
    echo "|---|---|---|---|---|---|---|---|"
    for n in 400 10000; do
      jq -r --arg n "$n" '"| \($n) | \(.step) | \(.["fd_faces-lenet"]) | \(.fd_constant_baseline) | \(.classifier_score) | \(.classes_covered)/\(.classes) | \(.precision) | \(.recall) |"' "$out/evaluate-$n.json"
    done
    echo
    echo "![fd](fd.png) ![samples](samples.png)"
  } > "$out/report.md"
  echo "report: $out/report.md"
  return "$identical"
}
if [ "${2:-}" = "--report" ]; then report; exit $?; fi
evaluators="${GANCLUSTER_CACHE:-$HOME/.cache/gancluster}/evaluators"
if [ ! -f "$evaluators/faces.evaluator" ]; then
  note "training the faces evaluator (a few minutes)"
  cli evaluator train --dataset faces --path ../shared/data/faces/att-orl --threads 1 > "$out/evaluator.log"
fi

: > "$log"
note "uninterrupted twin: train --world-size 2, $steps steps"
cli train "$spec" --world-size 2 --steps "$steps" --threads 1 --out "$out/uninterrupted" --force > "$out/uninterrupted.log" 2>&1 &
twin=$!

cli up --workers 2 --threads 1 --cluster "$cluster" > "$out/up.log"
trap 'cli down --cluster "$cluster" > /dev/null 2>&1 || true' EXIT
id=$(cli run submit "$spec" --world-size 2 --set "steps=$steps" --cluster "$cluster" --output json | jq -r .id)
note "submitted $id to the local cluster (2 workers, 1 thread each)"
show() { cli run show "$id" --cluster "$cluster" --output json; }
step() { show | jq -r '.step // 0'; }
# Waits (polling every 5 s, at most 2 hours) until the command's output is "yes".
wait_for() {
  local what="$1"; shift
  for _ in $(seq 1440); do
    [ "$("$@")" = yes ] && return 0
    sleep 5
  done
  note "gave up waiting for $what"; exit 1
}
past() { [ "$(step)" -ge "$1" ] && show | jq -e '.checkpoint.path' > /dev/null && echo yes || true; }

wait_for "step $((steps * 3 / 10))" past $((steps * 3 / 10))
victim=$(show | jq -r '.workers[0]')
pid=$(jq -r --arg n "$victim" '.Workers[] | select(.Name == $n) | .Pid' "$cluster/cluster.json")
note "SIGKILL $victim (pid $pid) at step $(step); last checkpoint $(show | jq -r '.checkpoint.step')"
kill -9 "$pid"
wait_for "the run to be requeued" bash -c "'$out/bin/gancluster' run show $id --cluster '$cluster' --output json | jq -e '.state == \"RUN_STATE_PENDING\"' > /dev/null && echo yes || true"
note "requeued: $(show | jq -r '.events[-1].text')"
cli up --cluster "$cluster" | tee -a "$log"
note "up restarted the worker"

wait_for "step $((steps * 6 / 10))" past $((steps * 6 / 10))
silo=$(jq -r '.Silos[0].Pid' "$cluster/cluster.json")
note "SIGKILL the silo (pid $silo) at step $(step)"
kill -9 "$silo"
wait_for "the silo to die" bash -c "kill -0 $silo 2> /dev/null || echo yes"
cli up --cluster "$cluster" | tee -a "$log"
note "up restarted the silo; the run is at step $(step), state $(show | jq -r .state)"

wait_for "the run to end" bash -c "'$out/bin/gancluster' run show $id --cluster '$cluster' --output json | jq -e '.state | test(\"COMPLETED|FAILED|CANCELLED|DIVERGED|COLLAPSED\")' > /dev/null && echo yes || true"
show > "$out/run.json"
note "the cluster run ended: $(jq -r .state "$out/run.json"), step $(jq -r .step "$out/run.json")"
jq -r '.events[] | "  " + .text' "$out/run.json" | tee -a "$log"
wait "$twin"
note "the twin ended"

set +e
report
identical=$?
set -e
cli down --cluster "$cluster" > /dev/null
trap - EXIT
exit "$identical"
