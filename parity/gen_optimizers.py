"""Writes testdata/optimizers.json: every optimizer and option over several
steps, the weights after each step, in float64 and float32.

The references are Keras 3's update rules (keras/src/optimizers/*.py) and its
base optimizer's apply (keras/src/optimizers/base_optimizer.py: clipping,
weight decay and exclude_from_weight_decay, gradient_accumulation_steps, the
moving average of use_ema and finalize_variable_values) written in numpy;
PyTorch's SGD, whose rule is Keras's, checks the SGD cases. Where PyTorch
differs (epsilon outside the square root in RMSprop and Adagrad, Adam's
epsilon), the fixture follows Keras."""

import json
import re

import numpy as np
import torch

import fixtures

rng = np.random.RandomState(2202)
STEPS = 8
SHAPES = {"dense/kernel": (3, 2), "dense/bias": (2,)}
TOL = {"float64": {"rtol": 1e-12, "atol": 1e-14}, "float32": {"rtol": 1e-5, "atol": 1e-6}}


def clip(grads, cfg):
    c = cfg.get("Clip", {})
    if c.get("Norm"):
        out = {}
        for k, g in grads.items():
            n = np.sqrt((g * g).sum())
            out[k] = g * c["Norm"] / max(n, c["Norm"])
        return out
    if c.get("GlobalNorm"):
        n = np.sqrt(sum((g * g).sum() for g in grads.values()))
        s = c["GlobalNorm"] * min(1 / n, 1 / c["GlobalNorm"])
        return {k: g * s for k, g in grads.items()}
    if c.get("Value"):
        return {k: np.clip(g, -c["Value"], c["Value"]) for k, g in grads.items()}
    return grads


class Rule:
    """One optimizer's update_step, keeping its slots per weight."""

    def __init__(self, kind, cfg):
        self.kind, self.cfg, self.slots = kind, cfg, {}
        d = {"sgd": 0.01}.get(kind, 0.001)
        self.lr = cfg.get("LearningRate") or d
        self.wd = {"adamw": cfg.get("WeightDecay") or 0.004}.get(kind, 0.0)

    def step(self, name, w, g, it):
        c, s = self.cfg, self.slots.setdefault(name, {})
        lr = self.lr
        if self.kind == "sgd":
            mom = c.get("Momentum", 0.0)
            if mom == 0:
                return w - g * lr
            m = s.get("m", np.zeros_like(w))
            m = -g * lr + m * mom
            s["m"] = m
            if c.get("Nesterov"):
                return w + (-g * lr + m * mom)
            return w + m
        if self.kind in ("adam", "adamw"):
            b1, b2, eps = c.get("Beta1") or 0.9, c.get("Beta2") or 0.999, c.get("Epsilon") or 1e-7
            t = it + 1
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            m = s.get("m", np.zeros_like(w))
            v = s.get("v", np.zeros_like(w))
            m = m + (g - m) * (1 - b1)
            v = v + (g * g - v) * (1 - b2)
            s["m"], s["v"] = m, v
            if c.get("AMSGrad"):
                v = np.maximum(s.get("vhat", np.zeros_like(w)), v)
                s["vhat"] = v
            return w - (m * alpha) / (np.sqrt(v) + eps)
        if self.kind == "rmsprop":
            rho, eps, mom = c.get("Rho") or 0.9, c.get("Epsilon") or 1e-7, c.get("Momentum", 0.0)
            v = rho * s.get("v", np.zeros_like(w)) + (1 - rho) * g * g
            s["v"] = v
            if c.get("Centered"):
                a = rho * s.get("a", np.zeros_like(w)) + (1 - rho) * g
                s["a"] = a
                den = v - a * a + eps
            else:
                den = v + eps
            inc = lr * g / np.sqrt(den)
            if mom > 0:
                u = mom * s.get("u", np.zeros_like(w)) + inc
                s["u"] = u
                return w - u
            return w - inc
        if self.kind == "adagrad":
            eps = c.get("Epsilon") or 1e-7
            acc = s.get("acc", np.full_like(w, c.get("InitialAccumulator") or 0.1)) + g * g
            s["acc"] = acc
            return w - lr * g / np.sqrt(acc + eps)
        raise ValueError(self.kind)


