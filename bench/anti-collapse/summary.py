#!/usr/bin/env python3
"""Markdown table of bench/anti-collapse/run.sh's runs: the final evaluation per technique, mean over seeds, and time against none."""
import json, re, statistics, sys
from pathlib import Path

out = Path(sys.argv[1])
rows = {}
for d in sorted(out.glob("*-s[0-9]")):
    m = re.match(r"(grid25|mnist)-(.+)-s(\d+)$", d.name)
    metrics = d / "metrics.jsonl"
    log = Path(str(d) + ".log")
    if not m or not metrics.exists() or not (d / "done").exists():
        continue
    lines = [json.loads(l) for l in metrics.read_text().splitlines()]
    last = lines[-1]
    seconds = float(re.search(r"seconds: ([0-9.]+)", log.read_text()).group(1)) if log.exists() and "seconds:" in log.read_text() else float("nan")
    rows.setdefault((m.group(1), m.group(2)), []).append((last, seconds))

order = ["none", "pack2", "stddev4", "minibatch-discrimination", "spectral-norm"]
for recipe, columns in (("grid25", ["modes_covered", "modes_reached", "high_quality_fraction", "balanced_quality_fraction", "reverse_kl"]),
                        ("mnist", ["classes_covered", "classifier_score", "fd_mnist-lenet", "precision", "recall"])):
    print(f"\n| {recipe} | runs | " + " | ".join(columns) + " | final verdict | seconds (shared cores: not a cost ratio) |")
    print("|---|---|" + "---|" * (len(columns) + 2))
    for name in order:
        runs = rows.get((recipe, name))
        if not runs:
            continue
        seconds = statistics.mean(s for _, s in runs)
        cells = []
        for c in columns:
            values = [r[c] for r, _ in runs if r.get(c) is not None]
            cells.append(f"{statistics.mean(values):.4g}" + (f" ({', '.join(f'{v:.3g}' for v in values)})" if len(values) > 1 else "") if values else "-")
        verdicts = ", ".join(r["verdict"] for r, _ in runs)
        print(f"| {name} | {len(runs)} | " + " | ".join(cells) + f" | {verdicts} | {seconds:.0f} |")
