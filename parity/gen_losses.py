"""Writes testdata/losses.json: every loss with each of its options
(from_logits, label_smoothing, axis, delta, the reductions
sum_over_batch_size, sum and none), in float64 and float32, at probabilities
exactly 0 and 1, exact zeros of the error and large logits.

The references are Keras 3's loss functions (keras/src/losses/losses.py; the
cross-entropies of keras/src/backend/tensorflow/nn.py: probabilities clipped to
[1e-7, 1 - 1e-7], categorical ones normalized first) written with PyTorch ops
in float64, differentiated by PyTorch's autograd (whose clamp and abs take
TensorFlow's side at their kinks), and checked against PyTorch's own losses
where PyTorch defines the same function."""

import numpy as np
import torch
import torch.nn.functional as F

import fixtures

torch.set_default_dtype(torch.float64)
rng = np.random.RandomState(2201)
EPS = 1e-7
# The clip bounds in the case's dtype, as Keras computes them: in float32,
# 1 - 1e-7 rounds to 1 - 2^-23.
BOUNDS = {"float64": (EPS, 1 - EPS), "float32": (float(np.float32(EPS)), float(np.float32(1 - EPS)))}
SRC = "keras/src/losses/losses.py"
NN = "keras/src/backend/tensorflow/nn.py"
TOL = {"float64": {"rtol": 1e-12, "atol": 1e-13}, "float32": {"rtol": 2e-5, "atol": 2e-5}}


def per_unit_mse(p, t, axis):
    return ((p - t) ** 2).mean(axis)


def per_unit_mae(p, t, axis):
    return (p - t).abs().mean(axis)


def huber(delta):
    def f(p, t, axis):
        e = p - t
        a = e.abs()
        return torch.where(a <= delta, 0.5 * e * e, delta * a - 0.5 * delta * delta).mean(axis)
    return f


def bce(from_logits, ls, dtype):
    lo, hi = BOUNDS[dtype]

    def f(p, t, axis):
        t = t * (1 - ls) + 0.5 * ls
        if from_logits:
            # tf.nn.sigmoid_cross_entropy_with_logits, with its where()s,
            # which set the derivative at 0 to 0.5 - t
            pos = p >= 0
            relu = torch.where(pos, p, torch.zeros_like(p))
            neg_abs = torch.where(pos, -p, p)
            v = relu - p * t + torch.log1p(torch.exp(neg_abs))
        else:
            q = torch.clamp(p, lo, hi)
            v = -(t * torch.log(q) + (1 - t) * torch.log(1 - q))
        return v.mean(axis)
    return f


def cce(from_logits, ls, dtype):
    lo, hi = BOUNDS[dtype]

    def f(p, t, axis):
        k = p.shape[axis]
        t = t * (1 - ls) + ls / k
        if from_logits:
            logp = torch.log_softmax(p, axis)
        else:
            q = p / p.sum(axis, keepdim=True)
            logp = torch.log(torch.clamp(q, lo, hi))
        return -(t * logp).sum(axis)
    return f


def reduce(units, reduction):
    if reduction == "sum":
        return units.sum()
    if reduction == "none":
        return units.sum()  # what a model minimizes with "none"
    return units.mean()


def torch_check(kind, cfg, p, t, units):
    """PyTorch's own loss agrees where it defines the same thing."""
    if cfg.get("Reduction", "") not in ("", "sum_over_batch_size") or p.dim() != 2:
        return
    if kind == "mean_squared_error":
        fixtures.close(F.mse_loss(p, t).item(), units.mean().item())
    elif kind == "mean_absolute_error":
        fixtures.close(F.l1_loss(p, t).item(), units.mean().item())
    elif kind == "huber":
        fixtures.close(F.huber_loss(p, t, delta=cfg.get("Delta", 1.0)).item(), units.mean().item())
    elif kind == "binary_crossentropy" and cfg.get("FromLogits"):
        ls = cfg.get("LabelSmoothing", 0.0)
        fixtures.close(F.binary_cross_entropy_with_logits(p, t * (1 - ls) + 0.5 * ls).item(), units.mean().item())
    elif kind == "categorical_crossentropy" and cfg.get("FromLogits"):
        fixtures.close(F.cross_entropy(p, t, label_smoothing=cfg.get("LabelSmoothing", 0.0)).item(), units.mean().item())


