#!/usr/bin/python3
"""PyTorch CPU peer benchmark on Fashion-MNIST (IDX .gz files, no torchvision).

The PyTorch side of Profundo's side-by-side benchmark (bench/sidebyside runs
it in alternation with bench/fmnist); it also times one-sample predictions.

Run with the Debian interpreter and the thread settings of the peers' README
(OpenBLAS's pool and PyTorch's OpenMP pool must not fight over the cores):

    OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 torch_fmnist.py --model mlp --epochs 5

Reports: train samples/s (median over epochs, data already in memory, so data
loading is excluded), wall seconds per epoch, test accuracy after epoch 1 and
after the final epoch, inference samples/s over the 10k test set, peak RSS.
Prints a compact table and one JSON line prefixed with "JSON ".
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    dtype_code = (magic >> 8) & 0xFF
    assert dtype_code == 0x08, f"unsupported IDX dtype {dtype_code:#x} in {path}"
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load(data_dir):
    def p(name):
        return os.path.join(data_dir, name)
    xtr = read_idx_gz(p("train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    ytr = read_idx_gz(p("train-labels-idx1-ubyte.gz")).astype(np.int64)
    xte = read_idx_gz(p("t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    yte = read_idx_gz(p("t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    return xtr, ytr, xte, yte


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(x.shape[0], 784)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3)
        self.c2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(1600, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(x.shape[0], 1, 28, 28)
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class VGG(nn.Module):
    """bench/fmnist's newVGG: three blocks of two (conv 3x3 'same' without bias,
    BatchNorm, ReLU) and a 2x2 max-pool, 32/64/128 filters, dense 256, dense 10,
    on 32x32x3 images (NCHW, as PyTorch users run it)."""

    def __init__(self):
        super().__init__()
        blocks, cin = [], 3
        for c in (32, 64, 128):
            for _ in range(2):
                # Keras's BatchNormalization defaults: momentum 0.99, epsilon 1e-3.
                blocks += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c, eps=1e-3, momentum=0.01),
                           nn.ReLU(inplace=True)]
                cin = c
            blocks.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*blocks)
        self.fc1 = nn.Linear(128 * 4 * 4, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        return self.fc2(F.relu(self.fc1(x)))


def rgb32(x):
    """[n, 28, 28] gray -> [n, 3, 32, 32]: two zero pixels of padding on every
    side, the gray value in all three channels (bench/fmnist's rgb32)."""
    x = np.pad(x.reshape(-1, 28, 28), ((0, 0), (2, 2), (2, 2)))
    return np.ascontiguousarray(np.repeat(x[:, None], 3, axis=1))


def evaluate(model, x, y, bs):
    model.eval()
    correct = 0
    t0 = time.perf_counter()
    with torch.no_grad():
        for i in range(0, x.shape[0], bs):
            out = model(x[i:i + bs])
            correct += (out.argmax(1) == y[i:i + bs]).sum().item()
    dt = time.perf_counter() - t0
    model.train()
    return correct / x.shape[0], x.shape[0] / dt


def peak_rss_mib():
    # ru_maxrss is KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_library():
    """The BLAS that Debian's PyTorch calls: whatever libblas.so.3 resolves to."""
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
        link = os.path.join(d, "libblas.so.3")
        if os.path.exists(link):
            return os.path.realpath(link)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["mlp", "cnn", "vgg"], default="mlp")
    ap.add_argument("--epochs", type=int, default=None, help="default 5 (mlp) / 2 (cnn, vgg)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-batches", type=int, default=0,
                    help="if >0, stop each epoch after this many batches (timing only)")
    ap.add_argument("--infer-batch", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--no-shuffle", action="store_true")
    args = ap.parse_args()
    epochs = args.epochs or (5 if args.model == "mlp" else 2)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    t0 = time.perf_counter()
    xtr, ytr, xte, yte = load(args.data)
    load_s = time.perf_counter() - t0
    if args.model == "vgg":
        xtr, xte = rgb32(xtr), rgb32(xte)
    else:
        xtr, xte = xtr.reshape(-1, 784), xte.reshape(-1, 784)
    xtr_t, ytr_t = torch.from_numpy(xtr), torch.from_numpy(ytr)
    xte_t, yte_t = torch.from_numpy(xte), torch.from_numpy(yte)

    model = {"mlp": MLP, "cnn": CNN, "vgg": VGG}[args.model]()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    n = xtr.shape[0]
    bs = args.batch
    nbatches = n // bs  # drop the last partial batch (same as the Gorgonia baseline)
    if args.max_batches > 0:
        nbatches = min(nbatches, args.max_batches)

    sps, walls, accs, losses, cpus = [], [], [], [], []
    for ep in range(epochs):
        perm = torch.from_numpy(rng.permutation(n)) if not args.no_shuffle else torch.arange(n)
        xs, ys = xtr_t[perm], ytr_t[perm]  # shuffle outside the timed loop
        tw = time.perf_counter()
        tc = time.process_time()  # CPU seconds of all threads of this process
        tot_loss = 0.0
        for b in range(nbatches):
            xb = xs[b * bs:(b + 1) * bs]
            yb = ys[b * bs:(b + 1) * bs]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            tot_loss += loss.item()
        dt = time.perf_counter() - tw
        cpus.append(time.process_time() - tc)
        walls.append(dt)
        sps.append(nbatches * bs / dt)
        acc, _ = evaluate(model, xte_t, yte_t, args.infer_batch)
        accs.append(acc)
        losses.append(tot_loss / nbatches)
        print(f"epoch {ep + 1}: loss {losses[-1]:.4f} train {sps[-1]:.0f} samples/s "
              f"wall {dt:.2f}s cpu {cpus[-1]:.2f}s test_acc {acc:.4f} load {os.getloadavg()[0]:.2f}",
              file=sys.stderr, flush=True)

    # inference throughput: median of 3 passes over the 10k test set
    inf = sorted(evaluate(model, xte_t, yte_t, args.infer_batch)[1] for _ in range(3))[1]

    # latency of one-sample predictions, as a server answering single requests
    model.eval()
    lat = []
    with torch.no_grad():
        for i in range(200):
            t1 = time.perf_counter()
            model(xte_t[i:i + 1])
            lat.append((time.perf_counter() - t1) * 1000)
    model.train()

    res = {
        "impl": "torch", "torch": torch.__version__, "model": args.model, "threads": args.threads,
        "batch": bs, "epochs": epochs, "batches_per_epoch": nbatches,
        "train_samples_per_s_median": round(statistics.median(sps), 1),
        "train_samples_per_s_best": round(max(sps), 1),
        "train_samples_per_cpu_s": round(nbatches * bs * len(cpus) / sum(cpus), 1),
        "epoch_cpu_s": [round(c, 3) for c in cpus],
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY", "OMP_NUM_THREADS")},
        "torch_threads": torch.get_num_threads(), "blas": blas_library(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "epoch_wall_s_median": round(statistics.median(walls), 3),
        "epoch_wall_s": [round(w, 3) for w in walls],
        "test_acc_epoch1": round(accs[0], 4), "test_acc_final": round(accs[-1], 4),
        "train_loss": [round(l, 4) for l in losses],
        "infer_samples_per_s": round(inf, 1), "infer_batch": args.infer_batch,
        "batch1_latency_ms_median": round(statistics.median(lat), 4),
        "peak_rss_mib": round(peak_rss_mib(), 1), "data_load_s": round(load_s, 2),
    }
    print(f"{'impl':8} {'model':5} {'train sps':>10} {'best sps':>9} {'sps/cpu':>8} {'epoch s':>8} {'acc@1':>7} "
          f"{'acc@' + str(epochs):>7} {'infer sps':>10} {'RSS MiB':>8}")
    print(f"{'torch':8} {args.model:5} {res['train_samples_per_s_median']:>10.0f} "
          f"{res['train_samples_per_s_best']:>9.0f} {res['train_samples_per_cpu_s']:>8.0f} "
          f"{res['epoch_wall_s_median']:>8.2f} {res['test_acc_epoch1']:>7.4f} "
          f"{res['test_acc_final']:>7.4f} {res['infer_samples_per_s']:>10.0f} {res['peak_rss_mib']:>8.0f}")
    print("JSON " + json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
