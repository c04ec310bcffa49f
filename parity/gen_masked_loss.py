"""Writes testdata/masked_loss.json: Embedding(mask_zero=True) ->
LSTM(return_sequences=True) -> mean squared error, with ids padded by zeros,
as Keras 3 computes the loss: the masked steps are left out
(keras/src/losses/loss.py, apply_mask with the reduction
sum_over_batch_size: sum(loss * mask) / (sum(mask) + backend.epsilon())),
with the loss averaged over every step beside it for contrast.

The model runs in numpy, float64, with Keras's LSTM (keras/src/layers/rnn/
lstm.py: gates i, f, c, o in that order in the kernel's columns, sigmoid and
tanh, the state carried over masked steps) from weights drawn here, in
Keras's layout."""

import numpy as np

import fixtures

rng = np.random.RandomState(2121)
EPS = 1e-7
SRC = "keras/src/losses/loss.py (apply_mask), keras/src/layers/rnn/lstm.py"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm(x, mask, kernel, rec, bias):
    n, steps, _ = x.shape
    units = rec.shape[0]
    h = np.zeros((n, units))
    c = np.zeros((n, units))
    out = np.zeros((n, steps, units))
    for t in range(steps):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h_new = sigmoid(o) * np.tanh(c_new)
        m = mask[:, t:t + 1]
        h = m * h_new + (1 - m) * h
        c = m * c_new + (1 - m) * c
        out[:, t] = h  # at a masked step, the last output, as Keras
    return out


def case(name, dtype, n, steps, vocab, dim, units):
    r = fixtures.rounded
    lengths = rng.randint(1, steps + 1, size=n)
    lengths[0] = steps
    ids = np.zeros((n, steps))
    for s, l in enumerate(lengths):
        ids[s, :l] = rng.randint(1, vocab, size=l)
    mask = (ids != 0).astype(np.float64)
    emb = r(rng.uniform(-0.5, 0.5, size=(vocab, dim)), dtype)
    kernel = r(rng.uniform(-0.6, 0.6, size=(dim, 4 * units)), dtype)
    rec = r(rng.uniform(-0.6, 0.6, size=(units, 4 * units)), dtype)
    bias = r(rng.uniform(-0.2, 0.2, size=4 * units), dtype)
    y = r(rng.normal(size=(n, steps, units)), dtype)  # targets at padded steps too
    pred = lstm(emb[ids.astype(int)], mask, kernel, rec, bias)
    per_step = ((pred - y) ** 2).mean(-1)
    loss = (per_step * mask).sum() / (mask.sum() + EPS)
    tol = fixtures.TOL[dtype] if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-6}
    return {
        "name": name, "dtype": dtype, "source": SRC, **tol,
        "n": n, "steps": steps, "vocab": vocab, "dim": dim, "units": units,
        "ids": ids.reshape(-1).tolist(),
        "embeddings": fixtures.flat(emb, "float64"),
        "kernel": fixtures.flat(kernel, "float64"),
        "recurrent_kernel": fixtures.flat(rec, "float64"),
        "bias": fixtures.flat(bias, "float64"),
        "y": fixtures.flat(y, "float64"),
        "loss": fixtures.num(loss),
        "loss_every_step": fixtures.num(per_step.mean()),
    }


cases = []
for dtype in ("float64", "float32"):
    cases.append(case("n4_t5_" + dtype, dtype, 4, 5, 10, 4, 3))
    cases.append(case("n6_t12_" + dtype, dtype, 6, 12, 20, 5, 4))
fixtures.write("masked_loss", "gen_masked_loss.py", cases)
