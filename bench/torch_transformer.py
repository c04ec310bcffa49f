#!/usr/bin/python3
"""PyTorch's side of the Transformer encoder block benchmark
(bench/transformer).

Trains nn.TransformerEncoderLayer(d_model=128, nhead=4,
dim_feedforward=512, dropout=0.1, batch_first=True; post-norm, ReLU, as
keras-hub's TransformerEncoder) on one float32 batch of [batch, seq, 128]
random inputs towards random targets with mean squared error and Adam
(learning rate 0.001): forward, backward and optimizer step, as the Go side
does. Prints one line "JSON {...}": samples/s (median of --runs timed runs
of --iters steps after --warmup steps), CPU seconds per sample, peak RSS.

    OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_transformer.py --seq 128
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ff", type=int, default=512)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    layer = nn.TransformerEncoderLayer(a.dim, a.heads, dim_feedforward=a.ff, dropout=0.1, batch_first=True)
    layer.train()
    opt = torch.optim.Adam(layer.parameters(), lr=0.001)
    x = torch.randn(a.batch, a.seq, a.dim)
    y = torch.randn(a.batch, a.seq, a.dim)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(layer(x), y)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    rates, cpus = [], []
    for _ in range(a.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(a.iters):
            step()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        rates.append(a.batch * a.iters / dt)
        cpus.append(dc / (a.batch * a.iters))
    print("JSON " + json.dumps({
        "side": "pytorch", "torch": torch.__version__, "seq": a.seq, "batch": a.batch,
        "samples_per_s": statistics.median(rates), "cpu_s_per_sample": statistics.median(cpus),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": a.threads,
    }))


if __name__ == "__main__":
    main()
