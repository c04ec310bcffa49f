"""Writes testdata/initializers.json: every initializer, by the distribution
Keras 3 draws from (keras/src/initializers/random_initializers.py,
constant_initializers.py): the family, its parameters computed from the
weight's fans with Keras's formulas, and the bounds. The draws themselves
come from each framework's own generator, so the Go test checks the values
Profundo draws against the distribution (bounds exactly, moments within
sampling error), not value by value. PyTorch's init functions check the
bounds where their definition is Keras's (xavier, kaiming with fan_in)."""

import math

import numpy as np
import torch

import fixtures

SRC = "keras/src/initializers/random_initializers.py"
TRUNC = 0.87962566103423978  # the stddev of N(0, 1) truncated to [-2, 2]


def fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    r = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * r, shape[-1] * r


def scaling(shape, scale, mode, dist):
    fi, fo = fans(shape)
    n = {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    s = scale / max(1.0, n)
    if dist == "uniform":
        lim = math.sqrt(3 * s)
        return {"dist": "uniform", "low": -lim, "high": lim}
    return {"dist": "truncated_normal", "mean": 0.0, "stddev": math.sqrt(s) / TRUNC}


def torch_bound(kind, shape):
    """PyTorch's bound for the same fans (its layout is [out, in, k...])."""
    t = torch.empty(*([shape[-1], shape[-2]] + list(shape[:-2])) if len(shape) > 1 else shape)
    if kind == "glorot_uniform":
        fi, fo = torch.nn.init._calculate_fan_in_and_fan_out(t)
        return math.sqrt(6.0 / (fi + fo))
    if kind == "he_uniform":
        fi, _ = torch.nn.init._calculate_fan_in_and_fan_out(t)
        return math.sqrt(2.0) * math.sqrt(3.0 / fi)
    return None


def main():
    cases = []
    inits = [
        ("zeros", {}, lambda s: {"dist": "constant", "value": 0.0}, "keras/src/initializers/constant_initializers.py"),
        ("ones", {}, lambda s: {"dist": "constant", "value": 1.0}, "keras/src/initializers/constant_initializers.py"),
        ("constant", {"Value": 0.3}, lambda s: {"dist": "constant", "value": 0.3}, "keras/src/initializers/constant_initializers.py"),
        ("random_normal", {}, lambda s: {"dist": "normal", "mean": 0.0, "stddev": 0.05}, SRC),
        ("random_normal", {"Mean": 1.0, "Stddev": 0.2}, lambda s: {"dist": "normal", "mean": 1.0, "stddev": 0.2}, SRC),
        ("random_uniform", {}, lambda s: {"dist": "uniform", "low": -0.05, "high": 0.05}, SRC),
        ("random_uniform", {"Min": -2.0, "Max": 3.0}, lambda s: {"dist": "uniform", "low": -2.0, "high": 3.0}, SRC),
        ("truncated_normal", {}, lambda s: {"dist": "truncated_normal", "mean": 0.0, "stddev": 0.05}, SRC),
        ("truncated_normal", {"Mean": -1.0, "Stddev": 0.5}, lambda s: {"dist": "truncated_normal", "mean": -1.0, "stddev": 0.5}, SRC),
        ("glorot_uniform", {}, lambda s: scaling(s, 1.0, "fan_avg", "uniform"), SRC),
        ("glorot_normal", {}, lambda s: scaling(s, 1.0, "fan_avg", "normal"), SRC),
        ("he_uniform", {}, lambda s: scaling(s, 2.0, "fan_in", "uniform"), SRC),
        ("he_normal", {}, lambda s: scaling(s, 2.0, "fan_in", "normal"), SRC),
        ("lecun_uniform", {}, lambda s: scaling(s, 1.0, "fan_in", "uniform"), SRC),
        ("lecun_normal", {}, lambda s: scaling(s, 1.0, "fan_in", "normal"), SRC),
        ("orthogonal", {}, lambda s: {"dist": "orthogonal", "gain": 1.0}, SRC + " OrthogonalInitializer"),
        ("orthogonal", {"Gain": 2.0}, lambda s: {"dist": "orthogonal", "gain": 2.0}, SRC + " OrthogonalInitializer"),
    ]
    for dtype in ("float64", "float32"):
        for kind, cfg, dist, src in inits:
            for shape in ((96, 64), (3, 3, 16, 32), (40, 120)):
                if kind != "orthogonal" and shape == (40, 120):
                    continue
                d = dist(list(shape))
                tb = torch_bound(kind, list(shape))
                if tb is not None:
                    fixtures.close(tb, d["high"])
                opt = ",".join("%s=%s" % kv for kv in sorted(cfg.items())) or "default"
                c = {"name": "%s[%s]/%s/%s" % (kind, opt, "x".join(map(str, shape)), dtype), "dtype": dtype, "source": src,
                     "initializer": {"kind": kind, "config": cfg} if cfg else {"kind": kind},
                     "shape": list(shape), "rtol": 0.0, "atol": 0.0}
                c.update({k: fixtures.num(v) for k, v in d.items() if k != "dist"})
                c["dist"] = d["dist"]
                cases.append(c)
    fixtures.write("initializers", "gen_initializers.py", cases)


if __name__ == "__main__":
    main()
