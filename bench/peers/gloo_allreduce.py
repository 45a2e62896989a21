"""Gloo's all-reduce between WORLD processes on loopback, timed like GanCluster.Bench allreduce-processes.

    python3 gloo_allreduce.py WORLD PORT SIZES ITERATIONS      (SIZES: bytes, comma-separated)

Starts WORLD ranks itself (this process is rank 0), float32 sum, 3 warm-up collectives per size, then ITERATIONS
timed ones, each started by all ranks together (a barrier before it). Rank 0 prints one JSON line per size.
For benchmarks only: the tests never import torch.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def rank_main(rank, world, port, sizes, iterations):
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    os.environ.setdefault("USE_LIBUV", "0")  # Debian trixie's PyTorch 2.6 is built without libuv, its default store since 2.4
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    for size in sizes:
        tensor = torch.ones(size // 4, dtype=torch.float32)
        times = []
        for i in range(iterations + 3):
            dist.barrier()
            start = time.perf_counter()
            dist.all_reduce(tensor)
            if i >= 3:
                times.append((time.perf_counter() - start) * 1e3)
        if rank == 0:
            print(json.dumps({"peer": f"gloo {torch.__version__.split('+')[0]}", "world": world, "bytes": size,
                              "median_ms": statistics.median(times), "min_ms": min(times)}), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    world, port, sizes, iterations = int(sys.argv[1]), int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")], int(sys.argv[4])
    rank = int(os.environ.get("GLOO_BENCH_RANK", "0"))
    children = []
    if rank == 0:
        for r in range(1, world):
            env = dict(os.environ, GLOO_BENCH_RANK=str(r))
            children.append(subprocess.Popen([sys.executable, *sys.argv], env=env))
    rank_main(rank, world, port, sizes, iterations)
    for child in children:
        child.wait()
