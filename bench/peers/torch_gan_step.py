#!/usr/bin/env python3
"""One GAN training step in plain PyTorch, for the models GanCluster's `trainer-overhead` bench times.

    python3 torch_gan_step.py [--models mlp,dcgan28,dcgan64] [--threads 1,2] [--steps N] [--warmup 2] [--batch 64] [--blas-threads 1]

Prints one JSON line per (model, threads):
    {"peer": "pytorch 2.6.0", "model": ..., "threads": ..., "steps_per_second": ...}

The networks mirror src/GanCluster.Training/Models/{Mlp,Dcgan28,Dcgan64}.cs layer for layer (sizes, activations,
BatchNorm, dropout, bias-free DCGAN layers) with the widths and latent sizes of src/GanCluster.Specs/ModelDefaults.cs.
The step is the PyTorch DCGAN-example loop GanTrainer runs with d_steps 1: D on a real batch and on G(z).detach(),
BCE-with-logits against ones / zeros, Adam step; then G through D on the same fakes, non-saturating BCE(D(G(z)), 1),
Adam step. The Adam settings are what `trainer-overhead` gets from `optimizers: {g: {kind: adam}, d: {kind: adam}}`
(the model's default rate and betas: 2e-4, (0.5, 0.999) for mlp and dcgan64; 4e-4, (0.9, 0.999) for dcgan28, whose
default RMSprop settings supply them), eps 1e-8, no weight decay. Initialisation does not matter for speed.

Data: 2048 random uint8 images of the model's shape, turned into float32 in [-1, 1] once, and a random batch of 64
rows gathered per step -- the same synthetic data `trainer-overhead` uses (it does not read MNIST or faces). Data
loading is not what is compared: neither side decodes files.

Standard library + torch only; runs under PyTorch 1.13 and 2.6.
"""
import argparse
import ctypes
import json
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


class LatentProjection(nn.Module):
    """Ours: DCGAN's first ConvTranspose2d (k x k, stride 1, no padding, no bias, on a 1x1 map) computed as the
    matrix product it is (LatentProjection.cs works around a libtorch 2.10 kernel bug that way). Same FLOPs."""

    def __init__(self, latent, out_channels, kernel):
        super().__init__()
        self.out_channels, self.kernel = out_channels, kernel
        self.weight = nn.Parameter(torch.randn(latent, out_channels, kernel, kernel) * 0.02)

    def forward(self, z):
        flat = z.reshape(z.shape[0], z.shape[1])
        return flat.mm(self.weight.view(self.weight.shape[0], -1)).view(z.shape[0], self.out_channels, self.kernel, self.kernel)


class KernelReadout(nn.Module):
    """Ours: DCGAN's last D layer (a bias-free Conv2d whose k x k kernel covers the k x k map) as a matrix product."""

    def __init__(self, in_channels, out_channels, kernel):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel) * 0.02)

    def forward(self, x):
        return x.flatten(1).mm(self.weight.view(self.weight.shape[0], -1).t())


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def mlp(latent, shape, hidden=128):
    features = shape[0] * shape[1] * shape[2]
    g = nn.Sequential(
        nn.Linear(latent, hidden), nn.LeakyReLU(0.01),
        nn.Linear(hidden, hidden), nn.LeakyReLU(0.01),
        nn.Linear(hidden, features), nn.Tanh(), Reshape(*shape))
    d = nn.Sequential(
        nn.Flatten(),
        nn.Linear(features, hidden), nn.LeakyReLU(0.01),
        nn.Linear(hidden, hidden), nn.LeakyReLU(0.01),
        nn.Linear(hidden, 1))
    return g, d


def dcgan28(latent, shape):
    c = shape[0]
    g = nn.Sequential(
        nn.Linear(latent, 7 * 7 * 128),
        nn.BatchNorm1d(7 * 7 * 128),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1),
        nn.SELU(),
        nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, c, 5, stride=2, padding=2, output_padding=1),
        nn.Tanh())
    # Ours draws each row's dropout mask from its own seeded generator (SeededDropout.cs); here torch's global RNG.
    d = nn.Sequential(
        nn.Conv2d(c, 64, 5, stride=2, padding=2), nn.LeakyReLU(0.2), nn.Dropout(0.4),
        nn.Conv2d(64, 128, 5, stride=2, padding=2), nn.LeakyReLU(0.2), nn.Dropout(0.4),
        nn.Flatten(),
        nn.Linear(128 * 7 * 7, 1))
    return g, d


