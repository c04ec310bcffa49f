#!/usr/bin/env bash
# Regenerates every parity fixture (testdata/<area>.json) from its generator
# (gen_<area>.py) with Debian's python3-torch and python3-numpy. The
# generators are deterministic: CI runs this and fails when
# `git diff --exit-code parity/testdata` shows a change.
set -euo pipefail
cd "$(dirname "$0")"
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
for gen in gen_*.py; do
  /usr/bin/python3 "$gen"
done
