package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Constraint projects a weight in place after each optimizer step, as
// Keras's kernel_constraint and bias_constraint: Keras applies them right
// after the optimizer's update, and so does the trainer, through
// ApplyConstraints. w is float32 or float64.
type Constraint interface {
	Apply(w *tensor.Dense) error
}

// Compile-time checks that every constraint satisfies the contract.
var (
	_ Constraint = MaxNorm{}
	_ Constraint = NonNeg{}
	_ Constraint = UnitNorm{}
	_ Constraint = MinMaxNorm{}
)

// ApplyConstraints applies the Constraint of every trainable weight of ws
// that has one, in order; the trainer calls it after each optimizer step
// with the weights the step updated. The error names the weight.
func ApplyConstraints(ws []*Weight) error {
	for _, w := range ws {
		if w == nil || !w.Trainable || w.Constraint == nil {
			continue
		}
		if err := w.Constraint.Apply(w.Value); err != nil {
			return errors.Wrapf(err, "%s: constraint", w.Name)
		}
	}
	return nil
}

// MaxNorm rescales each slice of the weight along Axis whose L2 norm
// exceeds MaxValue down to MaxValue, as Keras's MaxNorm. For a Dense kernel
// [in, units] and Axis 0, the slices are the units' incoming weight vectors.
//
// Slices within the bound are left exactly as they are; Keras multiplies
// every slice by min(n, MaxValue) / (n + 1e-7), which also shrinks those by
// a relative 1e-7 / n.
type MaxNorm struct {
	// MaxValue is the largest norm allowed, > 0; zero means 2, Keras's
	// default.
	MaxValue float64
	// Axis is the axis the norms are taken along, negative counting from
	// the last; zero (Keras's default) means the first.
	Axis int
}

// Apply rescales w in place.
func (c MaxNorm) Apply(w *tensor.Dense) error {
	if err := c.Validate(); err != nil {
		return err
	}
	max := orDefault(c.MaxValue, 2)
	return scaleNorms("max_norm", w, c.Axis, func(n float64) float64 {
		if n <= max {
			return 1
		}
		return max / n
	})
}

// Validate returns an error naming MaxValue unless it is >= 0 and finite.
func (c MaxNorm) Validate() error { return checkFactor("max_norm", "MaxValue", c.MaxValue) }

// UnitNorm rescales each slice of the weight along Axis to an L2 norm of 1,
// as Keras's UnitNorm. A slice of zeros stays zeros; Keras divides by
// n + 1e-7, which leaves the norms a relative 1e-7 / n short of 1.
type UnitNorm struct {
	// Axis is the axis the norms are taken along, negative counting from
	// the last; zero (Keras's default) means the first.
	Axis int
}

// Apply rescales w in place.
func (c UnitNorm) Apply(w *tensor.Dense) error {
	return scaleNorms("unit_norm", w, c.Axis, func(n float64) float64 {
		if n == 0 {
			return 1
		}
		return 1 / n
	})
}

// MinMaxNorm moves the L2 norm of each slice of the weight along Axis into
// [MinValue, MaxValue], as Keras's MinMaxNorm: a slice of norm n is scaled
// to Rate * clip(n, MinValue, MaxValue) + (1 - Rate) * n. A slice of zeros
// stays zeros.
type MinMaxNorm struct {
	// MinValue is the smallest norm, >= 0; zero (Keras's default) means 0.
	MinValue float64
	// MaxValue is the largest norm, >= MinValue; zero means 1, Keras's
	// default.
	MaxValue float64
	// Rate, in [0, 1], is how far each step moves the norms into the
	// bounds; zero means 1 (all the way), Keras's default.
	Rate float64
	// Axis is the axis the norms are taken along, negative counting from
	// the last; zero (Keras's default) means the first.
	Axis int
}

