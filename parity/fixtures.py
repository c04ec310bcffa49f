"""Shared helpers of the parity generators (gen_*.py): deterministic JSON
fixtures, float32 rounding, and the versions of the tools that made them."""

import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# Tolerances: a value passes when |got - want| <= atol + rtol * |want|.
TOL = {
    "float64": {"rtol": 1e-12, "atol": 1e-14},
    "float32": {"rtol": 2e-6, "atol": 2e-6},
}


def num(v):
    """A JSON-safe float: finite numbers as the shortest repr that round-trips,
    and "nan", "inf", "-inf" for the others."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def flat(a, dtype):
    """a as a flat list, rounded to dtype ("float32" rounds once)."""
    a = np.asarray(a, dtype=np.float64)
    if dtype == "float32":
        a = a.astype(np.float32).astype(np.float64)
    return [num(v) for v in a.reshape(-1)]


def rounded(a, dtype):
    """a rounded to dtype and back to float64, for inputs and weights."""
    a = np.asarray(a, dtype=np.float64)
    if dtype == "float32":
        return a.astype(np.float32).astype(np.float64)
    return a


def write(area, generator, cases):
    """Writes testdata/<area>.json, one case per line so diffs stay readable."""
    path = os.path.join(HERE, "testdata", area + ".json")
    head = {
        "generator": generator,
        "versions": {"torch": torch.__version__.split("+")[0], "numpy": np.__version__},
    }
    lines = ["{", '"generator": %s,' % json.dumps(head["generator"]),
             '"versions": %s,' % json.dumps(head["versions"], sort_keys=True),
             '"cases": [']
    for i, c in enumerate(cases):
        sep = "," if i + 1 < len(cases) else ""
        lines.append(json.dumps(c, sort_keys=True, allow_nan=False) + sep)
    lines.append("]}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%s: %d cases" % (path, len(cases)))


def close(a, b, rtol=1e-10, atol=1e-12):
    """Asserts numpy and PyTorch agree where both define the function."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ok = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    if not ok.all():
        i = int(np.argmin(ok.reshape(-1)))
        raise AssertionError("reference mismatch at %d: %r vs %r" % (i, a.reshape(-1)[i], b.reshape(-1)[i]))