def run(kind, cfg, weights, grads):
    """Keras's BaseOptimizer.apply, step after step."""
    rule = Rule(kind, cfg)
    n = cfg.get("GradientAccumulationSteps", 0)
    use_ema = cfg.get("UseEMA", False)
    ema_m = cfg.get("EMAMomentum") or 0.99
    freq = cfg.get("EMAOverwriteFrequency", 0)
    exclude = [re.compile(p) for p in cfg.get("ExcludeFromWeightDecay", [])]
    w = {k: v.copy() for k, v in weights.items()}
    acc = {k: np.zeros_like(v) for k, v in w.items()}
    ema = {k: np.zeros_like(v) for k, v in w.items()}
    traj = []
    for it, g in enumerate(grads):
        update = True
        if n > 1:
            update = (it + 1) % n == 0
            if update:
                g = {k: (g[k] + acc[k]) / n for k in g}
                acc = {k: np.zeros_like(v) for k, v in w.items()}
            else:
                acc = {k: acc[k] + g[k] for k in g}
        if update:
            g = clip(g, cfg)
            for k in w:
                if rule.wd and not any(p.search(k) for p in exclude):
                    w[k] = w[k] - w[k] * rule.wd * rule.lr
            for k in w:
                w[k] = rule.step(k, w[k], g[k], it)
        if use_ema:
            m = 0.0 if it == 0 else ema_m
            for k in w:
                ema[k] = m * ema[k] + (1 - m) * w[k]
                if freq and (it + 1) % freq == 0:
                    w[k] = ema[k].copy()
        traj.append({k: v.copy() for k, v in w.items()})
    final = ema if use_ema else w
    return traj, final


def torch_sgd(cfg, weights, grads):
    ps = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in weights.items()}
    opt = torch.optim.SGD(list(ps.values()), lr=cfg.get("LearningRate") or 0.01,
                          momentum=cfg.get("Momentum", 0.0), nesterov=cfg.get("Nesterov", False))
    out = []
    for g in grads:
        for k, p in ps.items():
            p.grad = torch.tensor(g[k])
        opt.step()
        out.append({k: p.detach().numpy().copy() for k, p in ps.items()})
    return out


