#!/usr/bin/python3
"""PyTorch's side of the recurrent training-step benchmark (bench/recurrent).

Trains nn.LSTM(16, 64) or nn.GRU(16, 64) as Profundo's
Sequential(Input(T, 16), LSTM(64)) does with TrainOnBatch: the last step's
output against a [32, 64] target, MSE, Adam (Keras's defaults), one optimizer
step per step, float32, on a fixed batch of [32, T, 16].

Run with the Debian interpreter, as ../shared/peers/README.md says:

    OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_recurrent.py --cell lstm --steps 20 --threads 1

It builds the model, runs one step ("build_s"), --warmup more, then --runs
timed runs of --iters steps, and prints one JSON line prefixed with "JSON "
with the median samples/s, samples per CPU-second (process user + system
time) and the peak RSS (ru_maxrss).
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru"])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--features", type=int, default=16)
    p.add_argument("--units", type=int, default=64)
    p.add_argument("--iters", type=int, default=30)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cls = nn.LSTM if a.cell == "lstm" else nn.GRU
    rnn = cls(a.features, a.units, batch_first=True)
    opt = torch.optim.Adam(rnn.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    x = torch.randn(a.batch, a.steps, a.features)
    y = torch.randn(a.batch, a.units)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = rnn(x)
        loss = loss_fn(out[:, -1], y)
        loss.backward()
        opt.step()

    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    for _ in range(a.warmup):
        step()
    rates, cpu_rates = [], []
    for _ in range(a.runs):
        c0, t0 = cpu_seconds(), time.perf_counter()
        for _ in range(a.iters):
            step()
        dt, dc = time.perf_counter() - t0, cpu_seconds() - c0
        rates.append(a.batch * a.iters / dt)
        cpu_rates.append(a.batch * a.iters / max(dc, 1e-9))
    med = statistics.median(rates)
    print("JSON " + json.dumps({
        "impl": "torch", "cell": a.cell, "steps": a.steps, "threads": a.threads,
        "samples_per_s": med, "samples_per_cpu_s": statistics.median(cpu_rates),
        "ms_per_step": 1000 * a.batch / med, "build_s": first - a.batch / med,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
