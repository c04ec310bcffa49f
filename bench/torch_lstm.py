#!/usr/bin/python3
"""PyTorch's side of the LSTM step benchmark (layers.BenchmarkLSTM).

Times one forward and backward pass of nn.LSTM(16, 64) over a float32 batch
of [32, 20, 16] (batch, steps, features), as BenchmarkLSTM does in Go: the
loss is the sum of the last step's output, the gradients of the weights are
computed (and dropped before the next pass), no optimizer step.

Run with the Debian interpreter:

    /usr/bin/python3 bench/torch_lstm.py                 # 1 and 2 threads
    /usr/bin/python3 bench/torch_lstm.py --threads 2 --runs 7

For each thread count it runs --runs timed runs of --iters passes (after
--warmup untimed passes) and prints the median samples/s and the range,
then one JSON line prefixed with "JSON ".
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


def run(threads, batch, steps, features, units, iters, warmup, runs, seed):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    lstm = nn.LSTM(features, units, batch_first=True)
    x = torch.randn(batch, steps, features)

    def step():
        lstm.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        out[:, -1].sum().backward()

    for _ in range(warmup):
        step()
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        dt = time.perf_counter() - t0
        rates.append(batch * iters / dt)
    return rates


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--features", type=int, default=16)
    p.add_argument("--units", type=int, default=64)
    p.add_argument("--iters", type=int, default=50, help="passes per timed run")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--runs", type=int, default=5, help="timed runs; the median is reported")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    results = {}
    print(f"PyTorch {torch.__version__}: nn.LSTM({a.features}, {a.units}) forward+backward, "
          f"[{a.batch}, {a.steps}, {a.features}] float32, {a.runs} runs of {a.iters} passes")
    for t in a.threads:
        rates = run(t, a.batch, a.steps, a.features, a.units, a.iters, a.warmup, a.runs, a.seed)
        med = statistics.median(rates)
        results[str(t)] = {"median_samples_per_s": med, "min": min(rates), "max": max(rates),
                           "ms_per_step": 1000 * a.batch / med}
        print(f"threads {t}: {med:,.0f} samples/s ({1000 * a.batch / med:.2f} ms/step; "
              f"range {min(rates):,.0f}-{max(rates):,.0f})")
    print("JSON " + json.dumps({"torch": torch.__version__, "batch": a.batch, "steps": a.steps,
                                "features": a.features, "units": a.units, "threads": results}))


if __name__ == "__main__":
    main()
