"""Writes testdata/conv_norm.json: the convolution and normalization layers
(Conv2D and Conv1D groups, DepthwiseConv2D, SeparableConv2D,
Conv1DTranspose, Conv2DTranspose, Conv3D, 3-D pooling, GroupNormalization,
LayerNormalization over several axes, BatchNormalization on any axis)
against PyTorch, in float64 and float32.

Each case is a layer spec, an input batch (channels last, as Keras), the
weights in Keras's layouts, the output, an upstream gradient dy and the
gradients of sum(y * dy) with respect to the input and every trainable
weight. The reference runs in float64 on the inputs rounded to the case's
dtype. Where Keras pads differently from PyTorch ('same' padding is
asymmetric in Keras; a transposed convolution's output is cropped as
keras/src/backend/common/backend_utils.py says), the reference pads or
crops explicitly and says so in the case's source.

Run with Debian's interpreter, deterministic:

    OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 parity/gen_conv_norm.py
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)

TOL = {
    "float64": {"rtol": 1e-10, "atol": 1e-12},
    "float32": {"rtol": 1e-4, "atol": 1e-5},
}


def num(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def rounded(a, dtype):
    a = np.asarray(a, dtype=np.float64)
    if dtype == "float32":
        return a.astype(np.float32).astype(np.float64)
    return a


def flat(a):
    return [num(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


# --- Keras 'same' padding and the transposed convolution's crop ---------


def same_pads(n, k, s, d):
    """Keras's zeros before and after an axis of n values (padding 'same')."""
    ek = (k - 1) * d + 1
    out = (n + s - 1) // s
    total = max((out - 1) * s + ek - n, 0)
    return total // 2, total - total // 2


def pads_of(padding, ins, ks, ss, ds):
    """F.pad's argument (last axis first) for a conv over axes ins."""
    if padding == "valid":
        return None
    p = []
    for n, k, s, d in reversed(list(zip(ins, ks, ss, ds))):
        p += list(same_pads(n, k, s, d))
    return p


def transpose_out(n, k, s, d, padding, out_pad):
    """Keras's output length and leading crop of a transposed convolution
    (keras/src/backend/common/backend_utils.py, the JAX and PyTorch
    backends' padding)."""
    ek = (k - 1) * d + 1
    if padding == "valid":
        p = max(ek, s) - ek if out_pad is None else out_pad
        return (n - 1) * s + ek + p, 0
    pad_len = s + ek - 2 if out_pad is None else ek + ek % 2 - 2 + out_pad
    left = min(pad_len // 2 + pad_len % 2, ek - 1)
    return (n - 1) * s + pad_len - ek + 2, ek - 1 - left


# --- references: channels-last tensors in, channels-last out --------------


def to_first(x):
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def to_last(x):
    return x.permute(0, *range(2, x.dim()), 1)


def conv_nd(x, kernel, bias, strides, padding, dilation, groups):
    """Keras ConvND (channels last, kernel [k..., c/groups, f]) with
    F.conv1d/2d/3d, 'same' as explicit asymmetric zeros."""
    nd = x.dim() - 2
    xf = to_first(x)
    p = pads_of(padding, list(x.shape[1:-1]), list(kernel.shape[:nd]), strides, dilation)
    if p is not None:
        xf = F.pad(xf, p)
    w = kernel.permute(nd + 1, nd, *range(nd))
    fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    y = fn(xf, w, bias, stride=tuple(strides), dilation=tuple(dilation), groups=groups)
    return to_last(y)


def depthwise_weight(kernel):
    """Keras's depthwise kernel [kh, kw, c, m] as PyTorch's [c*m, 1, kh, kw]."""
    kh, kw, c, m = kernel.shape
    return kernel.reshape(kh, kw, c * m).permute(2, 0, 1).unsqueeze(1)


def depthwise(x, kernel, bias, strides, padding, dilation):
    xf = to_first(x)
    p = pads_of(padding, list(x.shape[1:3]), list(kernel.shape[:2]), strides, dilation)
    if p is not None:
        xf = F.pad(xf, p)
    y = F.conv2d(xf, depthwise_weight(kernel), bias, stride=tuple(strides), dilation=tuple(dilation), groups=x.shape[-1])
    return to_last(y)


def conv_transpose(x, kernel, bias, strides, padding, dilation, out_pad):
    """Keras ConvNDTranspose (kernel [k..., f, c]) with
    F.conv_transpose1d/2d: the full transposed convolution, cropped and
    padded to Keras's output. Where PyTorch's padding and output_padding can
    say the same, nn.ConvTranspose gives the same values (checked)."""
    nd = x.dim() - 2
    ks = list(kernel.shape[:nd])
    outs, befores = [], []
    for i in range(nd):
        op = None if out_pad is None else out_pad[i]
        o, b = transpose_out(x.shape[1 + i], ks[i], strides[i], dilation[i], padding, op)
        outs.append(o)
        befores.append(b)
    w = kernel.permute(nd + 1, nd, *range(nd))  # [c, f, k...]
    fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[nd]
    full = fn(to_first(x), w, None, stride=tuple(strides), dilation=tuple(dilation))
    # Zeros after, where Keras's output runs past the full convolution.
    extra = []
    for i in reversed(range(nd)):
        extra += [0, max(0, befores[i] + outs[i] - full.shape[2 + i])]
    full = F.pad(full, extra)
    idx = [slice(None), slice(None)] + [slice(befores[i], befores[i] + outs[i]) for i in range(nd)]
    y = full[tuple(idx)]
    if bias is not None:
        y = y + bias.reshape(1, -1, *([1] * nd))
    # The same through nn.ConvTranspose's own padding where it can say it.
    tp = [o - ((x.shape[1 + i] - 1) * strides[i] + (ks[i] - 1) * dilation[i] + 1) + 2 * befores[i] for i, o in enumerate(outs)]
    if all(0 <= tp[i] < max(strides[i], dilation[i]) for i in range(nd)):
        mod = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d}[nd](
            x.shape[-1], kernel.shape[nd], ks, stride=strides, padding=befores, output_padding=tp,
            dilation=dilation, bias=bias is not None).double()
        with torch.no_grad():
            mod.weight.copy_(w)
            if bias is not None:
                mod.bias.copy_(bias)
        assert torch.allclose(mod(to_first(x)), y, rtol=1e-12, atol=1e-12)
    return to_last(y)


