"""On paper: step time and scaling efficiency of dcgan64 data-parallel on 8 GPUs over 25 and 100 Gbit/s links.

    /usr/bin/python3 bench/peers/projection.py RESULTS.jsonl [--compute-ms 4,8,16,32] [--gpus 8]

RESULTS.jsonl is what bench/peers/allreduce-vs-gloo.sh measured on this machine (2 processes). From it, per peer, an
alpha-beta fit t(S) = alpha + beta * S of the 2-rank all-reduce (least squares in relative error, 1 MB and up). For a
2-rank ring beta * S covers moving S bytes each way per rank, so beta is the per-byte cost of the stack (CPU, copies)
plus the link (loopback here); on a real link a ring of N ranks moves 2(N-1)/N * S per rank and takes

    t_ring(N, S) = 2(N-1) * alpha_hop + 2(N-1)/N * S * max(beta_stack, 1 / link_bandwidth)

(the stack and the wire pipeline, so the slower one sets the pace; alpha_hop = alpha / 2 from the 2-rank fit, which
has 2 hops). Step time with overlap o (the share of the all-reduce hidden behind backward) is
compute + (1 - o) * t_ring, and scaling efficiency is compute / step time. NCCL's published ring figures are set
beside it: NCCL reaches 85-95 % of link bandwidth on large all-reduces over InfiniBand and RoCE (nccl-tests busbw).
dcgan64's gradients: G 14 MB and D 11 MB (float32), each all-reduced once per step. Compute time per step on a GPU
is not measured here (no CUDA build of TorchSharp on the mirror): the table takes it as a parameter.
Standard library only."""
import argparse
import json
from collections import defaultdict

GRADIENT_BYTES = (14e6, 11e6)  # dcgan64: G, D
LINKS = {"25 Gbit/s": 25e9 / 8, "100 Gbit/s": 100e9 / 8}
NCCL_LINK_EFFICIENCY = 0.9


def fit(points):
    """alpha, beta minimising sum((alpha + beta*S - t)^2 / t^2)."""
    # Weighted least squares with weights 1/t^2: solve the 2x2 normal equations.
    sw = sum(1 / t ** 2 for s, t in points)
    sws = sum(s / t ** 2 for s, t in points)
    swss = sum(s * s / t ** 2 for s, t in points)
    swt = sum(1 / t for s, t in points)
    swst = sum(s / t for s, t in points)
    det = sw * swss - sws * sws
    alpha = (swt * swss - sws * swst) / det
    beta = (sw * swst - sws * swt) / det
    return max(alpha, 0.0), beta


def ring_time(n, size, alpha_hop, beta_stack, link):
    per_byte = max(beta_stack, 1 / link)
    return 2 * (n - 1) * alpha_hop + 2 * (n - 1) / n * size * per_byte


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--compute-ms", default="4,8,16,32")
    parser.add_argument("--gpus", type=int, default=8)
    args = parser.parse_args()
    rows = defaultdict(lambda: defaultdict(list))
    for line in open(args.results):
        r = json.loads(line)
        if r["world"] == 2:
            rows[r["peer"]][r["bytes"]].append(r["median_ms"] / 1e3)
    fits = {}
    print("alpha-beta fits of the 2-process all-reduce on this machine (1 MB and up):\n")
    print("| peer | alpha | beta | 1/beta (bytes each way per rank) |")
    print("|---|---|---|---|")
    for peer, sizes in sorted(rows.items()):
        points = [(s, sorted(ts)[len(ts) // 2]) for s, ts in sizes.items() if s >= 1 << 20]
        if len(points) < 2:
            continue
        alpha, beta = fit(points)
        fits[peer] = (alpha, beta)
        print(f"| {peer} | {alpha * 1e6:.0f} µs | {beta * 1e9:.2f} ns/B | {1 / beta / 1e6:.0f} MB/s |")
    n = args.gpus
    computes = [float(c) / 1e3 for c in args.compute_ms.split(",")]
    print(f"\ndcgan64 on {n} GPUs: projected scaling efficiency = compute / step time, with no overlap (o = 0) and with 70 % of "
          "the all-reduce hidden behind backward (o = 0.7, what DDP's bucketing typically hides)\n")
    head = ["transport", "link", "all-reduce per step"] + [f"compute {c * 1e3:.0f} ms: o = 0 / o = 0.7" for c in computes]
    print("| " + " | ".join(head) + " |")
    print("|---" * len(head) + "|")
    candidates = [(p, a / 2, b) for p, (a, b) in fits.items()]
    candidates.append(("NCCL ring (published: ~90 % of the link)", 10e-6, 0.0))
    for peer, alpha_hop, beta in candidates:
        for link_name, link in LINKS.items():
            effective = link * (NCCL_LINK_EFFICIENCY if peer.startswith("NCCL") else 1.0)
            comm = sum(ring_time(n, s, alpha_hop, beta, effective) for s in GRADIENT_BYTES)
            cells = []
            for c in computes:
                e0 = c / (c + comm)
                e7 = c / (c + 0.3 * comm)
                cells.append(f"{e0:.2f} / {e7:.2f}")
            print(f"| {peer} | {link_name} | {comm * 1e3:.1f} ms | " + " | ".join(cells) + " |")
    print("\nWhat 0.9 at 8 GPUs needs: compute / (compute + (1 - o) * t_comm) >= 0.9, i.e. (1 - o) * t_comm <= compute / 9.")
    total = sum(GRADIENT_BYTES)
    for o in (0.0, 0.7, 0.9):
        for c in computes:
            budget = c / 9 / (1 - o)
            beta_needed = budget / (2 * (n - 1) / n * total)
            print(f"- overlap {o:.0%}, compute {c * 1e3:.0f} ms: the all-reduce may take {budget * 1e3:.1f} ms, a stack of at most "
                  f"{beta_needed * 1e9:.3f} ns/B ({1 / beta_needed / 1e9:.1f} GB/s each way per rank); "
                  + ", ".join(f"{name} carries {link / 1e9:.1f} GB/s" for name, link in LINKS.items()))
    for peer, (alpha, beta) in fits.items():
        for link_name, link in LINKS.items():
            comm = sum(ring_time(n, s, alpha / 2, beta, link) for s in GRADIENT_BYTES)
            for c in computes:
                need = 1 - c / 9 / comm
                print(f"- {peer}, {link_name}, compute {c * 1e3:.0f} ms: all-reduce {comm * 1e3:.1f} ms; "
                      + ("reaches 0.9 without overlap" if need <= 0 else f"needs {need:.0%} of it hidden behind backward"
                         + ("" if need < 1 else " (impossible: more than all of it)")))


if __name__ == "__main__":
    main()
