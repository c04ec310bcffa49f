package metrics

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// prf is the state and the code shared by Precision, Recall, F1Score and
// FBetaScore: a confusion matrix, from which each computes its value.
type prf struct {
	cm confusion
}

// prfConfig is a metric's configuration, as its fields say.
type prfConfig struct {
	name      string
	kind      prfKind
	beta      float64
	average   Average
	posLabel  *int
	classes   int
	threshold float64
}

func (s *prf) update(c prfConfig, yTrue, yPred *tensor.Dense) error {
	err := s.check(c, yTrue, yPred)
	return errors.Wrap(err, c.name)
}

func (s *prf) check(c prfConfig, yTrue, yPred *tensor.Dense) error {
	if math.IsNaN(c.beta) || c.beta < 0 || math.IsInf(c.beta, 0) {
		return errors.Errorf("beta must be a finite number >= 0 (zero means 1), got %v", c.beta)
	}
	in, err := readClasses(yTrue, yPred, c.classes, c.threshold)
	if err != nil {
		return err
	}
	avg, err := c.average.resolve(in.cols)
	if err != nil {
		return err
	}
	if avg == AverageBinary {
		if _, err := positive(c.posLabel, in.classes); err != nil {
			return err
		}
	}
	return s.cm.add(in)
}

// value is the metric's average, or an error when there is none.
func (s *prf) value(c prfConfig) (float64, error) {
	if s.cm.n == 0 {
		return 0, errNoSamples(c.name)
	}
	avg, err := c.average.resolve(int(s.cm.cols))
	if err != nil {
		return 0, errors.Wrap(err, c.name)
	}
	pos := 0
	if avg == AverageBinary {
		if pos, err = positive(c.posLabel, s.cm.k); err != nil {
			return 0, errors.Wrap(err, c.name)
		}
	}
	return s.cm.prfAverage(c.kind, betaOr1(c.beta), avg, pos), nil
}

func (s *prf) perClass(c prfConfig) ([]float64, error) {
	if s.cm.n == 0 {
		return nil, errNoSamples(c.name)
	}
	return s.cm.prf(c.kind, betaOr1(c.beta)), nil
}

func betaOr1(beta float64) float64 {
	if beta == 0 {
		return 1
	}
	return beta
}

// resultOf is v, or 0 when err is not nil.
func resultOf(v float64, err error) float64 {
	if err != nil {
		return 0
	}
	return v
}

// errOf is the error of a (value, error) pair.
func errOf(_ float64, err error) error { return err }
