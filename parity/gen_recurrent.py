#!/usr/bin/python3
"""Writes parity/testdata/recurrent.json: PyTorch's recurrent cells against
Profundo's SimpleRNN, LSTM and GRU (recurrent_test.go).

Run with Debian's interpreter (python3-torch, python3-numpy):

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 parity/gen_recurrent.py

Every case holds, in Keras's layout (Profundo's), the weights, the input
x [batch, steps, features], the mask [batch, steps] (1 valid, 0 padding),
the initial states, the output of every step [batch, steps, units], the
final states, and the gradients of

    cost = sum(out * R) + sum(h_n * Q) (+ sum(c_n * Q_c) for LSTM)

with respect to x, the initial states and the weights, in float64 and in
float32. The cells are PyTorch's own (torch.rnn_tanh_cell, torch.lstm_cell,
torch.gru_cell, the kernels of nn.RNN, nn.LSTM and nn.GRU), run step by
step with Keras's masking (keras/src/layers/rnn/rnn.py: a padded step keeps
the states and outputs them again). The unmasked cases are checked against
nn.RNN / nn.LSTM / nn.GRU over the whole sequence. Keras's GRU with
reset_after=False, which PyTorch does not have, follows Keras's GRUCell
(keras/src/layers/rnn/gru.py) written with torch operations.

Keras's layout from PyTorch's: kernel = weight_ih transposed, recurrent
kernel = weight_hh transposed, gate blocks reordered for GRU (Keras z, r, h
are PyTorch's blocks 1, 0, 2; LSTM's i, f, g, o are the same in both); the
LSTM and SimpleRNN bias is bias_ih + bias_hh, GRU's (reset_after=True) has
the rows bias_ih and bias_hh. Here the weights are created in Keras's
layout and PyTorch's are derived from them by differentiable operations, so
the gradients come out in Keras's layout.
"""
import json
import os

import numpy as np
import torch

BATCH, FEATURES, UNITS = 3, 3, 4
STEPS = [1, 5, 50]
CELLS = ["simple_rnn", "lstm", "gru", "gru_reset_before"]
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3, "gru_reset_before": 3}


def gru_blocks(w):
    """Keras's z, r, h blocks of the last axis -> PyTorch's r, z, n."""
    u = w.shape[-1] // 3
    return torch.cat([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], dim=-1)


