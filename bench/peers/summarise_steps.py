"""Summarises step-vs-pytorch.sh's JSON lines: per model and thread count, each peer's median steps/s over the rounds,
and ours / PyTorch 2.6 (the median of the per-round ratios, each round's ratio in parentheses; above 1 means
GanCluster is faster). The last column is the bare TorchSharp loop (BareLoop.cs) timed alongside our trainer.
Standard library only."""
import json
import statistics
import sys
from collections import defaultdict

rates = defaultdict(dict)  # (model, threads, peer) -> {round: steps/s}
for line in open(sys.argv[1]):
    r = json.loads(line)
    peer = "ours" if r["peer"] == "gancluster" else r["peer"]
    rates[(r["model"], r["threads"], peer)][r["round"]] = r["steps_per_second"]
    if "bare_steps_per_second" in r:
        rates[(r["model"], r["threads"], "bare")][r["round"]] = r["bare_steps_per_second"]

peers = {p for (_, _, p) in rates}
pt26 = next((p for p in sorted(peers) if p.startswith("pytorch 2.6")), None)
pt113 = next((p for p in sorted(peers) if p.startswith("pytorch 1.13")), None)
order = {"mlp": 0, "dcgan28": 1, "dcgan64": 2}


def cell(key):
    values = rates.get(key, {})
    return f"{statistics.median(values.values()):.2f}" if values else "–"


def ratio(ours, theirs):
    a, b = rates.get(ours, {}), rates.get(theirs, {})
    per_round = [a[r] / b[r] for r in sorted(a) if r in b]
    if not per_round:
        return "–"
    return f"{statistics.median(per_round):.2f}× ({', '.join(f'{x:.2f}' for x in per_round)})"


rounds = len({r for v in rates.values() for r in v})
print(f"One GAN step, batch 64 (median steps/s over {rounds} rounds; ratio = median of per-round ratios, >1: ours faster)\n")
head = ["model", "threads", f"{pt26 or 'PyTorch 2.6'} steps/s", f"{pt113 or 'PyTorch 1.13'} steps/s", "ours steps/s",
        "ours ÷ PyTorch 2.6", "ours ÷ PyTorch 1.13", "bare TorchSharp steps/s"]
print("| " + " | ".join(head) + " |")
print("|---" * len(head) + "|")
for model, threads in sorted({(m, t) for (m, t, _) in rates}, key=lambda k: (order.get(k[0], 9), k[0], k[1])):
    k = lambda p: (model, threads, p)
    print(f"| {model} | {threads} | {cell(k(pt26))} | {cell(k(pt113))} | {cell(k('ours'))} | "
          f"{ratio(k('ours'), k(pt26))} | {ratio(k('ours'), k(pt113))} | {cell(k('bare'))} |")
