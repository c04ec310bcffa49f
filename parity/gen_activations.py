"""Writes testdata/activations.json: every activation function and the
activation layers with their options, forward and backward, in float64 and
float32, at the kinks (exactly 0, the threshold, max_value) and at large
magnitudes.

The references are Keras 3's formulas (keras/src/activations/activations.py,
keras/src/layers/activations/) in numpy, with the derivative at a kink that
TensorFlow's kernels give (tensorflow/core/kernels/relu_op_functor.h), checked
against PyTorch's autograd wherever PyTorch defines the same function."""

import math

import numpy as np
import torch

import fixtures

torch.set_default_dtype(torch.float64)
rng = np.random.RandomState(22)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

EDGE = np.array([0.0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0,
                 6.0, -6.0, 19.5, -19.5, 40.0, -40.0, 100.0, -100.0, 700.0, -700.0, 2.0, -2.0])
RANDOM = np.round(rng.standard_normal(24) * 3, 6)

erfc = np.vectorize(math.erfc)


def sigmoid(x):
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def elu(alpha):
    def f(x):
        with np.errstate(all="ignore"):
            return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
    return f


def selu(x):
    with np.errstate(all="ignore"):
        y = np.where(x > 0, SELU_SCALE * x, SELU_SCALE * SELU_ALPHA * np.expm1(np.minimum(x, 0)))
        d = np.where(x >= 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(x, 0)))
    return y, d


def leaky(slope):
    return lambda x: (np.where(x > 0, x, slope * x), np.where(x > 0, 1.0, slope))


def relu_opts(slope=0.0, max_value=None, threshold=0.0):
    """keras/src/activations/activations.py relu(x, negative_slope, max_value,
    threshold), with the derivatives of the TensorFlow ops it composes."""
    if slope != 0 and max_value is None and threshold == 0:
        return leaky(slope)
    relu6 = max_value == 6 and threshold == 0

    def f(x):
        y = np.where(x > threshold, x, 0.0)
        d = np.where(x > threshold, 1.0, 0.0)
        if max_value is not None:
            y = np.clip(y, 0, max_value)
            d = np.where((x > max_value) | (relu6 & (x == max_value)), 0.0, d)
        if slope != 0:
            y = y - slope * np.maximum(threshold - x, 0)
            d = d + np.where(x < threshold, slope, 0.0)
        return y, d
    return f


def gelu(x):
    y = 0.5 * x * erfc(-x / math.sqrt(2))
    d = 0.5 * erfc(-x / math.sqrt(2)) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    return y, d


def gelu_tanh(x):
    k = 0.7978845608028654
    t = np.tanh(k * (x + 0.044715 * x ** 3))
    return 0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)


def softplus(x):
    return np.logaddexp(0, x), sigmoid(x)


def swish(x):
    s = sigmoid(x)
    return x * s, s * (1 + x * sigmoid(-x))


def softmax_vjp(x, dy):
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    s = e / e.sum(axis=-1, keepdims=True)
    return s, s * (dy - (dy * s).sum(axis=-1, keepdims=True))


# name -> (numpy reference giving (y, dy/dx), PyTorch function or None,
# whether PyTorch's derivative at exactly 0 differs (Keras is followed),
# source)
ACT = "keras/src/activations/activations.py"
TF = "tensorflow/core/kernels/relu_op_functor.h"
ELEMENTWISE = {
    "linear": (lambda x: (x, np.ones_like(x)), lambda t: t, ACT + " linear"),
    "relu": (relu_opts(), torch.relu, ACT + " relu; " + TF + " ReluGrad"),
    "leaky_relu": (leaky(0.2), lambda t: torch.nn.functional.leaky_relu(t, 0.2), ACT + " leaky_relu; " + TF + " LeakyReluGrad"),
    "elu": (elu(1.0), torch.nn.functional.elu, ACT + " elu; " + TF + " EluGrad"),
    "selu": (selu, torch.selu, ACT + " selu; " + TF + " SeluGrad (scale at 0, PyTorch gives scale*alpha)"),
    "gelu": (gelu, lambda t: torch.nn.functional.gelu(t), ACT + " gelu(approximate=False)"),
    "gelu_approximate": (gelu_tanh, lambda t: torch.nn.functional.gelu(t, approximate="tanh"), ACT + " gelu(approximate=True)"),
    "swish": (swish, torch.nn.functional.silu, ACT + " silu"),
    "silu": (swish, torch.nn.functional.silu, ACT + " silu"),
    "sigmoid": (lambda x: (sigmoid(x), sigmoid(x) * sigmoid(-x)), torch.sigmoid, ACT + " sigmoid"),
    "tanh": (lambda x: (np.tanh(x), 1 - np.tanh(x) ** 2), torch.tanh, ACT + " tanh"),
    "softplus": (softplus, lambda t: torch.nn.functional.softplus(t, threshold=1e300), ACT + " softplus (PyTorch's is cut to x above 20)"),
}


def check_torch(tfn, x, y, d, skip_zero):
    """PyTorch's value and derivative agree with the numpy reference, except
    at exactly 0 where skip_zero says Keras's convention differs."""
    t = torch.tensor(x, requires_grad=True)
    out = tfn(t)
    out.backward(torch.ones_like(out))
    keep = np.ones(len(x), dtype=bool)
    if skip_zero:
        keep = x != 0
    fixtures.close(out.detach().numpy()[keep], y[keep])
    fixtures.close(t.grad.numpy()[keep], d[keep])


def case(name, dtype, layer, shape, x, y, dx, dy, source, weights=None, dweights=None):
    c = {
        "name": name, "dtype": dtype, "source": source,
        "layer": layer, "input_shape": list(shape[1:]), "batch": shape[0],
        "x": fixtures.flat(x, dtype), "y": fixtures.flat(y, dtype),
        "dy": fixtures.flat(dy, dtype), "dx": fixtures.flat(dx, dtype),
    }
    c.update(fixtures.TOL[dtype])
    if weights:
        c["weights"] = weights
        c["dweights"] = dweights
    return c


