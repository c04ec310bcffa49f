// Package parity checks Profundo against PyTorch and, where Keras's
// definition differs from PyTorch's, against Keras 3's formulas written in
// numpy: values, gradients and update rules, in float64 and float32, at
// edge values (exactly 0, large magnitudes, probabilities 0 and 1, masks,
// padding).
//
// Each area has a generator, gen_<area>.py (run by Debian's /usr/bin/python3
// with python3-torch and python3-numpy; deterministic), that writes its
// fixture, testdata/<area>.json, and a Go test, <area>_test.go, that runs
// every case of the fixture through Profundo's public API and compares with
// the tolerances the case states. regen.sh runs every generator; CI runs it
// and fails when the committed fixtures change.
//
// A fixture is {"generator": ..., "cases": [...]}; every case has a name,
// a dtype ("float32" or "float64"), its tolerances (rtol, atol: a value
// passes when |got - want| <= atol + rtol |want|) and the source its
// reference follows (a PyTorch function or a file of Keras's source).
// Gradients come from models.Gradients, with a loss that is the dot
// product of the model's output and the case's upstream gradient dy, so
// that the gradient with respect to the input is dy times the Jacobian.
package parity