def make(name, dtype, kind, cfg, fn, pred, target, axis, src, fed_target=None):
    pred = fixtures.rounded(pred, dtype)
    target = fixtures.rounded(target, dtype)
    p = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(target if fed_target is None else fed_target)
    units = fn(p, t, axis)
    torch_check(kind, cfg, p.detach(), t, units.detach())
    loss = reduce(units, cfg.get("Reduction", ""))
    loss.backward()
    c = {
        "name": name, "dtype": dtype, "source": src,
        "loss": {"kind": kind, "config": cfg},
        "shape": list(pred.shape), "pred": fixtures.flat(pred, dtype),
        "target_shape": list(np.shape(target)), "target": fixtures.flat(target, dtype),
        "value": fixtures.num(np.float64(loss.item()) if dtype == "float64" else np.float32(loss.item())),
        "dpred": fixtures.flat(p.grad.numpy(), dtype),
    }
    if cfg.get("Reduction") == "none":
        c["units_shape"] = list(units.shape)
        c["units"] = fixtures.flat(units.detach().numpy(), dtype)
    c.update(TOL[dtype])
    return c


def probs(shape, axis=-1, edge=True):
    x = rng.uniform(0.05, 1.0, size=shape)
    x = x / x.sum(axis=axis, keepdims=True)
    if edge:
        flat = x.reshape(-1)
        flat[0], flat[1] = 0.0, 1.0
    return np.round(x, 8)


def onehot(shape, axis=-1):
    k = shape[axis]
    ids = rng.randint(0, k, size=[s for i, s in enumerate(shape) if i != (axis % len(shape))])
    return np.moveaxis(np.eye(k)[ids], -1, axis), ids