def pool3d(x, kind, pool, strides, padding):
    """Keras's 3-D pooling: with 'same', padded positions are left out of
    the maximum and of the mean's count."""
    xf = to_first(x)
    if padding == "same":
        p = pads_of("same", list(x.shape[1:4]), pool, strides, [1, 1, 1])
    else:
        p = [0] * 6
    if kind == "max":
        y = F.max_pool3d(F.pad(xf, p, value=-math.inf), pool, strides)
    else:
        ones = torch.ones_like(xf[:, :1])
        y = F.avg_pool3d(F.pad(xf, p), pool, strides) / F.avg_pool3d(F.pad(ones, p), pool, strides)
    return to_last(y)


def group_norm(x, gamma, beta, groups, axis, eps):
    """Keras GroupNormalization with F.group_norm: the channel axis moved to
    PyTorch's axis 1."""
    a = axis % x.dim()
    perm = [0, a] + [i for i in range(1, x.dim()) if i != a]
    inv = np.argsort(perm).tolist()
    y = F.group_norm(x.permute(*perm), groups, gamma, beta, eps)
    return y.permute(*inv)


def layer_norm(x, gamma, beta, axes, eps):
    """Keras LayerNormalization over axes with F.layer_norm: the axes moved
    to the end, in increasing order (the weights' shape)."""
    axes = sorted(a % x.dim() for a in axes)
    rest = [i for i in range(x.dim()) if i not in axes]
    perm = rest + axes
    inv = np.argsort(perm).tolist()
    xp = x.permute(*perm)
    shape = list(xp.shape[len(rest):])
    y = F.layer_norm(xp, shape, gamma, beta, eps)
    return y.permute(*inv)


def batch_norm(x, gamma, beta, mean, var, axis, training, eps, momentum):
    """Keras BatchNormalization with F.batch_norm: the feature axis moved to
    PyTorch's axis 1. The moving statistics move as Keras moves them (the
    biased batch variance, Keras's momentum)."""
    a = axis % x.dim()
    perm = [0, a] + [i for i in range(1, x.dim()) if i != a]
    inv = np.argsort(perm).tolist()
    xp = x.permute(*perm)
    y = F.batch_norm(xp, mean.clone(), var.clone(), gamma, beta, training=training, eps=eps)
    updated = None
    if training:
        dims = [0] + list(range(2, xp.dim()))
        bm = xp.detach().mean(dim=dims)
        bv = xp.detach().var(dim=dims, unbiased=False)
        updated = (mean * momentum + bm * (1 - momentum), var * momentum + bv * (1 - momentum))
    return y.permute(*inv), updated


