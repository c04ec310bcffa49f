package trainer

import (
	"math"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/optimizers"
)

// LearningRateScheduler sets the learning rate at the start of each epoch
// from a schedule, as Keras's LearningRateScheduler. The rate is changed
// with the solver's SetLearningRate, which keeps the optimizer's state; a
// solver that ignores it (an optimizer whose rate follows its own Schedule)
// is an error at the start of Fit, as Keras refuses to set such a rate.
// Its zero value is not usable: Schedule is required.
type LearningRateScheduler struct {
	// Schedule returns the rate of epoch (counting from 0) given the current
	// rate. A result that is not a finite number > 0 stops Fit with an
	// error naming the epoch and the value. Required.
	Schedule func(epoch int, lr float64) float64
}

var _ Callback = (*LearningRateScheduler)(nil)

// On sets the solver's rate at the start of each epoch.
func (s *LearningRateScheduler) On(e *Event) error {
	const what = "learning rate scheduler"
	switch e.Kind {
	case TrainBegin:
		if s.Schedule == nil {
			return errors.Errorf("%s: schedule is nil", what)
		}
		if e.Solver == nil {
			return errors.Errorf("%s: no solver to change the rate of", what)
		}
		if !settable(e.Solver) {
			return errors.Errorf("%s: the solver ignores SetLearningRate: its rate follows the optimizer's schedule", what)
		}
	case EpochBegin:
		lr := e.Solver.LearningRate()
		next := s.Schedule(e.Epoch, lr)
		if !(next > 0) || math.IsInf(next, 0) {
			return errors.Errorf("%s: epoch %d: schedule(%d, %v) = %v, want a finite rate > 0", what, e.Epoch+1, e.Epoch, lr, next)
		}
		e.Solver.SetLearningRate(next)
	}
	return nil
}

// settable reports whether s takes a new rate. A solver whose rate follows
// an optimizer's schedule ignores SetLearningRate (so does Keras, which
// refuses to set the rate of an optimizer built on a schedule). The probe
// puts the rate back as it was.
func settable(s optimizers.Solver) bool {
	lr := s.LearningRate()
	probe := lr / 2
	if !(probe > 0) || math.IsInf(probe, 0) {
		probe = 0.5
	}
	s.SetLearningRate(probe)
	ok := s.LearningRate() == probe
	s.SetLearningRate(lr)
	return ok
}
