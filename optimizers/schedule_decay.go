package optimizers

import (
	"math"
	"sort"

	"github.com/pkg/errors"
)

// ExponentialDecay multiplies the rate by DecayRate every DecaySteps steps,
// as Keras's ExponentialDecay:
//
//	rate(step) = InitialLearningRate * DecayRate^(step / DecaySteps)
//
// with step / DecaySteps rounded down when Staircase is set.
type ExponentialDecay struct {
	// InitialLearningRate is the rate of step 0; it must be > 0.
	InitialLearningRate float64
	// DecaySteps is the number of steps over which the rate is multiplied
	// by DecayRate; it must be > 0 (Keras has no default).
	DecaySteps int
	// DecayRate is the factor per DecaySteps steps; it must be > 0 (Keras
	// has no default; 0.96 is common).
	DecayRate float64
	// Staircase decays in jumps every DecaySteps steps instead of
	// continuously; false (the default) decays continuously.
	Staircase bool
}

// Rate returns the rate of step.
func (s ExponentialDecay) Rate(step int) float64 {
	p := float64(step) / float64(s.DecaySteps)
	if s.Staircase {
		p = math.Floor(p)
	}
	return s.InitialLearningRate * math.Pow(s.DecayRate, p)
}

// Validate returns an error naming the first bad field and its value.
func (s ExponentialDecay) Validate() error {
	const name = "exponential_decay"
	if err := checkInitial(name, s.InitialLearningRate); err != nil {
		return err
	}
	if err := checkSteps(name, "DecaySteps", s.DecaySteps); err != nil {
		return err
	}
	if !(s.DecayRate > 0) || math.IsInf(s.DecayRate, 0) {
		return errors.Errorf("%s: DecayRate must be > 0 and finite, got %v", name, s.DecayRate)
	}
	return nil
}

// InverseTimeDecay divides the rate by 1 + DecayRate * step / DecaySteps,
// as Keras's InverseTimeDecay:
//
//	rate(step) = InitialLearningRate / (1 + DecayRate * step / DecaySteps)
//
// with step / DecaySteps rounded down when Staircase is set.
type InverseTimeDecay struct {
	// InitialLearningRate is the rate of step 0; it must be > 0.
	InitialLearningRate float64
	// DecaySteps is the time unit of the decay; it must be > 0 (Keras has
	// no default).
	DecaySteps int
	// DecayRate is how fast the rate falls per DecaySteps steps; it must be
	// > 0 (Keras has no default).
	DecayRate float64
	// Staircase decays in jumps every DecaySteps steps instead of
	// continuously; false (the default) decays continuously.
	Staircase bool
}

// Rate returns the rate of step.
func (s InverseTimeDecay) Rate(step int) float64 {
	p := float64(step) / float64(s.DecaySteps)
	if s.Staircase {
		p = math.Floor(p)
	}
	return s.InitialLearningRate / (1 + s.DecayRate*p)
}

// Validate returns an error naming the first bad field and its value.
func (s InverseTimeDecay) Validate() error {
	const name = "inverse_time_decay"
	if err := checkInitial(name, s.InitialLearningRate); err != nil {
		return err
	}
	if err := checkSteps(name, "DecaySteps", s.DecaySteps); err != nil {
		return err
	}
	if !(s.DecayRate > 0) || math.IsInf(s.DecayRate, 0) {
		return errors.Errorf("%s: DecayRate must be > 0 and finite, got %v", name, s.DecayRate)
	}
	return nil
}

