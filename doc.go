// Package profundo is a Keras-like deep-learning framework for Go, built on
// Gorgonia. The API lives in its packages: models (Sequential, Compile, Fit,
// Evaluate, Predict), layers, losses, optimizers, metrics, datasets and
// trainer; the profundo command is package cli, run by cmd/profundo (and by
// a program of one's own that adds its layer kinds).
//
// Imports point one way, from the packages users call to the building blocks:
//
//	cmd/profundo, examples/...   users of the public API
//	cli                          the profundo command -> tuner, serve, models
//	tuner, serve                 -> models
//	models                       -> trainer and below
//	trainer                      -> the building blocks
//	layers losses optimizers metrics datasets   never import each other
//	internal/...                 helpers for all of the above
//
// The test in this directory holds that direction.
package profundo