# --- cases ----------------------------------------------------------------


def make_case(name, source, kind, config, in_shape, batch, weights, forward, dtype, seed,
              training=False, zeros=0, scale=1.0, state=None):
    """weights: [(name, shape, trainable, init)] where init is "normal",
    "ones+" (around one) or a positive "var"; forward(x, {name: tensor})
    returns y or (y, updated)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal([batch] + in_shape) * scale
    if zeros:
        x.reshape(-1)[rng.choice(x.size, zeros, replace=False)] = 0.0
    x = rounded(x, dtype)
    ws = []
    for wname, shape, trainable, init in weights:
        if init == "ones+":
            v = 1 + 0.3 * rng.standard_normal(shape)
        elif init == "var":
            v = 0.5 + rng.random(shape)
        else:
            v = 0.5 * rng.standard_normal(shape)
        ws.append((wname, shape, trainable, rounded(v, dtype)))
    xt = t64(x).requires_grad_(True)
    wt = {n: t64(v).requires_grad_(tr) for n, _, tr, v in ws}
    out = forward(xt, wt)
    updated = None
    if isinstance(out, tuple):
        out, updated = out
    dy = rounded(rng.standard_normal(list(out.shape)), dtype)
    (out * t64(dy)).sum().backward()
    case = {
        "name": "%s/%s" % (name, dtype),
        "dtype": dtype,
        "source": source,
        "layer": {"kind": kind, "config": config},
        "input_shape": in_shape,
        "batch": batch,
        "training": training,
        "x": flat(x),
        "weights": [{"name": n, "shape": list(s), "values": flat(v)} for n, s, _, v in ws],
        "y": flat(out.detach().numpy()),
        "dy": flat(dy),
        "dx": flat(xt.grad.numpy()),
        "dweights": [{"name": n, "shape": list(s), "values": flat(wt[n].grad.numpy())} for n, s, tr, _ in ws if tr],
    }
    case.update(TOL[dtype])
    if updated is not None:
        case["updated"] = [{"name": n, "shape": list(v.shape), "values": flat(v.numpy())}
                           for n, v in zip(["moving_mean", "moving_variance"], updated)]
    return case


def act(y, name):
    return {None: y, "relu": torch.relu(y), "tanh": torch.tanh(y)}[name]


def conv_cases():
    out = []
    # Conv2D and Conv1D with groups: F.conv2d / F.conv1d(groups=...).
    for i, (in_shape, f, k, s, d, pad, g, a, bias) in enumerate([
        ([5, 6, 4], 6, [3, 3], [1, 1], [1, 1], "valid", 2, None, True),
        ([6, 5, 6], 3, [3, 3], [2, 2], [1, 1], "same", 3, None, True),
        ([7, 7, 4], 8, [3, 3], [1, 1], [2, 2], "same", 4, None, False),
        ([5, 6, 6], 4, [2, 3], [1, 2], [1, 1], "valid", 2, "relu", True),
        ([6, 6, 8], 8, [3, 3], [1, 1], [1, 1], "same", 8, None, True),
    ]):
        cfg = {"filters": f, "kernel_size": k, "strides": s, "dilation_rate": d, "padding": pad, "groups": g}
        if a:
            cfg["activation"] = a
        if not bias:
            cfg["no_bias"] = True
        weights = [("kernel", k + [in_shape[-1] // g, f], True, "normal")]
        if bias:
            weights.append(("bias", [f], True, "normal"))

        def fwd(x, w, s=s, pad=pad, d=d, g=g, a=a):
            return act(conv_nd(x, w["kernel"], w.get("bias"), s, pad, d, g), a)
        out.append(("conv2d_groups_%d" % i, "torch.nn.functional.conv2d(groups=%d)" % g, "conv2d", cfg, in_shape, 2, weights, fwd, {"zeros": 3}))
    for i, (in_shape, f, k, s, pad, g) in enumerate([([7, 4], 4, 3, 1, "valid", 2), ([8, 6], 3, 3, 2, "same", 3)]):
        cfg = {"filters": f, "kernel_size": k, "strides": s, "padding": pad, "groups": g}
        weights = [("kernel", [k, in_shape[-1] // g, f], True, "normal"), ("bias", [f], True, "normal")]

        def fwd(x, w, s=s, pad=pad, g=g):
            return conv_nd(x, w["kernel"], w["bias"], [s], pad, [1], g)
        out.append(("conv1d_groups_%d" % i, "torch.nn.functional.conv1d(groups=%d)" % g, "conv1d", cfg, in_shape, 2, weights, fwd, {}))

    # DepthwiseConv2D: F.conv2d with a group per channel.
    for i, (in_shape, m, k, s, d, pad, bias) in enumerate([
        ([5, 5, 3], 1, [3, 3], [1, 1], [1, 1], "valid", True),
        ([6, 5, 2], 2, [3, 3], [2, 2], [1, 1], "same", True),
        ([7, 7, 2], 3, [3, 3], [1, 1], [2, 2], "valid", False),
        ([5, 6, 3], 1, [3, 2], [1, 1], [1, 1], "same", True),
    ]):
        cfg = {"kernel_size": k, "strides": s, "dilation_rate": d, "padding": pad, "depth_multiplier": m}
        if not bias:
            cfg["no_bias"] = True
        weights = [("kernel", k + [in_shape[-1], m], True, "normal")]
        if bias:
            weights.append(("bias", [in_shape[-1] * m], True, "normal"))

        def fwd(x, w, s=s, pad=pad, d=d):
            return depthwise(x, w["kernel"], w.get("bias"), s, pad, d)
        out.append(("depthwise_conv2d_%d" % i, "torch.nn.functional.conv2d(groups=channels)", "depthwise_conv2d", cfg, in_shape, 2, weights, fwd, {"zeros": 2}))

    # SeparableConv2D: the depthwise convolution, then a 1x1 F.conv2d.
    for i, (in_shape, f, m, k, s, d, pad, a, bias) in enumerate([
        ([5, 5, 2], 3, 1, [3, 3], [1, 1], [1, 1], "valid", None, True),
        ([6, 5, 3], 2, 2, [3, 3], [2, 2], [1, 1], "same", "relu", True),
        ([7, 6, 2], 4, 1, [2, 2], [1, 1], [2, 2], "same", None, False),
    ]):
        cfg = {"filters": f, "kernel_size": k, "strides": s, "dilation_rate": d, "padding": pad, "depth_multiplier": m}
        if a:
            cfg["activation"] = a
        if not bias:
            cfg["no_bias"] = True
        c = in_shape[-1]
        weights = [("depthwise_kernel", k + [c, m], True, "normal"), ("pointwise_kernel", [1, 1, c * m, f], True, "normal")]
        if bias:
            weights.append(("bias", [f], True, "normal"))

        def fwd(x, w, s=s, pad=pad, d=d, a=a):
            mid = depthwise(x, w["depthwise_kernel"], None, s, pad, d)
            return act(conv_nd(mid, w["pointwise_kernel"], w.get("bias"), [1, 1], "valid", [1, 1], 1), a)
        out.append(("separable_conv2d_%d" % i, "torch.nn.functional.conv2d (depthwise, then 1x1)", "separable_conv2d", cfg, in_shape, 2, weights, fwd, {}))

    # Conv2DTranspose and Conv1DTranspose.
    src2 = "torch.nn.functional.conv_transpose2d, cropped as keras/src/backend/common/backend_utils.py (nn.ConvTranspose2d where its padding can say it)"
    for i, (in_shape, f, k, s, d, pad, op, a, bias) in enumerate([
        ([3, 4, 2], 3, [3, 3], [1, 1], [1, 1], "valid", None, None, True),
        ([3, 3, 2], 2, [3, 3], [2, 2], [1, 1], "valid", None, None, True),
        ([3, 4, 2], 2, [3, 3], [2, 2], [1, 1], "same", None, None, True),
        ([3, 3, 3], 2, [4, 4], [2, 2], [1, 1], "same", None, None, True),
        ([3, 3, 1], 2, [3, 3], [2, 2], [1, 1], "valid", [1, 0], None, True),
        ([2, 3, 2], 2, [3, 3], [3, 3], [1, 1], "same", [2, 2], None, True),
        ([4, 4, 2], 2, [3, 3], [1, 1], [2, 2], "same", None, None, True),
        ([2, 3, 2], 2, [2, 2], [3, 3], [1, 1], "valid", None, None, True),
        ([3, 3, 2], 3, [3, 2], [2, 1], [1, 1], "same", None, "relu", False),
        ([4, 3, 2], 2, [4, 3], [2, 2], [1, 1], "same", [0, 1], None, True),
    ]):
        cfg = {"filters": f, "kernel_size": k, "strides": s, "dilation_rate": d, "padding": pad}
        if op is not None:
            cfg["output_padding"] = op
        if a:
            cfg["activation"] = a
        if not bias:
            cfg["no_bias"] = True
        weights = [("kernel", k + [f, in_shape[-1]], True, "normal")]
        if bias:
            weights.append(("bias", [f], True, "normal"))

        def fwd(x, w, s=s, pad=pad, d=d, op=op, a=a):
            return act(conv_transpose(x, w["kernel"], w.get("bias"), s, pad, d, op), a)
        out.append(("conv2d_transpose_%d" % i, src2, "conv2d_transpose", cfg, in_shape, 2, weights, fwd, {"zeros": 2}))
    src1 = src2.replace("2d", "1d")
    for i, (in_shape, f, k, s, d, pad, op) in enumerate([
        ([4, 2], 3, 3, 2, 1, "valid", None),
        ([4, 2], 2, 3, 2, 1, "same", None),
        ([3, 2], 2, 2, 2, 2, "valid", 1),
        ([5, 3], 2, 4, 3, 1, "same", 2),
    ]):
        cfg = {"filters": f, "kernel_size": k, "strides": s, "dilation_rate": d, "padding": pad}
        if op is not None:
            cfg["output_padding"] = op
        weights = [("kernel", [k, f, in_shape[-1]], True, "normal"), ("bias", [f], True, "normal")]

        def fwd(x, w, s=s, pad=pad, d=d, op=op):
            return conv_transpose(x, w["kernel"], w["bias"], [s], pad, [d], None if op is None else [op])
        out.append(("conv1d_transpose_%d" % i, src1, "conv1d_transpose", cfg, in_shape, 2, weights, fwd, {}))

    # Conv3D.
    for i, (in_shape, f, k, s, d, pad, bias, *case) in enumerate([
        ([3, 4, 3, 2], 2, [2, 2, 2], [1, 1, 1], [1, 1, 1], "valid", True),
        ([4, 4, 5, 1], 3, [3, 2, 3], [2, 2, 2], [1, 1, 1], "same", True),
        ([4, 3, 3, 2], 2, [2, 2, 2], [1, 1, 1], [2, 1, 1], "valid", False),
        ([3, 3, 3, 2], 2, [3, 3, 3], [1, 1, 1], [1, 1, 1], "same", True),
        ([3, 4, 3, 4], 6, [2, 3, 2], [1, 2, 1], [1, 1, 1], "same", True, 2),
    ]):
        g = 1
        if len(case) > 0:
            g = case[0]
        cfg = {"filters": f, "kernel_size": k, "strides": s, "dilation_rate": d, "padding": pad}
        if g > 1:
            cfg["groups"] = g
        if not bias:
            cfg["no_bias"] = True
        weights = [("kernel", k + [in_shape[-1] // g, f], True, "normal")]
        if bias:
            weights.append(("bias", [f], True, "normal"))

        def fwd(x, w, s=s, pad=pad, d=d, g=g):
            return conv_nd(x, w["kernel"], w.get("bias"), s, pad, d, g)
        out.append(("conv3d_%d" % i, "torch.nn.functional.conv3d(groups=%d)" % g, "conv3d", cfg, in_shape, 2, weights, fwd, {"zeros": 2}))

    # 3-D pooling.
    for i, (kind, in_shape, pool, strides, pad) in enumerate([
        ("max", [4, 4, 5, 2], [2, 2, 2], [2, 2, 2], "valid"),
        ("max", [5, 3, 4, 2], [3, 2, 2], [2, 1, 2], "same"),
        ("average", [4, 3, 4, 2], [2, 1, 2], [2, 1, 2], "valid"),
        ("average", [3, 3, 3, 1], [2, 2, 2], [2, 2, 2], "same"),
        ("average", [5, 4, 4, 2], [3, 3, 2], [1, 2, 2], "same"),
    ]):
        cfg = {"pool_size": pool, "strides": strides, "padding": pad}

        def fwd(x, w, kind=kind, pool=pool, strides=strides, pad=pad):
            return pool3d(x, kind, pool, strides, pad)
        src = "torch.nn.functional.%s_pool3d, padded positions left out as Keras's 'same'" % ("max" if kind == "max" else "avg")
        out.append(("%s_pooling3d_%d" % (kind, i), src, "%s_pooling3d" % kind, cfg, in_shape, 2, [], fwd, {}))
    for kind in ["average", "max"]:
        def fwd(x, w, kind=kind):
            return x.mean(dim=(1, 2, 3)) if kind == "average" else x.amax(dim=(1, 2, 3))
        out.append(("global_%s_pooling3d" % kind, "torch.mean / torch.amax over (d, h, w)", "global_%s_pooling3d" % kind, {}, [2, 3, 2, 4], 2, [], fwd, {}))
    return out


def norm_cases():
    out = []
    eps = 1e-3
    # GroupNormalization: F.group_norm.
    for i, (in_shape, g, axis, scale) in enumerate([
        ([3, 3, 4], 2, -1, 1.0),
        ([4, 6], 3, -1, 1.0),
        ([2, 2, 4], 4, -1, 1.0),
        ([3, 4], 1, -1, 1.0),
        ([4, 3, 2], 2, 1, 1.0),
        ([3, 3, 6], 3, -1, 1000.0),
    ]):
        cfg = {"groups": g}
        if axis != -1:
            cfg["axis"] = axis
        ch = in_shape[axis if axis < 0 else axis - 1]
        weights = [("gamma", [ch], True, "ones+"), ("beta", [ch], True, "normal")]

        def fwd(x, w, g=g, axis=axis):
            return group_norm(x, w["gamma"], w["beta"], g, axis, eps)
        out.append(("group_normalization_%d" % i, "torch.nn.functional.group_norm", "group_normalization", cfg, in_shape, 3, weights, fwd,
                    {"scale": scale, "zeros": 2}))

    # LayerNormalization over several axes: F.layer_norm.
    for i, (in_shape, axes) in enumerate([
        ([3, 4], [-2, -1]),
        ([2, 3, 2], [1, 2, 3]),
        ([4, 3], [1]),
        ([3, 2, 2], [1, 3]),
        ([2, 3, 4], [2, 1]),
        ([5], [-1]),
    ]):
        ax = sorted(a % (len(in_shape) + 1) for a in axes)
        pshape = [in_shape[a - 1] for a in ax]
        weights = [("gamma", pshape, True, "ones+"), ("beta", pshape, True, "normal")]

        def fwd(x, w, axes=axes):
            return layer_norm(x, w["gamma"], w["beta"], axes, eps)
        out.append(("layer_normalization_%d" % i, "torch.nn.functional.layer_norm over the axes moved last", "layer_normalization",
                    {"axis": axes}, in_shape, 3, weights, fwd, {"zeros": 1}))

    # BatchNormalization on an axis: F.batch_norm, Keras's moving statistics.
    for i, (in_shape, axis, training) in enumerate([
        ([3, 2, 2], 1, True),
        ([3, 4], -2, True),
        ([3, 2, 2], 1, False),
        ([2, 3, 4], 2, True),
        ([2, 3], -1, True),
    ]):
        ch = in_shape[axis if axis < 0 else axis - 1]
        weights = [("gamma", [ch], True, "ones+"), ("beta", [ch], True, "normal"),
                   ("moving_mean", [ch], False, "normal"), ("moving_variance", [ch], False, "var")]

        def fwd(x, w, axis=axis, training=training):
            return batch_norm(x, w["gamma"], w["beta"], w["moving_mean"].detach(), w["moving_variance"].detach(),
                              axis, training, eps, 0.99)
        src = "torch.nn.functional.batch_norm(training=%s); moving statistics as keras/src/layers/normalization/batch_normalization.py" % training
        cfg = {} if axis == -1 else {"axis": axis}
        out.append(("batch_normalization_%d" % i, src, "batch_normalization", cfg, in_shape, 4, weights, fwd,
                    {"training": training}))
    return out


def main():
    cases = []
    seed = 0
    for name, source, kind, cfg, in_shape, batch, weights, fwd, extra in conv_cases() + norm_cases():
        for dtype in ["float64", "float32"]:
            seed += 1
            cases.append(make_case(name, source, kind, dict(cfg, name="layer"), in_shape, batch, weights, fwd, dtype, seed, **extra))
    path = os.path.join(HERE, "testdata", "conv_norm.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines = ["{", '"generator": "gen_conv_norm.py",',
             '"versions": %s,' % json.dumps({"torch": torch.__version__.split("+")[0], "numpy": np.__version__}, sort_keys=True),
             '"cases": [']
    for i, c in enumerate(cases):
        lines.append(json.dumps(c, sort_keys=True, allow_nan=False) + ("," if i + 1 < len(cases) else ""))
    lines.append("]}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%s: %d cases" % (path, len(cases)))


if __name__ == "__main__":
    main()