// PolynomialDecay takes the rate from InitialLearningRate to
// EndLearningRate in DecaySteps steps along a polynomial, as Keras's
// PolynomialDecay. With end = EndLearningRate:
//
//	rate(step) = (InitialLearningRate - end) * (1 - s / d)^Power + end
//
// where, without Cycle, s = min(step, DecaySteps) and d = DecaySteps (the
// rate stays at end after DecaySteps), and with Cycle, s = step and d is the
// first multiple of DecaySteps >= step (DecaySteps at step 0): past each
// multiple the rate jumps back up and decays to end again, more slowly.
type PolynomialDecay struct {
	// InitialLearningRate is the rate of step 0; it must be >= 0.
	InitialLearningRate float64
	// DecaySteps is the length of the decay; it must be > 0 (Keras has no
	// default).
	DecaySteps int
	// EndLearningRate is the rate reached after DecaySteps steps, >= 0;
	// zero means 0.0001, Keras's default (use a tiny value such as 1e-12
	// to end near zero).
	EndLearningRate float64
	// Power is the polynomial's exponent, > 0; zero means 1 (linear),
	// Keras's default.
	Power float64
	// Cycle restarts the decay every DecaySteps steps; false (the default)
	// stays at EndLearningRate.
	Cycle bool
}

// Rate returns the rate of step.
func (s PolynomialDecay) Rate(step int) float64 {
	end, power := orDefault(s.EndLearningRate, 0.0001), orDefault(s.Power, 1)
	x, d := float64(step), float64(s.DecaySteps)
	if s.Cycle {
		if step != 0 {
			d *= math.Ceil(x / d)
		}
	} else {
		x = math.Min(x, d)
	}
	return (s.InitialLearningRate-end)*math.Pow(1-x/d, power) + end
}

// Validate returns an error naming the first bad field and its value.
func (s PolynomialDecay) Validate() error {
	const name = "polynomial_decay"
	if err := checkRate(name, "InitialLearningRate", s.InitialLearningRate); err != nil {
		return err
	}
	if err := checkSteps(name, "DecaySteps", s.DecaySteps); err != nil {
		return err
	}
	if err := checkRate(name, "EndLearningRate", s.EndLearningRate); err != nil {
		return err
	}
	if s.Power < 0 || math.IsNaN(s.Power) || math.IsInf(s.Power, 0) {
		return errors.Errorf("%s: Power must be > 0 and finite, got %v", name, s.Power)
	}
	return nil
}

// PiecewiseConstantDecay holds the rate constant between step boundaries,
// as Keras's PiecewiseConstantDecay: the rate is Values[0] while
// step <= Boundaries[0], Values[i] while Boundaries[i-1] < step <=
// Boundaries[i], and the last value after the last boundary.
//
//	PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}}
//
// is 1 for steps 0 to 100, 0.5 for steps 101 to 110 and 0.1 after.
type PiecewiseConstantDecay struct {
	// Boundaries are the last steps of each interval but the last, strictly
	// increasing. Nil means a single interval: a constant rate.
	Boundaries []int
	// Values are the rates of the intervals, one more than Boundaries, each
	// >= 0. The zero value has none and fails Validate.
	Values []float64
}

// Rate returns the rate of step.
func (s PiecewiseConstantDecay) Rate(step int) float64 {
	i := sort.SearchInts(s.Boundaries, step) // the first boundary >= step
	if i >= len(s.Values) {
		return math.NaN()
	}
	return s.Values[i]
}

// Validate returns an error naming the first bad field and its value.
func (s PiecewiseConstantDecay) Validate() error {
	const name = "piecewise_constant_decay"
	if len(s.Values) != len(s.Boundaries)+1 {
		return errors.Errorf("%s: want one more value than boundaries, got %d values %v and %d boundaries %v",
			name, len(s.Values), s.Values, len(s.Boundaries), s.Boundaries)
	}
	for i := 1; i < len(s.Boundaries); i++ {
		if s.Boundaries[i] <= s.Boundaries[i-1] {
			return errors.Errorf("%s: Boundaries must be strictly increasing, got %v", name, s.Boundaries)
		}
	}
	for i, v := range s.Values {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.Errorf("%s: Values[%d] must be >= 0 and finite, got %v", name, i, v)
		}
	}
	return nil
}
