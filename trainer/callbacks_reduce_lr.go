package trainer

import (
	"math"

	"github.com/pkg/errors"
)

// ReduceLROnPlateau lowers the learning rate when a monitored value has
// stopped improving, as Keras's ReduceLROnPlateau: at the end of an epoch
// that ends Patience epochs in a row without an improvement of more than
// MinDelta, the rate becomes max(rate*Factor, MinLR), unless it is already
// at MinLR; then Cooldown epochs pass before epochs count again. The rate
// is changed with the solver's SetLearningRate, which keeps the
// optimizer's state (Adam's moments, momentum); a solver that ignores it
// (an optimizer whose rate follows its own Schedule) is an error at the
// start of Fit. Its zero value watches "val_loss" with Keras's defaults.
type ReduceLROnPlateau struct {
	// Monitor is the logged name to watch; empty means "val_loss". A name
	// Fit does not log is an error at the start of Fit that lists the names
	// it does.
	Monitor string
	// Factor, in (0, 1), multiplies the rate at each reduction; zero means
	// 0.1.
	Factor float64
	// Patience, >= 0, is the number of epochs without improvement after
	// which the rate falls; zero means 10, Keras's default. (As in Keras,
	// patience 1 reduces at the first epoch without improvement, and so
	// would 0.)
	Patience int
	// Mode says whether Monitor improves by falling or rising; the zero
	// value, ModeAuto, infers it from the name.
	Mode MonitorMode
	// MinDelta, >= 0, is the least change that counts as an improvement;
	// zero means 1e-4, Keras's default (set a tiny value such as 1e-300
	// for none).
	MinDelta float64
	// Cooldown, >= 0, is the number of epochs after a reduction during
	// which epochs without improvement do not count; zero means none.
	Cooldown int
	// MinLR, >= 0, is the least rate a reduction sets; zero means 0.
	MinLR float64

	mon      monitor
	factor   float64
	patience int
	best     float64
	wait     int
	cooldown int
}

var _ Callback = (*ReduceLROnPlateau)(nil)

// On watches the monitored value at the end of each epoch and lowers the
// solver's rate.
func (r *ReduceLROnPlateau) On(e *Event) error {
	switch e.Kind {
	case TrainBegin:
		return r.begin(e)
	case EpochEnd:
		return r.epochEnd(e)
	}
	return nil
}

func (r *ReduceLROnPlateau) begin(e *Event) error {
	const what = "reduce lr on plateau"
	factor := r.Factor
	if factor == 0 {
		factor = 0.1
	}
	if !(factor > 0 && factor < 1) {
		return errors.Errorf("%s: factor must be in (0, 1), got %v", what, r.Factor)
	}
	patience := r.Patience
	if patience == 0 {
		patience = 10
	}
	if patience < 0 {
		return errors.Errorf("%s: patience must be >= 0, got %d", what, r.Patience)
	}
	if r.Cooldown < 0 {
		return errors.Errorf("%s: cooldown must be >= 0, got %d", what, r.Cooldown)
	}
	if !(r.MinLR >= 0) || math.IsInf(r.MinLR, 0) {
		return errors.Errorf("%s: min lr must be a finite rate >= 0, got %v", what, r.MinLR)
	}
	minDelta := r.MinDelta
	if minDelta == 0 {
		minDelta = 1e-4
	}
	mon, err := newMonitor(what, r.Monitor, r.Mode, minDelta, e.Names)
	if err != nil {
		return err
	}
	if e.Solver == nil {
		return errors.Errorf("%s: no solver to change the rate of", what)
	}
	if !settable(e.Solver) {
		return errors.Errorf("%s: the solver ignores SetLearningRate: its rate follows the optimizer's schedule", what)
	}
	r.mon, r.factor, r.patience = mon, factor, patience
	r.best, r.wait, r.cooldown = mon.worst(), 0, 0
	return nil
}

func (r *ReduceLROnPlateau) epochEnd(e *Event) error {
	cur, err := r.mon.value("reduce lr on plateau", e)
	if err != nil {
		return err
	}
	if r.cooldown > 0 {
		r.cooldown--
		r.wait = 0
	}
	if r.mon.better(cur, r.best) {
		r.best, r.wait = cur, 0
		return nil
	}
	if r.cooldown > 0 {
		return nil
	}
	if r.wait++; r.wait < r.patience {
		return nil
	}
	if lr := e.Solver.LearningRate(); lr > r.MinLR {
		e.Solver.SetLearningRate(max(lr*r.factor, r.MinLR))
		r.cooldown, r.wait = r.Cooldown, 0
	}
	return nil
}
