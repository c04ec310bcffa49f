package trainer

import (
	"time"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/optimizers"
)

// EventKind says where in training an Event happens.
type EventKind int

const (
	TrainBegin EventKind = iota
	EpochBegin
	BatchBegin
	BatchEnd
	EpochEnd
	TrainEnd
)

// Event is what a Callback sees. Epoch and Batch count from 0.
type Event struct {
	Kind   EventKind
	Epoch  int
	Epochs int
	// Batch is the batch just trained (BatchEnd) and Steps the number of
	// batches in an epoch.
	Batch, Steps int
	// Samples is the number of samples trained so far in this epoch, of
	// TotalSamples.
	Samples, TotalSamples int
	// Elapsed is the time since the epoch began.
	Elapsed time.Duration
	// Logs holds the running means at BatchEnd, the epoch's results (with
	// val_ entries) at EpochEnd.
	Logs Logs
	// Names lists the keys of Logs in display order: loss, the metrics, then
	// their val_ counterparts.
	Names []string
	// Model is the model being trained (a Model for Fit, the Stepper for
	// FitSteps). Callbacks find what it can do by type assertion: Weighted
	// (its weights, to keep and restore the best), Saver (to save it).
	Model any
	// Solver is the optimizer's solver: callbacks change its learning rate
	// between steps without touching its state.
	Solver optimizers.Solver
	// Step is the number of training steps (batches) taken in this Fit.
	Step int
	// Rank is this process's rank in data-parallel training (FitConfig's
	// Comm), 0 otherwise: callbacks that write files write on rank 0 only.
	Rank int
}

// Weighted is a Model whose weights callbacks can read and write.
type Weighted interface {
	Weights() []*layers.Weight
}

// Saver is a Model that can save itself (a directory, or a zip when path
// ends in ".zip").
type Saver interface {
	Save(path string) error
}

// Logs maps a metric name ("loss", "accuracy", "val_loss") to its value.
type Logs map[string]float64

// Callback is told of each Event of Fit. Returning ErrStop ends training
// cleanly after the current step; any other error ends it with that error.
type Callback interface {
	On(e *Event) error
}

// CallbackFunc adapts a function to a Callback.
type CallbackFunc func(e *Event) error

// On calls f.
func (f CallbackFunc) On(e *Event) error { return f(e) }

// ErrStop is returned by a callback to stop training without an error.
var ErrStop = errors.New("stop training")