def mask_for(steps, rng):
    m = np.ones((BATCH, steps))
    if steps > 1:
        m[1, steps - max(1, steps // 3):] = 0  # right padding
        m[2, : max(1, steps // 4)] = 0         # left padding
        m[2, steps // 2] = 0                   # a gap
    return m


def run(cell, kernel, rec, bias, x, mask, h0, c0):
    """The outputs of every step and the final states, Keras's masking."""
    steps = x.shape[1]
    h, c = h0, c0
    outs = []
    for t in range(steps):
        xt = x[:, t]
        if cell == "simple_rnn":
            hn = torch.rnn_tanh_cell(xt, h, kernel.T, rec.T, bias, torch.zeros_like(bias))
            cn = None
        elif cell == "lstm":
            hn, cn = torch.lstm_cell(xt, (h, c), kernel.T, rec.T, bias, torch.zeros_like(bias))
        elif cell == "gru":
            hn = torch.gru_cell(xt, h, gru_blocks(kernel).T, gru_blocks(rec).T, gru_blocks(bias[0]), gru_blocks(bias[1]))
            cn = None
        else:  # Keras's GRUCell with reset_after=False
            u = UNITS
            xp = xt @ kernel + bias
            z = torch.sigmoid(xp[:, :u] + h @ rec[:, :u])
            r = torch.sigmoid(xp[:, u:2 * u] + h @ rec[:, u:2 * u])
            hh = torch.tanh(xp[:, 2 * u:] + (r * h) @ rec[:, 2 * u:])
            hn = z * h + (1 - z) * hh
            cn = None
        m = mask[:, t:t + 1]
        h = m * hn + (1 - m) * h
        if c is not None:
            c = m * cn + (1 - m) * c
        outs.append(h)
    return torch.stack(outs, dim=1), h, c


def whole_sequence(cell, kernel, rec, bias, x, h0, c0):
    """nn.RNN / nn.LSTM / nn.GRU over the whole (unmasked) sequence."""
    with torch.no_grad():
        if cell == "simple_rnn":
            m = torch.nn.RNN(FEATURES, UNITS, batch_first=True).to(x.dtype)
            m.weight_ih_l0.copy_(kernel.T), m.weight_hh_l0.copy_(rec.T)
            m.bias_ih_l0.copy_(bias), m.bias_hh_l0.zero_()
            out, hn = m(x, h0[None])
            return out, hn[0], None
        if cell == "lstm":
            m = torch.nn.LSTM(FEATURES, UNITS, batch_first=True).to(x.dtype)
            m.weight_ih_l0.copy_(kernel.T), m.weight_hh_l0.copy_(rec.T)
            m.bias_ih_l0.copy_(bias), m.bias_hh_l0.zero_()
            out, (hn, cn) = m(x, (h0[None], c0[None]))
            return out, hn[0], cn[0]
        m = torch.nn.GRU(FEATURES, UNITS, batch_first=True).to(x.dtype)
        m.weight_ih_l0.copy_(gru_blocks(kernel).T), m.weight_hh_l0.copy_(gru_blocks(rec).T)
        m.bias_ih_l0.copy_(gru_blocks(bias[0])), m.bias_hh_l0.copy_(gru_blocks(bias[1]))
        out, hn = m(x, h0[None])
        return out, hn[0], None


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(cell, steps, masked, dtype, seed):
    rng = np.random.default_rng(seed)
    g = GATES[cell]

    def leaf(*shape, scale=0.6):
        return torch.tensor(rng.uniform(-scale, scale, shape), dtype=dtype, requires_grad=True)

    kernel = leaf(FEATURES, g * UNITS)
    rec = leaf(UNITS, g * UNITS)
    bias = leaf(2, g * UNITS) if cell == "gru" else leaf(g * UNITS)
    x = leaf(BATCH, steps, FEATURES, scale=1.5)
    h0 = leaf(BATCH, UNITS)
    c0 = leaf(BATCH, UNITS) if cell == "lstm" else None
    mask_np = mask_for(steps, rng) if masked else np.ones((BATCH, steps))
    mask = torch.tensor(mask_np, dtype=dtype)
    R = torch.tensor(rng.uniform(-1, 1, (BATCH, steps, UNITS)), dtype=dtype)
    Q = torch.tensor(rng.uniform(-1, 1, (BATCH, UNITS)), dtype=dtype)
    Qc = torch.tensor(rng.uniform(-1, 1, (BATCH, UNITS)), dtype=dtype)

    out, hn, cn = run(cell, kernel, rec, bias, x, mask, h0, c0)
    if not masked and cell != "gru_reset_before":
        wo, wh, wc = whole_sequence(cell, kernel, rec, bias, x, h0, c0)
        tol = 1e-12 if dtype == torch.float64 else 1e-5
        assert torch.allclose(wo, out, atol=tol) and torch.allclose(wh, hn, atol=tol), cell
        if wc is not None:
            assert torch.allclose(wc, cn, atol=tol)
    cost = (out * R).sum() + (hn * Q).sum()
    if cn is not None:
        cost = cost + (cn * Qc).sum()
    cost.backward()
    d = {
        "cell": cell, "steps": steps, "masked": masked,
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "kernel": flat(kernel), "recurrent_kernel": flat(rec), "bias": flat(bias),
        "x": flat(x), "mask": [float(v) for v in mask_np.reshape(-1)], "h0": flat(h0),
        "r": flat(R), "q": flat(Q),
        "out": flat(out), "h_n": flat(hn),
        "d_x": flat(x.grad), "d_h0": flat(h0.grad), "d_kernel": flat(kernel.grad),
        "d_recurrent_kernel": flat(rec.grad), "d_bias": flat(bias.grad),
    }
    if cell == "lstm":
        d.update({"c0": flat(c0), "q_c": flat(Qc), "c_n": flat(cn), "d_c0": flat(c0.grad)})
    return d


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    cases = []
    seed = 1
    for cell in CELLS:
        for steps in STEPS:
            for masked in (False, True):
                for dtype in (torch.float64, torch.float32):
                    cases.append(case(cell, steps, masked, dtype, seed))
                seed += 1
    doc = {
        "generator": "parity/gen_recurrent.py",
        "torch": torch.__version__.split("+")[0],
        "batch": BATCH, "features": FEATURES, "units": UNITS,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "recurrent.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
