#!/usr/bin/python3
"""Fixtures for parity/attention_test.go: PyTorch's nn.MultiheadAttention
(batch_first) on seeded inputs and weights, with causal and key padding
masks, in float64 and float32, written to parity/testdata/attention.json.

Run with Debian's interpreter and python3-torch:

    OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 parity/gen_attention.py

The weights are stored as PyTorch holds them (in_proj_weight [3E, E],
in_proj_bias [3E], out_proj.weight [E, E], out_proj.bias [E]); the Go test
converts them to MultiHeadAttention's kernels (the transposes of the
query, key and value thirds and of out_proj.weight).
"""
import json
import os

import numpy as np
import torch

CASES = [
    # name, batch, tq, tk, embed, heads, causal, padding
    ("self", 2, 5, 5, 8, 2, False, False),
    ("causal", 2, 6, 6, 8, 4, True, False),
    ("padding", 3, 6, 6, 6, 3, False, True),
    ("causal_padding", 2, 5, 5, 8, 2, True, True),
    ("cross", 2, 3, 7, 4, 1, False, True),
]


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def case(name, batch, tq, tk, embed, heads, causal, padding, dtype):
    torch.manual_seed(len(name) * 1000 + batch * 100 + tq * 10 + tk)
    mha = torch.nn.MultiheadAttention(embed, heads, batch_first=True, dtype=dtype)
    with torch.no_grad():
        # Non-zero biases, so that their conversion is tested too.
        mha.in_proj_bias.uniform_(-0.5, 0.5)
        mha.out_proj.bias.uniform_(-0.5, 0.5)
    q = torch.randn(batch, tq, embed, dtype=dtype)
    if name.startswith("cross"):
        kv = torch.randn(batch, tk, embed, dtype=dtype)
    else:
        kv = q
    attn_mask = None
    if causal:
        attn_mask = torch.triu(torch.ones(tq, tk, dtype=torch.bool), diagonal=1)
    key_padding = None
    keep = np.ones((batch, tk))
    if padding:
        # Sample n pads its last n keys (never all of them).
        for n in range(batch):
            for j in range(tk - n % tk, tk):
                keep[n, j] = 0
        key_padding = torch.tensor(keep == 0)
    out, scores = mha(q, kv, kv, key_padding_mask=key_padding, attn_mask=attn_mask,
                      need_weights=True, average_attn_weights=False)
    return {
        "name": name,
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "batch": batch, "tq": tq, "tk": tk, "embed": embed, "heads": heads,
        "causal": causal, "self": not name.startswith("cross"),
        "key_mask": [float(x) for x in keep.reshape(-1)],
        "query": flat(q), "value": flat(kv),
        "in_proj_weight": flat(mha.in_proj_weight), "in_proj_bias": flat(mha.in_proj_bias),
        "out_proj_weight": flat(mha.out_proj.weight), "out_proj_bias": flat(mha.out_proj.bias),
        "output": flat(out), "scores": flat(scores),
    }


def main():
    torch.set_num_threads(1)
    cases = []
    for dtype in (torch.float64, torch.float32):
        for c in CASES:
            cases.append(case(*c, dtype=dtype))
    doc = {
        "generator": "parity/gen_attention.py",
        "torch": torch.__version__.split("+")[0],
        "environment": "OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3",
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "attention.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
