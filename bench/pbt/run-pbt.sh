#!/usr/bin/env bash
# PBT against the best fixed recipe at equal compute, on a real local cluster (bench/README.md). About 15 minutes
# on 2 cores. Writes bench/results/pbt-vs-fixed.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
cli="dotnet src/GanCluster.Cli/bin/Release/net10.0/gancluster.dll"
cluster="${CLUSTER:-/tmp/gancluster-pbt-bench}"
$cli evaluator train --dataset mnist --path ../shared/data/mnist >/dev/null 2>&1 || true   # cached after the first time
$cli down --cluster "$cluster" >/dev/null 2>&1 || true
rm -rf "$cluster"
$cli up --workers 2 --threads 1 --cluster "$cluster"
trap '$cli down --cluster "$cluster" >/dev/null 2>&1 || true' EXIT
fixed=$($cli sweep submit bench/pbt/fixed.yaml --cluster "$cluster" --output json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
pbt=$($cli sweep submit bench/pbt/pbt.yaml --cluster "$cluster" --output json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for id in "$fixed" "$pbt"; do $cli sweep watch "$id" --cluster "$cluster" >/dev/null || true; done
$cli sweep show "$fixed" --cluster "$cluster" --output json > /tmp/pbt-bench-fixed.json
$cli sweep show "$pbt" --cluster "$cluster" --output json > /tmp/pbt-bench-pbt.json
$cli sweep plot "$pbt" --out bench/results/pbt-vs-fixed.png --cluster "$cluster" >/dev/null
mkdir -p bench/results
/usr/bin/python3 - /tmp/pbt-bench-fixed.json /tmp/pbt-bench-pbt.json > bench/results/pbt-vs-fixed.md <<'PY'
import json, sys
def trials(path):
    return json.load(open(path))["trials"]
def curve(t):
    return [(int(p["step"]), p["value"]) for p in t.get("curve", [])]
rows = []
for label, path in (("fixed recipe", sys.argv[1]), ("PBT (synchronous)", sys.argv[2])):
    ts = trials(path)
    best = min(t["best"] for t in ts if "best" in t)
    finals = [curve(t)[-1][1] for t in ts if curve(t)]
    steps = sum(int(t.get("step", "0")) for t in ts)
    # decay: how far the member that scored best ended above its best
    b = min((t for t in ts if "best" in t), key=lambda t: t["best"])
    rows.append((label, len(ts), steps, best, min(finals), curve(b)[-1][1] - b["best"]))
print("| search | trials | steps | best fd | best final fd | best trial: final − best |")
print("|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]:,} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:+.2f} |")
fixed, pbt = rows
print()
print(f"PBT's best / fixed best: {pbt[3] / fixed[3]:.3f} (goal ≤ 1); PBT's best final / fixed best final: {pbt[4] / fixed[4]:.3f}")
PY
cat bench/results/pbt-vs-fixed.md