def dcgan64(latent, shape, width=64):
    c = shape[0]

    def up(i, o):
        return nn.ConvTranspose2d(i, o, 4, stride=2, padding=1, bias=False)

    def down(i, o):
        # Ours swaps in an unfold + matmul only for 1 input channel into < 16 (UnfoldedConvolution.cs): not 3 -> 64.
        return nn.Conv2d(i, o, 4, stride=2, padding=1, bias=False)

    w = width
    g = nn.Sequential(
        LatentProjection(latent, w * 8, 4), nn.BatchNorm2d(w * 8), nn.ReLU(),
        up(w * 8, w * 4), nn.BatchNorm2d(w * 4), nn.ReLU(),
        up(w * 4, w * 2), nn.BatchNorm2d(w * 2), nn.ReLU(),
        up(w * 2, w), nn.BatchNorm2d(w), nn.ReLU(),
        up(w, c), nn.Tanh())
    d = nn.Sequential(
        down(c, w), nn.LeakyReLU(0.2),
        down(w, w * 2), nn.BatchNorm2d(w * 2), nn.LeakyReLU(0.2),
        down(w * 2, w * 4), nn.BatchNorm2d(w * 4), nn.LeakyReLU(0.2),
        down(w * 4, w * 8), nn.BatchNorm2d(w * 8), nn.LeakyReLU(0.2),
        KernelReadout(w * 8, 1, 4))
    return g, d


# name: (builder, sample shape, latent size, lr, betas, default timed steps -- trainer-overhead's StepsPerRound)
MODELS = {
    "mlp": (mlp, (1, 28, 28), 100, 2e-4, (0.5, 0.999), 200),
    "dcgan28": (dcgan28, (1, 28, 28), 32, 4e-4, (0.9, 0.999), 20),
    "dcgan64": (dcgan64, (3, 64, 64), 100, 2e-4, (0.5, 0.999), 3),
}


def set_blas_threads(threads):
    """Debian's torch calls BLAS through libblas.so.3, here OpenBLAS built on pthreads, whose own pool
    torch.set_num_threads does not size (the builds report BLAS_INFO=generic) and which starts one thread per core.
    On top of torch's OpenMP pool that oversubscribes the cores: on this 2-core machine, mlp on 2 threads ran at
    8 steps/s under PyTorch 2.6 with both pools at 2 (286 with OpenBLAS at 1, 333 on 1 thread). So by default
    OpenBLAS gets 1 thread: BLAS calls (Linear layers, addmm/mm) run on the calling thread, and torch's OpenMP pool
    (convolutions through oneDNN, elementwise kernels) has the T threads. Returns the count set, or None."""
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_set_num_threads(ctypes.c_int(threads))
            return threads
        except (OSError, AttributeError):
            continue
    return None


def measure(name, threads, steps, warmup, batch, blas_threads):
    build, shape, latent, lr, betas, default_steps = MODELS[name]
    steps = steps or default_steps
    torch.set_num_threads(threads)
    blas = set_blas_threads(blas_threads or threads)
    torch.manual_seed(0)
    g, d = build(latent, shape)
    g.train()
    d.train()
    opt_g = torch.optim.Adam(g.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(d.parameters(), lr=lr, betas=betas)
    pixels = torch.randint(0, 256, (2048,) + shape, dtype=torch.uint8)
    data = pixels.float().div_(127.5).sub_(1)

    def step():
        real = data.index_select(0, torch.randint(0, data.shape[0], (batch,)))
        z = torch.randn(batch, latent)
        ones = torch.ones(batch, 1)
        zeros = torch.zeros(batch, 1)
        # TorchSharp's optimizers zero the gradients in place; PyTorch 2's default would drop them instead.
        opt_d.zero_grad(set_to_none=False)
        fake = g(z)
        loss_d = F.binary_cross_entropy_with_logits(d(real), ones) + F.binary_cross_entropy_with_logits(d(fake.detach()), zeros)
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=False)
        logits = d(fake)
        loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        loss_g.backward()
        opt_g.step()

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = time.perf_counter() - start
    return {
        "peer": "pytorch " + torch.__version__.split("+")[0],
        "model": name,
        "threads": threads,
        "batch": batch,
        "steps": steps,
        "steps_per_second": steps / elapsed,
        "torch_threads": torch.get_num_threads(),
        "openblas_threads": blas,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="mlp,dcgan28,dcgan64")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--steps", type=int, default=0, help="timed steps for every model (default: 200, 20, 3 as trainer-overhead)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--blas-threads", type=int, default=1, help="OpenBLAS's own pool (0: as many as --threads); see set_blas_threads")
    args = parser.parse_args()
    for name in args.models.split(","):
        if name not in MODELS:
            sys.exit(f"unknown model {name!r}; known: {', '.join(MODELS)}")
        for threads in (int(t) for t in args.threads.split(",")):
            print(json.dumps(measure(name, threads, args.steps, args.warmup, args.batch, args.blas_threads)), flush=True)


if __name__ == "__main__":
    main()