def main():
    cases = []
    base = {k: np.round(rng.standard_normal(s), 6) for k, s in SHAPES.items()}
    gseq = []
    for i in range(STEPS):
        g = {k: np.round(rng.standard_normal(s) * (3 if i % 3 == 0 else 0.5), 6) for k, s in SHAPES.items()}
        g["dense/kernel"][0, 0] = 0.0  # an exact zero gradient
        gseq.append(g)
    configs = [
        ("sgd", {}, "sgd.py"), ("sgd", {"Momentum": 0.9}, "sgd.py"), ("sgd", {"Momentum": 0.9, "Nesterov": True}, "sgd.py"),
        ("sgd", {"LearningRate": 0.1, "Clip": {"Value": 0.5}}, "sgd.py; base_optimizer.py (clipvalue)"),
        ("adam", {}, "adam.py"), ("adam", {"AMSGrad": True}, "adam.py (amsgrad)"),
        ("adam", {"Clip": {"Norm": 1.0}}, "adam.py; base_optimizer.py (clipnorm)"),
        ("adam", {"Clip": {"GlobalNorm": 1.5}}, "adam.py; base_optimizer.py (global_clipnorm)"),
        ("adam", {"LearningRate": 0.01, "Beta1": 0.5, "Beta2": 0.9, "Epsilon": 1e-3}, "adam.py"),
        ("adamw", {}, "adamw.py; base_optimizer.py (_apply_weight_decay)"),
        ("adamw", {"AMSGrad": True, "WeightDecay": 0.1, "LearningRate": 0.01}, "adamw.py (amsgrad)"),
        ("adamw", {"WeightDecay": 0.5, "LearningRate": 0.01, "ExcludeFromWeightDecay": ["bias"]}, "base_optimizer.py (exclude_from_weight_decay)"),
        ("adamw", {"WeightDecay": 0.5, "LearningRate": 0.01, "ExcludeFromWeightDecay": ["^dense/k", "nothing"]}, "base_optimizer.py (exclude_from_weight_decay)"),
        ("rmsprop", {}, "rmsprop.py"), ("rmsprop", {"Centered": True}, "rmsprop.py (centered)"),
        ("rmsprop", {"Momentum": 0.5}, "rmsprop.py"), ("rmsprop", {"Centered": True, "Momentum": 0.5, "Rho": 0.8}, "rmsprop.py (centered)"),
        ("adagrad", {}, "adagrad.py"), ("adagrad", {"InitialAccumulator": 0.5, "LearningRate": 0.05}, "adagrad.py"),
        ("adam", {"UseEMA": True}, "base_optimizer.py (use_ema)"),
        ("sgd", {"UseEMA": True, "EMAMomentum": 0.5, "EMAOverwriteFrequency": 3, "LearningRate": 0.1}, "base_optimizer.py (use_ema, ema_overwrite_frequency)"),
        ("rmsprop", {"UseEMA": True, "EMAMomentum": 0.9, "Centered": True}, "base_optimizer.py (use_ema)"),
        ("adam", {"GradientAccumulationSteps": 2}, "base_optimizer.py (gradient_accumulation_steps)"),
        ("sgd", {"GradientAccumulationSteps": 3, "Momentum": 0.9, "LearningRate": 0.1}, "base_optimizer.py (gradient_accumulation_steps)"),
        ("adamw", {"GradientAccumulationSteps": 2, "UseEMA": True, "ExcludeFromWeightDecay": ["bias"], "WeightDecay": 0.2, "LearningRate": 0.01}, "base_optimizer.py (gradient_accumulation_steps, use_ema)"),
        ("adam", {"GradientAccumulationSteps": 4, "Clip": {"Norm": 0.5}, "AMSGrad": True}, "base_optimizer.py (gradient_accumulation_steps, clipnorm)"),
    ]
    for dtype in ("float64", "float32"):
        w0 = {k: fixtures.rounded(v, dtype) for k, v in base.items()}
        gs = [{k: fixtures.rounded(v, dtype) for k, v in g.items()} for g in gseq]
        for kind, cfg, src in configs:
            traj, final = run(kind, cfg, w0, gs)
            if kind == "sgd" and set(cfg) <= {"Momentum", "Nesterov", "LearningRate"}:
                for a, b in zip(traj, torch_sgd(cfg, w0, gs)):
                    for k in a:
                        fixtures.close(a[k], b[k], rtol=1e-12, atol=1e-14)
            opt = ",".join("%s=%s" % (k, json.dumps(cfg[k], separators=(",", ":"))) for k in sorted(cfg)) or "default"
            c = {
                "name": "%s[%s]/%s" % (kind, opt, dtype), "dtype": dtype, "source": "keras/src/optimizers/" + src,
                "optimizer": {"kind": kind, "config": cfg},
                "params": [{"name": k, "shape": list(SHAPES[k]), "values": fixtures.flat(w0[k], dtype)} for k in SHAPES],
                "grads": [[{"name": k, "shape": list(SHAPES[k]), "values": fixtures.flat(g[k], dtype)} for k in SHAPES] for g in gs],
                "after": [[{"name": k, "shape": list(SHAPES[k]), "values": fixtures.flat(t[k], dtype)} for k in SHAPES] for t in traj],
                "final": [{"name": k, "shape": list(SHAPES[k]), "values": fixtures.flat(final[k], dtype)} for k in SHAPES],
            }
            c.update(TOL[dtype])
            cases.append(c)
    fixtures.write("optimizers", "gen_optimizers.py", cases)


if __name__ == "__main__":
    main()
