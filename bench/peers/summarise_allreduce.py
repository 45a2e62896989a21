"""Summarises allreduce-vs-gloo.sh's JSON lines: per world size and size, each peer's median time over the rounds
(each round's figure is itself the median of its iterations), its bus bandwidth 2(N-1)/N * bytes / time, and
GanCluster's speed against Gloo 2.6 (time of Gloo / time of ours: above 1 is faster). Standard library only."""
import json
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[(r["world"], r["bytes"], r["peer"])].append(r["median_ms"])

def size(b):
    return f"{b >> 20} MB" if b >= 1 << 20 else f"{b >> 10} KB"

def cell(times):
    return f"{statistics.median(times):.2f} ms" if times else "–"

peers = sorted({p for (_, _, p) in rows}, key=lambda p: (not p.startswith("gloo 2"), not p.startswith("gloo"), p))
reference = next((p for p in peers if p.startswith("gloo 2")), None)
ours = [p for p in peers if p.startswith("gancluster")]
for world in sorted({w for (w, _, _) in rows}):
    print(f"\n{world} processes (median over rounds of each round's median)\n")
    head = [*peers, *[f"{p} bus bandwidth" for p in ours], *[f"{p} against {reference}" for p in ours]]
    print("| size | " + " | ".join(head) + " |")
    print("|---" * (len(head) + 1) + "|")
    for b in sorted({b for (w, b, _) in rows if w == world}):
        times = {p: rows.get((world, b, p), []) for p in peers}
        cells = [cell(times[p]) for p in peers]
        for p in ours:
            t = statistics.median(times[p]) if times[p] else None
            cells.append(f"{2 * (world - 1) / world * b / (t / 1e3) / 1e6:.0f} MB/s" if t else "–")
        for p in ours:
            if times[p] and reference and times[reference]:
                ratio = statistics.median(times[reference]) / statistics.median(times[p])
                spread = ", ".join(f"{g / o:.2f}" for g, o in zip(times[reference], times[p]))
                cells.append(f"{ratio:.2f}× ({spread})")
            else:
                cells.append("–")
        print(f"| {size(b)} | " + " | ".join(cells) + " |")
