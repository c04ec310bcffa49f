#!/usr/bin/env bash
# Regenerates every parity fixture (testdata/<area>.json) from its generator
# (gen_<area>.py) with Debian's python3-torch and python3-numpy. The
# generators are deterministic: CI runs this and fails when
# `git diff --exit-code parity/testdata` shows a change.
set -euo pipefail
cd "$(dirname "$0")"
# One thread and one kernel family: PyTorch's float64 products go through
# OpenBLAS, whose kernels (chosen per CPU) round differently; Haswell's
# (AVX2) run on every x86-64 CPU that Profundo's own GEMM runs on, so the
# fixtures come out bit for bit the same on any of them.
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=Haswell
for gen in gen_*.py; do
  /usr/bin/python3 "$gen"
done
