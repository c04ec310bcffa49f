package trainer

import (
	"math"

	"github.com/pkg/errors"
)

// EarlyStopping stops training when a monitored value has stopped
// improving, as Keras 3's EarlyStopping. At the end of each epoch from
// StartFromEpoch on, a value that beats the best so far by more than
// MinDelta is an improvement; after Patience epochs in a row without one
// (the first non-improving epoch when Patience is 0), training stops
// cleanly with ErrStop. Its zero value watches "val_loss" with Keras's
// defaults.
//
// With RestoreBestWeights, the weights of the best epoch are kept (the
// model must be Weighted) and written back into the model when training
// stops early and, as Keras 3 does, when it ends after its last epoch, so
// the model leaves Fit with the weights that scored best. Training that
// ends with an error keeps its last weights.
//
// Fit stops at the first callback that returns ErrStop, so callbacks listed
// after an EarlyStopping are not told of the epoch it stops at: list a
// CSVLogger or a ModelCheckpoint before it to record that epoch too.
//
// An EarlyStopping can be reused: each Fit starts it afresh.
type EarlyStopping struct {
	// Monitor is the logged name to watch: "loss", a metric's name, or one
	// of those with "val_" (which needs validation data). Empty means
	// "val_loss". A name Fit does not log is an error at the start of Fit
	// that lists the names it does.
	Monitor string
	// MinDelta, >= 0, is the least change that counts as an improvement;
	// zero means any change does.
	MinDelta float64
	// Patience, >= 0, is the number of epochs without improvement after
	// which training stops; zero stops at the first such epoch.
	Patience int
	// Mode says whether Monitor improves by falling or rising; the zero
	// value, ModeAuto, infers it from the name.
	Mode MonitorMode
	// Baseline, when set, is a value to beat: an epoch that improves on the
	// best so far but not on Baseline does not reset the patience, so
	// training stops after Patience epochs unless Baseline is beaten. The
	// best weights are still those of the best epoch. Nil means none.
	Baseline *float64
	// RestoreBestWeights writes the best epoch's weights back into the
	// model when training ends; false leaves the last weights.
	RestoreBestWeights bool
	// StartFromEpoch, >= 0, is the number of epochs (counting from epoch 0)
	// to let pass before watching, a warm-up in which nothing is expected to
	// improve. Zero watches from the first epoch.
	StartFromEpoch int

	mon          monitor
	weights      Weighted
	wait         int
	best         float64
	bestEpoch    int
	stoppedEpoch int
	bestWeights  weightsCopy
	restored     bool
}

var _ Callback = (*EarlyStopping)(nil)

// On watches the monitored value at the end of each epoch.
func (s *EarlyStopping) On(e *Event) error {
	switch e.Kind {
	case TrainBegin:
		return s.begin(e)
	case EpochEnd:
		return s.epochEnd(e)
	case TrainEnd:
		return s.restore()
	}
	return nil
}

func (s *EarlyStopping) begin(e *Event) error {
	const what = "early stopping"
	if s.Patience < 0 {
		return errors.Errorf("%s: patience must be >= 0, got %d", what, s.Patience)
	}
	if s.StartFromEpoch < 0 {
		return errors.Errorf("%s: start from epoch must be >= 0, got %d", what, s.StartFromEpoch)
	}
	if s.Baseline != nil && math.IsNaN(*s.Baseline) {
		return errors.Errorf("%s: baseline must be a number, got %v", what, *s.Baseline)
	}
	mon, err := newMonitor(what, s.Monitor, s.Mode, s.MinDelta, e.Names)
	if err != nil {
		return err
	}
	s.weights = nil
	if s.RestoreBestWeights {
		w, ok := e.Model.(Weighted)
		if !ok {
			return errors.Errorf("%s: restore best weights needs a model with a Weights method, got %T", what, e.Model)
		}
		s.weights = w
	}
	s.mon, s.wait, s.best, s.bestEpoch, s.stoppedEpoch = mon, 0, mon.worst(), -1, -1
	s.bestWeights, s.restored = nil, false
	return nil
}

func (s *EarlyStopping) epochEnd(e *Event) error {
	const what = "early stopping"
	cur, err := s.mon.value(what, e)
	if err != nil {
		return err
	}
	if e.Epoch < s.StartFromEpoch {
		return nil
	}
	if s.weights != nil && s.bestWeights == nil {
		// Until an epoch improves, the first watched one is the best.
		if err := s.keep(e.Epoch); err != nil {
			return err
		}
	}
	s.wait++
	if s.mon.better(cur, s.best) {
		s.best, s.bestEpoch = cur, e.Epoch
		if s.weights != nil {
			if err := s.keep(e.Epoch); err != nil {
				return err
			}
		}
		// The patience restarts only when both the best so far and the
		// baseline are beaten.
		if s.Baseline == nil || s.mon.better(cur, *s.Baseline) {
			s.wait = 0
		}
		return nil
	}
	if s.wait >= s.Patience && e.Epoch > 0 {
		s.stoppedEpoch = e.Epoch
		// Restore now: Fit does not tell callbacks of TrainEnd after a stop.
		if err := s.restore(); err != nil {
			return err
		}
		return ErrStop
	}
	return nil
}

// keep copies the model's weights as the best epoch's.
func (s *EarlyStopping) keep(epoch int) error {
	c, err := copyWeights(s.weights.Weights())
	if err != nil {
		return errors.Wrapf(err, "early stopping: epoch %d: keep the best weights", epoch+1)
	}
	s.bestWeights, s.bestEpoch = c, epoch
	return nil
}

// restore writes the best weights back, once, when RestoreBestWeights is
// set and an epoch was watched.
func (s *EarlyStopping) restore() error {
	if s.weights == nil || s.bestWeights == nil || s.restored {
		return nil
	}
	if err := s.bestWeights.restore(s.weights.Weights()); err != nil {
		return errors.Wrapf(err, "early stopping: restore the weights of epoch %d", s.bestEpoch+1)
	}
	s.restored = true
	return nil
}

// StoppedEpoch returns the epoch (counting from 0) at whose end the last Fit
// was stopped, or -1 if it was not stopped.
func (s *EarlyStopping) StoppedEpoch() int {
	if s.mon.name == "" {
		return -1
	}
	return s.stoppedEpoch
}

// BestEpoch returns the epoch (counting from 0) with the best monitored
// value of the last Fit, or -1 if no epoch was watched. With
// RestoreBestWeights, its weights are the ones restored.
func (s *EarlyStopping) BestEpoch() int {
	if s.mon.name == "" {
		return -1
	}
	return s.bestEpoch
}

// BestValue returns the best monitored value of the last Fit: +Inf (-Inf
// when the value rises) if no epoch improved on that.
func (s *EarlyStopping) BestValue() float64 {
	if s.mon.name == "" {
		return math.Inf(1)
	}
	return s.best
}
