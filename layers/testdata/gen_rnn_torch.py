#!/usr/bin/python3
"""Writes rnn_torch.json, the PyTorch reference the recurrent layers' tests
compare with (recurrent_torch_test.go).

Run it from this directory with Debian's python3-torch (torch 1.13):

    /usr/bin/python3 gen_rnn_torch.py

It builds nn.RNN (tanh), nn.LSTM and nn.GRU, one layer, batch_first, in
float64, with torch's default initialization from a fixed seed, runs them on
fixed inputs from zero states and from given states, and a bidirectional
LSTM and GRU from zero states, and saves the weights (torch's names and
layout), the inputs and the outputs. Every tensor is a flat row-major list;
"shapes" gives the shapes.
"""

import json
import re

import torch

F, UNITS, T, BATCH = 3, 4, 5, 2


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def weights(m, suffix=""):
    return {
        name: flat(getattr(m, name + "_l0" + suffix))
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    }


def case(kind, m, x, states):
    """Runs m on x from zeros and from states; returns its record."""
    lstm = kind == "lstm"
    rec = weights(m)
    with torch.no_grad():
        out, hn = m(x)
        rec["out"] = flat(out)
        if lstm:
            rec["h_n"], rec["c_n"] = flat(hn[0][0]), flat(hn[1][0])
        else:
            rec["h_n"] = flat(hn[0])
        out, hn = m(x, states)
        rec["out_init"] = flat(out)
        if lstm:
            rec["h0"], rec["c0"] = flat(states[0][0]), flat(states[1][0])
            rec["h_n_init"], rec["c_n_init"] = flat(hn[0][0]), flat(hn[1][0])
        else:
            rec["h0"] = flat(states[0])
            rec["h_n_init"] = flat(hn[0])
    return rec


def bidi_case(m, x):
    rec = {"forward": weights(m), "backward": weights(m, "_reverse")}
    with torch.no_grad():
        out, _ = m(x)
    rec["out"] = flat(out)
    return rec


def main():
    torch.manual_seed(20240611)
    torch.set_default_dtype(torch.float64)
    x = torch.randn(BATCH, T, F)
    h0 = torch.randn(1, BATCH, UNITS)
    c0 = torch.randn(1, BATCH, UNITS)
    doc = {
        "torch": torch.__version__,
        "features": F,
        "units": UNITS,
        "steps": T,
        "batch": BATCH,
        "shapes": {
            "x": [BATCH, T, F],
            "weight_ih": ["gates*units", F],
            "weight_hh": ["gates*units", UNITS],
            "bias_ih": ["gates*units"],
            "bias_hh": ["gates*units"],
            "out": [BATCH, T, UNITS],
            "h_n, c_n, h0, c0": [BATCH, UNITS],
            "bidirectional out": [BATCH, T, 2 * UNITS],
        },
        "x": flat(x),
    }
    rnn = torch.nn.RNN(F, UNITS, nonlinearity="tanh", batch_first=True)
    doc["rnn"] = case("rnn", rnn, x, h0)
    lstm = torch.nn.LSTM(F, UNITS, batch_first=True)
    doc["lstm"] = case("lstm", lstm, x, (h0, c0))
    gru = torch.nn.GRU(F, UNITS, batch_first=True)
    doc["gru"] = case("gru", gru, x, h0)
    doc["bilstm"] = bidi_case(torch.nn.LSTM(F, UNITS, batch_first=True, bidirectional=True), x)
    doc["bigru"] = bidi_case(torch.nn.GRU(F, UNITS, batch_first=True, bidirectional=True), x)
    text = json.dumps(doc, indent=1)
    # One list a line.
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    with open("rnn_torch.json", "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