// Apply rescales w in place.
func (c MinMaxNorm) Apply(w *tensor.Dense) error {
	if err := c.Validate(); err != nil {
		return err
	}
	lo, hi, rate := c.MinValue, orDefault(c.MaxValue, 1), orDefault(c.Rate, 1)
	return scaleNorms("min_max_norm", w, c.Axis, func(n float64) float64 {
		if n == 0 {
			return 1
		}
		return (rate*math.Min(math.Max(n, lo), hi) + (1-rate)*n) / n
	})
}

// Validate returns an error naming the first bad field and its value.
func (c MinMaxNorm) Validate() error {
	if err := checkFactor("min_max_norm", "MinValue", c.MinValue); err != nil {
		return err
	}
	if err := checkFactor("min_max_norm", "MaxValue", c.MaxValue); err != nil {
		return err
	}
	if hi := orDefault(c.MaxValue, 1); c.MinValue > hi {
		return errors.Errorf("min_max_norm: MinValue %v is above MaxValue %v", c.MinValue, hi)
	}
	if c.Rate < 0 || c.Rate > 1 || math.IsNaN(c.Rate) {
		return errors.Errorf("min_max_norm: Rate must be in [0, 1], got %v", c.Rate)
	}
	return nil
}

// NonNeg sets the negative weights to 0, as Keras's NonNeg.
type NonNeg struct{}

// Apply clips w at 0 in place.
func (NonNeg) Apply(w *tensor.Dense) error {
	switch d := w.Data().(type) {
	case []float32:
		clipNegative(d)
	case []float64:
		clipNegative(d)
	default:
		return errors.Errorf("non_neg: weights must be float32 or float64, got %v", w.Dtype())
	}
	return nil
}

func clipNegative[T float32 | float64](d []T) {
	for i, v := range d {
		if v < 0 {
			d[i] = 0
		}
	}
}

// scaleNorms multiplies each slice of w along axis by scale(its L2 norm).
// kind names the constraint in errors.
func scaleNorms(kind string, w *tensor.Dense, axis int, scale func(norm float64) float64) error {
	if w == nil {
		return errors.Errorf("%s: weight is nil", kind)
	}
	shape := w.Shape()
	rank := len(shape)
	if w.IsScalar() {
		rank = 0
	}
	a := axis
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return errors.Errorf("%s: axis %d is out of range for a weight of shape %v", kind, axis, shape)
	}
	if w.RequiresIterator() {
		return errors.Errorf("%s: weight must be contiguous, not a view", kind)
	}
	outer, inner := 1, 1
	for _, d := range shape[:a] {
		outer *= d
	}
	for _, d := range shape[a+1:] {
		inner *= d
	}
	switch d := w.Data().(type) {
	case []float32:
		scaleSlices(d, outer, shape[a], inner, scale)
	case []float64:
		scaleSlices(d, outer, shape[a], inner, scale)
	default:
		return errors.Errorf("%s: weights must be float32 or float64, got %v", kind, w.Dtype())
	}
	return nil
}

// scaleSlices scales, in d viewed as [outer, n, inner], each slice
// d[o, :, i] by scale of its L2 norm, computed in float64.
func scaleSlices[T float32 | float64](d []T, outer, n, inner int, scale func(float64) float64) {
	for o := 0; o < outer; o++ {
		base := o * n * inner
		for i := 0; i < inner; i++ {
			sq := 0.0
			for k := 0; k < n; k++ {
				v := float64(d[base+k*inner+i])
				sq += v * v
			}
			s := scale(math.Sqrt(sq))
			if s == 1 {
				continue
			}
			for k := 0; k < n; k++ {
				j := base + k*inner + i
				d[j] = T(float64(d[j]) * s)
			}
		}
	}
}

// checkConstraint tries c on a copy of w's value, so that a bad
// configuration (an axis out of range, say) is an error when the layer is
// built rather than after its first training step.
func checkConstraint(c Constraint, w *Weight) error {
	if c == nil {
		return nil
	}
	return c.Apply(w.Value.Clone().(*tensor.Dense))
}
