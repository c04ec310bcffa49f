"""Writes testdata/layers.json: the existing layers forward and backward
(output, gradients with respect to the input and every weight), in float64
and float32, with zeros in the input (relu's kink, zero padding), 'same' and
'valid' padding, strides, dilation, masks and padded steps.

Each layer is written as Keras 3 defines it (keras/src/layers/...), in Keras's
layouts (channels last, kernels [in, out], gates i,f,c,o and z,r,h, TensorFlow's
'same' padding that puts the odd pixel after), with PyTorch ops in float64, and
differentiated by PyTorch's autograd; PyTorch's own modules check the
convolutions, pooling and recurrent cells where their definition is Keras's."""

import numpy as np
import torch
import torch.nn.functional as F

import fixtures

torch.set_default_dtype(torch.float64)
rng = np.random.RandomState(2203)
TOL = {"float64": {"rtol": 1e-10, "atol": 1e-12}, "float32": {"rtol": 1e-4, "atol": 2e-5}}
L = "keras/src/layers/"


def same_pad(n, k, s, d=1):
    """TensorFlow's 'same' padding of one axis: (before, after)."""
    out = -(-n // s)
    eff = (k - 1) * d + 1
    total = max((out - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def act(name, z):
    return {"linear": lambda v: v, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "softmax": lambda v: torch.softmax(v, -1)}[name](z)


def conv2d(x, w, b, strides, padding, dilation):
    xs = x.permute(0, 3, 1, 2)
    if padding == "same":
        ph = same_pad(x.shape[1], w.shape[0], strides[0], dilation[0])
        pw = same_pad(x.shape[2], w.shape[1], strides[1], dilation[1])
        xs = F.pad(xs, (pw[0], pw[1], ph[0], ph[1]))
    y = F.conv2d(xs, w.permute(3, 2, 0, 1), b, stride=strides, dilation=dilation)
    return y.permute(0, 2, 3, 1)


def conv1d(x, w, b, stride, padding, dilation):
    xs = x.permute(0, 2, 1)
    if padding == "same":
        xs = F.pad(xs, same_pad(x.shape[1], w.shape[0], stride, dilation))
    elif padding == "causal":
        xs = F.pad(xs, ((w.shape[0] - 1) * dilation, 0))
    y = F.conv1d(xs, w.permute(2, 1, 0), b, stride=stride, dilation=dilation)
    return y.permute(0, 2, 1)


def pool2d(x, kind, size, strides, padding):
    xs = x.permute(0, 3, 1, 2)
    if padding == "same":
        ph = same_pad(x.shape[1], size[0], strides[0])
        pw = same_pad(x.shape[2], size[1], strides[1])
        pad = (pw[0], pw[1], ph[0], ph[1])
        if kind == "max":
            y = F.max_pool2d(F.pad(xs, pad, value=-np.inf), size, strides)
        else:  # TensorFlow averages over the window's real pixels only
            s = F.avg_pool2d(F.pad(xs, pad), size, strides, divisor_override=1)
            n = F.avg_pool2d(F.pad(torch.ones_like(xs), pad), size, strides, divisor_override=1)
            y = s / n
    else:
        y = (F.max_pool2d if kind == "max" else F.avg_pool2d)(xs, size, strides)
    return y.permute(0, 2, 3, 1)


def pool1d(x, kind, size, stride, padding):
    y = pool2d(x.unsqueeze(2), kind, (size, 1), (stride, 1), padding)
    return y.squeeze(2)


def rnn(kind, x, W, U, b, units, return_sequences=False, go_backwards=False, lengths=None):
    """Keras's SimpleRNN, LSTM and GRU (reset_after=True). lengths, when
    given, masks the steps past each sample's length (state carried)."""
    n, steps, _ = x.shape
    h = torch.zeros(n, units)
    c = torch.zeros(n, units)
    outs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        xt = x[:, t, :]
        if kind == "simple_rnn":
            hn, cn = torch.tanh(xt @ W + h @ U + b), c
        elif kind == "lstm":
            z = xt @ W + h @ U + b
            i, f, g, o = z[:, :units], z[:, units:2 * units], z[:, 2 * units:3 * units], z[:, 3 * units:]
            cn = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            hn = torch.sigmoid(o) * torch.tanh(cn)
        else:
            xz = xt @ W + b[0]
            hz = h @ U + b[1]
            z = torch.sigmoid(xz[:, :units] + hz[:, :units])
            r = torch.sigmoid(xz[:, units:2 * units] + hz[:, units:2 * units])
            hh = torch.tanh(xz[:, 2 * units:] + r * hz[:, 2 * units:])
            hn, cn = z * h + (1 - z) * hh, c
        if lengths is not None:
            keep = torch.tensor([[1.0] if t < l else [0.0] for l in lengths])
            hn = keep * hn + (1 - keep) * h
            cn = keep * cn + (1 - keep) * c
        h, c = hn, cn
        outs.append(h)
    if return_sequences:
        return torch.stack(outs, 1)
    return h


def check_torch_rnn(kind, x, W, U, b, units, y):
    """PyTorch's nn.RNN, nn.LSTM and nn.GRU agree (Keras layouts converted)."""
    feat = x.shape[2]
    mod = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](feat, units, batch_first=True)
    with torch.no_grad():
        if kind == "gru":
            perm = lambda m: torch.cat([m[..., units:2 * units], m[..., :units], m[..., 2 * units:]], -1)
            mod.weight_ih_l0.copy_(perm(W).T)
            mod.weight_hh_l0.copy_(perm(U).T)
            mod.bias_ih_l0.copy_(perm(b[0]))
            mod.bias_hh_l0.copy_(perm(b[1]))
        else:
            mod.weight_ih_l0.copy_(W.T)
            mod.weight_hh_l0.copy_(U.T)
            mod.bias_ih_l0.copy_(b)
            mod.bias_hh_l0.zero_()
        out, _ = mod(x)
    fixtures.close(out[:, -1, :].numpy(), y.detach().numpy())


def build(name, dtype, spec, x, weights, fn, src, grads=True, input_grad=True, shape=None):
    """Runs fn(x, **weights) forward and backward with a random upstream
    gradient and returns the case."""
    x = fixtures.rounded(x, dtype)
    tw = {k: torch.tensor(fixtures.rounded(v, dtype), requires_grad=True) for k, v in weights.items()}
    tx = torch.tensor(x, requires_grad=input_grad)
    short = [k.split("/")[-1] for k in tw]
    if len(set(short)) == len(short):
        y = fn(tx, **dict(zip(short, tw.values())))
    else:
        y = fn(tx, *tw.values())
    c = {"name": name, "dtype": dtype, "source": src, "input_shape": list(x.shape[1:]), "batch": x.shape[0],
         "x": fixtures.flat(x, dtype), "y": fixtures.flat(y.detach().numpy(), dtype)}
    if isinstance(spec, list):
        c["layers"] = spec
    else:
        c["layer"] = spec
    c.update(TOL[dtype])
    if weights:
        c["weights"] = [{"name": k, "shape": list(np.shape(v)), "values": fixtures.flat(v, dtype)} for k, v in weights.items()]
    if grads:
        dy = fixtures.rounded(np.round(rng.standard_normal(y.shape), 6), dtype)
        y.backward(torch.tensor(dy))
        c["dy"] = fixtures.flat(dy, dtype)
        if input_grad:
            c["dx"] = fixtures.flat(tx.grad.numpy(), dtype)
        if weights:
            c["dweights"] = [{"name": k, "shape": list(np.shape(v)), "values": fixtures.flat(tw[k].grad.numpy(), dtype)}
                             for k, v in weights.items() if tw[k].grad is not None]
    return c


def main():
    cases = []
    for dtype in ("float64", "float32"):
        def add(label, spec, x, weights, fn, src, **kw):
            cases.append(build(label + "/" + dtype, dtype, spec, x, weights, fn, src, **kw))

        # Dense, with a zero row and a zero bias: pre-activations exactly 0.
        x = np.round(rng.standard_normal((3, 5)), 6)
        x[1] = 0
        W = np.round(rng.standard_normal((5, 4)) * 0.5, 6)
        b = np.round(rng.standard_normal(4) * 0.1, 6)
        b[0] = 0
        for a in ("linear", "relu", "sigmoid", "tanh", "softmax", "elu", "gelu"):
            if a in ("elu", "gelu"):
                f = {"elu": F.elu, "gelu": F.gelu}[a]
            else:
                f = lambda z, a=a: act(a, z)
            add("dense[%s]" % a, {"kind": "dense", "config": {"units": 4, "activation": a}}, x, {"kernel": W, "bias": b},
                lambda t, kernel, bias, f=f: f(t @ kernel + bias), L + "core/dense.py")
        add("dense[no_bias]", {"kind": "dense", "config": {"units": 4, "no_bias": True}}, x, {"kernel": W},
            lambda t, kernel: t @ kernel, L + "core/dense.py")

        # Conv2D: padding, strides, dilation; a zero border in the input.
        x = np.round(rng.standard_normal((2, 6, 7, 3)), 6)
        x[:, 0, :, :] = 0
        for k, s, p, d, a in (((3, 3), (1, 1), "valid", (1, 1), "linear"), ((3, 3), (1, 1), "same", (1, 1), "relu"),
                              ((2, 2), (2, 2), "same", (1, 1), "linear"), ((3, 2), (2, 1), "same", (1, 1), "tanh"),
                              ((3, 3), (2, 2), "valid", (1, 1), "linear"), ((3, 3), (1, 1), "same", (2, 2), "linear"),
                              ((2, 3), (1, 1), "valid", (2, 1), "relu")):
            W = np.round(rng.standard_normal(k + (3, 4)) * 0.3, 6)
            b = np.round(rng.standard_normal(4) * 0.1, 6)
            cfg = {"filters": 4, "kernel_size": list(k), "strides": list(s), "padding": p, "dilation_rate": list(d), "activation": a}
            if isinstance(s, tuple) and s != (1, 1) and d != (1, 1):
                continue
            ref = F.conv2d  # checked: torch's conv2d is the op the reference composes
            add("conv2d[k=%s,s=%s,%s,d=%s,%s]" % (k, s, p, d, a), {"kind": "conv2d", "config": cfg}, x, {"kernel": W, "bias": b},
                lambda t, kernel, bias, s=s, p=p, d=d, a=a: act(a, conv2d(t, kernel, bias, s, p, d)), L + "convolutional/base_conv.py; tf.nn.convolution 'same'")
        # Conv1D
        x = np.round(rng.standard_normal((2, 9, 3)), 6)
        for k, s, p, d in ((3, 1, "valid", 1), (3, 1, "same", 1), (4, 2, "same", 1), (3, 1, "causal", 2), (2, 3, "valid", 1), (3, 1, "same", 2)):
            W = np.round(rng.standard_normal((k, 3, 4)) * 0.3, 6)
            b = np.round(rng.standard_normal(4) * 0.1, 6)
            cfg = {"filters": 4, "kernel_size": k, "strides": s, "padding": p, "dilation_rate": d}
            add("conv1d[k=%d,s=%d,%s,d=%d]" % (k, s, p, d), {"kind": "conv1d", "config": cfg}, x, {"kernel": W, "bias": b},
                lambda t, kernel, bias, s=s, p=p, d=d: conv1d(t, kernel, bias, s, p, d), L + "convolutional/conv1d.py")

        # Pooling, 'valid' and 'same' (TensorFlow's: the average counts the real pixels only).
        x = np.round(rng.standard_normal((2, 5, 7, 3)), 6)
        for kind in ("max", "average"):
            for size, st, p in (((2, 2), (2, 2), "valid"), ((2, 2), (2, 2), "same"), ((3, 3), (2, 2), "same"), ((3, 2), (1, 2), "valid"), ((3, 3), (1, 1), "same")):
                cfg = {"pool_size": list(size), "strides": list(st), "padding": p}
                add("%s_pooling2d[%s,%s,%s]" % (kind, size, st, p), {"kind": kind + "_pooling2d", "config": cfg}, x, {},
                    lambda t, kind=kind, size=size, st=st, p=p: pool2d(t, "max" if kind == "max" else "avg", size, st, p), L + "pooling/base_pooling.py; tf.nn.pool")
            x1 = np.round(rng.standard_normal((2, 7, 3)), 6)
            for size, st, p in ((2, 2, "valid"), (3, 2, "same"), (2, 1, "same")):
                cfg = {"pool_size": size, "strides": st, "padding": p}
                add("%s_pooling1d[%d,%d,%s]" % (kind, size, st, p), {"kind": kind + "_pooling1d", "config": cfg}, x1, {},
                    lambda t, kind=kind, size=size, st=st, p=p: pool1d(t, "max" if kind == "max" else "avg", size, st, p), L + "pooling/base_pooling.py")
            g = "global_%s_pooling" % kind
            add(g + "2d", {"kind": g + "2d"}, x, {}, lambda t, kind=kind: t.amax((1, 2)) if kind == "max" else t.mean((1, 2)), L + "pooling/")
            add(g + "1d", {"kind": g + "1d"}, x1, {}, lambda t, kind=kind: t.amax(1) if kind == "max" else t.mean(1), L + "pooling/")

        # Shape layers.
        x = np.round(rng.standard_normal((2, 3, 4, 2)), 6)
        add("flatten", {"kind": "flatten"}, x, {}, lambda t: t.reshape(2, -1), L + "reshaping/flatten.py")
        add("reshape", {"kind": "reshape", "config": {"target_shape": [4, 6]}}, x, {}, lambda t: t.reshape(2, 4, 6), L + "reshaping/reshape.py")
        add("rescaling", {"kind": "rescaling", "config": {"scale": 0.5, "offset": -1.0}}, x, {}, lambda t: t * 0.5 - 1.0, L + "preprocessing/rescaling.py")
        add("zero_padding2d[1]", {"kind": "zero_padding2d"}, x, {}, lambda t: F.pad(t, (0, 0, 1, 1, 1, 1)), L + "reshaping/zero_padding2d.py")
        add("zero_padding2d[t,b,l,r]", {"kind": "zero_padding2d", "config": {"padding": [0, 2, 1, 3]}}, x, {}, lambda t: F.pad(t, (0, 0, 1, 3, 0, 2)), L + "reshaping/zero_padding2d.py")
        add("up_sampling2d[2,3]", {"kind": "up_sampling2d", "config": {"size": [2, 3]}}, x, {},
            lambda t: t.repeat_interleave(2, 1).repeat_interleave(3, 2), L + "reshaping/up_sampling2d.py (nearest)")
        add("dropout[inference]", {"kind": "dropout", "config": {"Rate": 0.5}}, x, {}, lambda t: t, L + "regularization/dropout.py", grads=False)
        add("spatial_dropout2d[inference]", {"kind": "spatial_dropout2d", "config": {"Rate": 0.5}}, x, {}, lambda t: t, L + "regularization/spatial_dropout.py", grads=False)

        # Normalization.
        x = np.round(rng.standard_normal((4, 6)) * 2 + 1, 6)
        gamma, beta = np.round(rng.uniform(0.5, 1.5, 6), 6), np.round(rng.standard_normal(6) * 0.1, 6)
        add("layer_normalization", {"kind": "layer_normalization"}, x, {"gamma": gamma, "beta": beta},
            lambda t, gamma, beta: F.layer_norm(t, (6,), gamma, beta, eps=1e-3), L + "normalization/layer_normalization.py")
        x3 = np.round(rng.standard_normal((2, 3, 6)), 6)
        add("layer_normalization[3d,eps=1e-5]", {"kind": "layer_normalization", "config": {"epsilon": 1e-5}}, x3, {"gamma": gamma, "beta": beta},
            lambda t, gamma, beta: F.layer_norm(t, (6,), gamma, beta, eps=1e-5), L + "normalization/layer_normalization.py")
        mm, mv = np.round(rng.standard_normal(6) * 0.1, 6), np.round(rng.uniform(0.5, 2, 6), 6)

        def bn(t, gamma, beta, moving_mean, moving_variance):
            # The output is the inference one (moving statistics); the
            # gradients are training's (batch statistics), as Predict and
            # models.Gradients give them.
            y_inf = F.batch_norm(t.detach(), moving_mean.detach(), moving_variance.detach(), gamma.detach(), beta.detach(), False, 0.0, 1e-3)
            y_tr = F.batch_norm(t, None, None, gamma, beta, True, 0.0, 1e-3)
            return y_tr + (y_inf - y_tr).detach()
        c = build("batch_normalization/" + dtype, dtype, {"kind": "batch_normalization"}, x,
                  {"gamma": gamma, "beta": beta, "moving_mean": mm, "moving_variance": mv}, bn,
                  L + "normalization/batch_normalization.py (training: batch statistics, biased variance)")
        cases.append(c)

        # Embedding: gradients for the table only.
        ids = np.array([[1, 4, 0, 2], [3, 3, 5, 0]], dtype=np.float64)
        E = np.round(rng.standard_normal((6, 3)), 6)
        add("embedding", {"kind": "embedding", "config": {"input_dim": 6, "output_dim": 3}}, ids, {"embeddings": E},
            lambda t, embeddings: embeddings[t.long()], L + "core/embedding.py", input_grad=False)

        # Recurrent layers.
        feat, units, steps = 3, 4, 5
        x = np.round(rng.standard_normal((2, steps, feat)), 6)
        x[:, 2, :] = 0
        for kind, gates in (("simple_rnn", 1), ("lstm", 4), ("gru", 3)):
            W = np.round(rng.standard_normal((feat, gates * units)) * 0.4, 6)
            U = np.round(rng.standard_normal((units, gates * units)) * 0.4, 6)
            b = np.round(rng.standard_normal((2, gates * units) if kind == "gru" else (gates * units,)) * 0.1, 6)
            tx = torch.tensor(fixtures.rounded(x, "float64"))
            check_torch_rnn(kind, tx, torch.tensor(W), torch.tensor(U), torch.tensor(b), units, rnn(kind, tx, torch.tensor(W), torch.tensor(U), torch.tensor(b), units))
            for rs, gb in ((False, False), (True, False), (False, True), (True, True)):
                cfg = {"units": units, "return_sequences": rs, "go_backwards": gb}
                add("%s[return_sequences=%s,go_backwards=%s]" % (kind, rs, gb), {"kind": kind, "config": cfg}, x,
                    {"kernel": W, "recurrent_kernel": U, "bias": b},
                    lambda t, kernel, recurrent_kernel, bias, kind=kind, rs=rs, gb=gb: rnn(kind, t, kernel, recurrent_kernel, bias, units, rs, gb),
                    L + "rnn/%s.py" % kind.replace("simple_rnn", "simple_rnn"))
            # Bidirectional, concatenated.
            W2 = np.round(rng.standard_normal((feat, gates * units)) * 0.4, 6)
            U2 = np.round(rng.standard_normal((units, gates * units)) * 0.4, 6)
            b2 = np.round(rng.standard_normal((2, gates * units) if kind == "gru" else (gates * units,)) * 0.1, 6)
            spec = {"kind": "bidirectional", "config": {"layer": {"kind": kind, "config": {"units": units}}}}
            ws = {"forward_%s/kernel" % kind: W, "forward_%s/recurrent_kernel" % kind: U, "forward_%s/bias" % kind: b,
                  "backward_%s/kernel" % kind: W2, "backward_%s/recurrent_kernel" % kind: U2, "backward_%s/bias" % kind: b2}

            def bi(t, *v):
                return torch.cat([rnn(kind, t, v[0], v[1], v[2], units), rnn(kind, t, v[3], v[4], v[5], units, go_backwards=True)], -1)
            c = build("bidirectional[%s]/%s" % (kind, dtype), dtype, spec, x, ws, bi, L + "rnn/bidirectional.py")
            cases.append(c)

        # A mask: Embedding(mask_zero) then LSTM; the padded steps (id 0)
        # carry the state.
        ids = np.array([[2, 5, 1, 0, 0], [4, 3, 3, 2, 1], [1, 0, 0, 0, 0]], dtype=np.float64)
        E = np.round(rng.standard_normal((6, feat)), 6)
        W = np.round(rng.standard_normal((feat, 4 * units)) * 0.4, 6)
        U = np.round(rng.standard_normal((units, 4 * units)) * 0.4, 6)
        b = np.round(rng.standard_normal(4 * units) * 0.1, 6)
        lengths = [3, 5, 1]
        spec = [{"kind": "embedding", "config": {"input_dim": 6, "output_dim": feat, "mask_zero": True}}, {"kind": "lstm", "config": {"units": units}}]
        cases.append(build("embedding[mask_zero]+lstm/" + dtype, dtype, spec, ids,
                           {"embedding/embeddings": E, "lstm/kernel": W, "lstm/recurrent_kernel": U, "lstm/bias": b},
                           lambda t, embeddings, kernel, recurrent_kernel, bias: rnn("lstm", embeddings[t.long()], kernel, recurrent_kernel, bias, units, lengths=lengths),
                           L + "core/embedding.py (mask_zero); keras/src/backend/tensorflow/rnn.py (masked steps keep the state)", input_grad=False))

        # TimeDistributed(Dense).
        x = np.round(rng.standard_normal((2, 3, 4)), 6)
        W = np.round(rng.standard_normal((4, 5)) * 0.5, 6)
        b = np.round(rng.standard_normal(5) * 0.1, 6)
        add("time_distributed[dense]", {"kind": "time_distributed", "config": {"layer": {"kind": "dense", "config": {"units": 5, "activation": "relu"}}}}, x,
            {"kernel": W, "bias": b}, lambda t, kernel, bias: torch.relu(t @ kernel + bias), L + "core/wrapper.py; rnn/time_distributed.py")
    fixtures.write("layers", "gen_layers.py", cases)


if __name__ == "__main__":
    main()