def main():
    cases = []
    shape = (4, 6)
    for dtype in ("float64", "float32"):
        for label, base in (("edge", EDGE), ("random", RANDOM)):
            x = fixtures.rounded(base, dtype)
            dy = fixtures.rounded(np.round(rng.standard_normal(x.size), 6), dtype)
            for name, (ref, tfn, src) in ELEMENTWISE.items():
                y, d = ref(x)
                check_torch(tfn, x, y, d, skip_zero=name == "selu")
                layer = {"kind": "activation", "config": {"activation": name}}
                cases.append(case("%s/%s/%s" % (name, label, dtype), dtype, layer, shape,
                                  x.reshape(shape), y.reshape(shape), (d * dy).reshape(shape), dy, src))
            xs = x.reshape(shape)
            s, dx = softmax_vjp(xs, dy.reshape(shape))
            t = torch.tensor(xs, requires_grad=True)
            out = torch.softmax(t, -1)
            out.backward(torch.tensor(dy.reshape(shape)))
            fixtures.close(out.detach().numpy(), s)
            fixtures.close(t.grad.numpy(), dx)
            cases.append(case("softmax/%s/%s" % (label, dtype), dtype, {"kind": "activation", "config": {"activation": "softmax"}},
                              shape, xs, s, dx, dy, ACT + " softmax; torch.softmax"))

            # The activation layers' options.
            lay = "keras/src/layers/activations/"
            options = [
                ("leaky_relu", {}, leaky(0.3), lay + "leaky_relu.py (default negative_slope 0.3)"),
                ("leaky_relu", {"negative_slope": 0.0}, leaky(0.0), lay + "leaky_relu.py"),
                ("leaky_relu", {"negative_slope": 0.1}, leaky(0.1), lay + "leaky_relu.py"),
                ("leaky_relu", {"negative_slope": 1.5}, leaky(1.5), lay + "leaky_relu.py"),
                ("elu", {}, elu(1.0), lay + "elu.py"),
                ("elu", {"alpha": 0.5}, elu(0.5), lay + "elu.py; keras/src/backend/tensorflow/nn.py elu"),
                ("elu", {"alpha": 2.0}, elu(2.0), lay + "elu.py; keras/src/backend/tensorflow/nn.py elu"),
                ("relu", {}, relu_opts(), lay + "relu.py"),
                ("relu", {"max_value": 6.0}, relu_opts(max_value=6.0), lay + "relu.py; " + TF + " Relu6Grad"),
                ("relu", {"max_value": 1.0}, relu_opts(max_value=1.0), lay + "relu.py; " + ACT + " relu (clip)"),
                ("relu", {"max_value": 1.0, "threshold": 0.5}, relu_opts(max_value=1.0, threshold=0.5), lay + "relu.py; " + ACT + " relu"),
                ("relu", {"negative_slope": 0.1}, relu_opts(slope=0.1), lay + "relu.py; " + ACT + " relu (leaky_relu)"),
                ("relu", {"negative_slope": 0.1, "threshold": 0.5}, relu_opts(slope=0.1, threshold=0.5), lay + "relu.py; " + ACT + " relu"),
                ("relu", {"negative_slope": 0.2, "max_value": 6.0, "threshold": 1.0}, relu_opts(slope=0.2, max_value=6.0, threshold=1.0), lay + "relu.py; " + ACT + " relu"),
                ("relu", {"threshold": 1.0}, relu_opts(threshold=1.0), lay + "relu.py; " + ACT + " relu"),
            ]
            for kind, cfg, ref, src in options:
                y, d = ref(x)
                if kind == "leaky_relu":
                    check_torch(lambda t: torch.nn.functional.leaky_relu(t, cfg.get("negative_slope", 0.3)), x, y, d, False)
                if kind == "elu":
                    check_torch(lambda t: torch.nn.functional.elu(t, cfg.get("alpha", 1.0)), x, y, d, False)
                if kind == "relu" and cfg == {"max_value": 6.0}:
                    check_torch(torch.nn.functional.relu6, x, y, d, False)
                opt = ",".join("%s=%g" % kv for kv in sorted(cfg.items())) or "default"
                cases.append(case("%s_layer[%s]/%s/%s" % (kind, opt, label, dtype), dtype, {"kind": kind, "config": cfg},
                                  shape, x.reshape(shape), y.reshape(shape), (d * dy).reshape(shape), dy, src))

            # PReLU: a learned slope per input value, relu(x) - alpha relu(-x).
            pshape = (2, 3, 4)
            alpha = fixtures.rounded(np.round(rng.standard_normal(12) * 0.5, 6), dtype).reshape(3, 4)
            xp = x.reshape(pshape)
            t = torch.tensor(xp, requires_grad=True)
            a = torch.tensor(alpha, requires_grad=True)
            out = torch.relu(t) - a * torch.relu(-t)
            out.backward(torch.tensor(dy.reshape(pshape)))
            w = [{"name": "alpha", "shape": [3, 4], "values": fixtures.flat(alpha, dtype)}]
            dw = [{"name": "alpha", "shape": [3, 4], "values": fixtures.flat(a.grad.numpy(), dtype)}]
            cases.append(case("prelu/%s/%s" % (label, dtype), dtype, {"kind": "prelu"}, pshape, xp, out.detach().numpy(),
                              t.grad.numpy(), dy, "keras/src/layers/activations/prelu.py; torch autograd", w, dw))
    fixtures.write("activations", "gen_activations.py", cases)


if __name__ == "__main__":
    main()
