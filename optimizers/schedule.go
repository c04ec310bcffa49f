package optimizers

import (
	"math"

	"github.com/pkg/errors"
)

// Schedule gives the learning rate of each step, as Keras's
// LearningRateSchedule does. Set it as an optimizer's Schedule field: the
// solver then asks it for the rate at the start of every Step, keeping its
// moments and velocities, and ignores LearningRate.
//
// The schedules of this package (ExponentialDecay, PiecewiseConstantDecay,
// PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts) have
// Validate methods that NewSolver calls and can be saved with the optimizer
// (see MarshalSchedule); a ScheduleFunc can be used but not saved.
type Schedule interface {
	// Rate returns the learning rate of the step about to be taken, step
	// counting the steps already taken from 0, as Keras passes
	// optimizer.iterations. A solver refuses a rate that is negative, NaN or
	// infinite; zero is a step that leaves the weights as they are.
	Rate(step int) float64
}

// ScheduleFunc adapts a function to Schedule.
type ScheduleFunc func(step int) float64

// Rate returns f(step).
func (f ScheduleFunc) Rate(step int) float64 { return f(step) }

// Scheduled is implemented by this package's solvers: Schedule returns the
// schedule that sets their rate, or nil when LearningRate does. Code that
// changes the rate between steps (a callback reducing it on a plateau) can
// use it to tell that SetLearningRate would have no effect.
type Scheduled interface {
	Schedule() Schedule
}

// validator is what the schedules of this package implement.
type validator interface{ Validate() error }

// Compile-time checks that every schedule satisfies the contract.
var (
	_ Schedule = ExponentialDecay{}
	_ Schedule = PiecewiseConstantDecay{}
	_ Schedule = PolynomialDecay{}
	_ Schedule = InverseTimeDecay{}
	_ Schedule = CosineDecay{}
	_ Schedule = CosineDecayRestarts{}
	_ Schedule = ScheduleFunc(nil)

	_ validator = ExponentialDecay{}
	_ validator = PiecewiseConstantDecay{}
	_ validator = PolynomialDecay{}
	_ validator = InverseTimeDecay{}
	_ validator = CosineDecay{}
	_ validator = CosineDecayRestarts{}
)

// validateSchedule checks s when it can check itself; opt names the
// optimizer in the error.
func validateSchedule(opt string, s Schedule) error {
	if s == nil {
		return nil
	}
	if f, ok := s.(ScheduleFunc); ok && f == nil {
		return errors.Errorf("%s: Schedule is a nil ScheduleFunc", opt)
	}
	if v, ok := s.(validator); ok {
		if err := v.Validate(); err != nil {
			return errors.Wrapf(err, "%s: Schedule", opt)
		}
	}
	return nil
}

// scheduledRate asks s for the rate of step and returns an error naming the
// optimizer, the step and the value when it is negative, NaN or infinite.
func scheduledRate(opt string, s Schedule, step int) (float64, error) {
	lr := s.Rate(step)
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return 0, errors.Errorf("%s: schedule %T gives learning rate %v at step %d, want >= 0 and finite", opt, s, lr, step)
	}
	return lr, nil
}

// checkSteps returns an error naming the schedule, field and value unless
// steps > 0.
func checkSteps(sched, field string, steps int) error {
	if steps <= 0 {
		return errors.Errorf("%s: %s must be > 0, got %d", sched, field, steps)
	}
	return nil
}

// checkInitial returns an error naming the schedule and value unless
// InitialLearningRate is > 0 and finite: the schedules that only scale it
// would give 0 at every step.
func checkInitial(sched string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return errors.Errorf("%s: InitialLearningRate must be > 0 and finite, got %v", sched, v)
	}
	return nil
}

// checkRate returns an error naming the schedule, field and value unless v
// is >= 0 and finite.
func checkRate(sched, field string, v float64) error {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.Errorf("%s: %s must be >= 0 and finite, got %v", sched, field, v)
	}
	return nil
}