def main():
    cases = []
    reductions = [{}, {"Reduction": "sum_over_batch_size"}, {"Reduction": "sum"}, {"Reduction": "none"}]
    for dtype in ("float64", "float32"):
        def add(kind, cfg, fn, pred, target, axis=-1, src=SRC, fed=None):
            opt = ",".join("%s=%s" % kv for kv in sorted(cfg.items())) or "default"
            name = "%s[%s]/%s/%s" % (kind, opt, "x".join(map(str, np.shape(pred))), dtype)
            cases.append(make(name, dtype, kind, cfg, fn, pred, target, axis, src, fed))

        for shape in ((4, 3), (2, 3, 4)):
            pred = np.round(rng.standard_normal(shape) * 2, 6)
            target = np.round(rng.standard_normal(shape) * 2, 6)
            target.reshape(-1)[:3] = pred.reshape(-1)[:3]  # exact zeros of the error
            big = pred.copy()
            big.reshape(-1)[3:5] = [1e6, -1e6]
            for red in reductions:
                add("mean_squared_error", dict(red), per_unit_mse, pred, target, src=SRC + " mean_squared_error")
                add("mean_absolute_error", dict(red), per_unit_mae, big, target, src=SRC + " mean_absolute_error")
                add("huber", dict(red), huber(1.0), big, target, src=SRC + " huber")
            for delta in (0.5, 2.0):
                at = pred.copy()
                at.reshape(-1)[5] = target.reshape(-1)[5] + delta  # |error| exactly delta
                add("huber", {"Delta": delta}, huber(delta), at, target, src=SRC + " huber")

        shape = (4, 3)
        z = np.round(rng.uniform(0, 1, size=shape), 6)
        z.reshape(-1)[:4] = [0, 1, 0, 1]
        p = np.round(rng.uniform(0.01, 0.99, size=shape), 6)
        p.reshape(-1)[:6] = [0, 1, 1, 0, 1e-9, 1 - 1e-9]  # probabilities exactly 0 and 1, and past the clip
        logits = np.round(rng.standard_normal(shape) * 3, 6)
        logits.reshape(-1)[:5] = [0, 1e3, -1e3, 40, -40]
        for red in reductions:
            for ls in (0.0, 0.1):
                cfg = dict(red)
                if ls:
                    cfg["LabelSmoothing"] = ls
                add("binary_crossentropy", dict(cfg), bce(False, ls, dtype), p, z, src=NN + " binary_crossentropy; " + SRC)
                add("binary_crossentropy", dict(cfg, FromLogits=True), bce(True, ls, dtype), logits, z, src="tf.nn.sigmoid_cross_entropy_with_logits; " + SRC)
        p3 = np.round(rng.uniform(0.01, 0.99, size=(2, 3, 4)), 6)
        z3 = np.round(rng.uniform(0, 1, size=(2, 3, 4)), 6)
        for axis, cfg_axis in ((1, 1), (-2, -2)):
            add("binary_crossentropy", {"Axis": cfg_axis, "Reduction": "none"}, bce(False, 0.0, dtype), p3, z3, axis=axis, src=NN + " binary_crossentropy; " + SRC + " (axis)")
            add("binary_crossentropy", {"Axis": cfg_axis, "Reduction": "sum"}, bce(False, 0.0, dtype), p3, z3, axis=axis, src=NN + " binary_crossentropy; " + SRC + " (axis)")

        k = 5
        y, ids = onehot((4, k))
        pp = probs((4, k))
        lg = np.round(rng.standard_normal((4, k)) * 3, 6)
        lg[0, :] = [1e3, -1e3, 0, 0, 0]
        for red in reductions:
            for ls in (0.0, 0.1):
                cfg = dict(red)
                if ls:
                    cfg["LabelSmoothing"] = ls
                add("categorical_crossentropy", dict(cfg), cce(False, ls, dtype), pp, y, src=NN + " categorical_crossentropy; " + SRC)
                add("categorical_crossentropy", dict(cfg, FromLogits=True), cce(True, ls, dtype), lg, y, src=NN + " categorical_crossentropy; torch.nn.functional.cross_entropy")
            add("sparse_categorical_crossentropy", dict(red), cce(False, 0.0, dtype), pp, ids.astype(np.float64), src=NN + " sparse_categorical_crossentropy; " + SRC, fed=y)
            add("sparse_categorical_crossentropy", dict(red, FromLogits=True), cce(True, 0.0, dtype), lg, ids.astype(np.float64), src="tf.nn.sparse_softmax_cross_entropy_with_logits; " + SRC, fed=y)
        y3, _ = onehot((2, 4, 3), axis=1)
        p3 = probs((2, 4, 3), axis=1, edge=False)
        l3 = np.round(rng.standard_normal((2, 4, 3)) * 2, 6)
        y3l, _ = onehot((2, 3, 4), axis=-1)
        for red in ({}, {"Reduction": "none"}):
            add("categorical_crossentropy", dict(red, Axis=1), cce(False, 0.0, dtype), p3, y3, axis=1, src=NN + " categorical_crossentropy (axis); " + SRC)
            add("categorical_crossentropy", dict(red, Axis=1, FromLogits=True, LabelSmoothing=0.2), cce(True, 0.2, dtype), l3, y3, axis=1, src=NN + " categorical_crossentropy (axis); " + SRC)
            add("categorical_crossentropy", dict(red, FromLogits=True), cce(True, 0.0, dtype), np.round(rng.standard_normal((2, 3, 4)), 6), y3l, axis=-1, src=NN + " categorical_crossentropy; " + SRC)
    fixtures.write("losses", "gen_losses.py", cases)


if __name__ == "__main__":
    main()
