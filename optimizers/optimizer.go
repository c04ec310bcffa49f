// Package optimizers holds the gradient-descent optimizers, with Keras's
// defaults and update rules. Each one is a configuration struct whose zero
// fields mean the Keras default; NewSolver makes the stateful Gorgonia solver
// that updates the weights in place.
package optimizers

import "gorgonia.org/gorgonia"

// Optimizer is an optimizer's configuration.
type Optimizer interface {
	// Name is the optimizer's name in saved models: "adam".
	Name() string
	// NewSolver returns a fresh solver with this configuration, or an error
	// naming the bad field and value.
	NewSolver() (Solver, error)
}

// Solver is a gorgonia.Solver that updates weights in place from their
// gradients and then zeroes the gradients. Its learning rate can be changed
// between steps without losing its state (moments, velocities).
type Solver interface {
	gorgonia.Solver
	LearningRate() float64
	SetLearningRate(lr float64)
}
