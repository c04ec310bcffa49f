package optimizers

import (
	"math"

	"github.com/pkg/errors"
)

// Clip bounds the gradients before a solver uses them, as Keras's clipnorm,
// global_clipnorm and clipvalue arguments do. Every optimizer has one; the
// zero value clips nothing. As in Keras, at most one field may be set.
type Clip struct {
	// Norm rescales each gradient tensor whose L2 norm exceeds it to that
	// norm: g * Norm / max(||g||, Norm) (Keras clipnorm). Zero means off.
	Norm float64
	// GlobalNorm rescales all the gradients of a step together when the L2
	// norm of their concatenation exceeds it (Keras global_clipnorm). Zero
	// means off.
	GlobalNorm float64
	// Value clips each gradient element to [-Value, Value] (Keras
	// clipvalue). Zero means off.
	Value float64
}

// validate returns an error naming the bad field and value, or the two
// fields set together.
func (c Clip) validate() error {
	set := []string{}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Norm", c.Norm}, {"GlobalNorm", c.GlobalNorm}, {"Value", c.Value}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return errors.Errorf("Clip.%s must be >= 0 and finite, got %v", f.name, f.v)
		}
		if f.v > 0 {
			set = append(set, f.name)
		}
	}
	if len(set) > 1 {
		return errors.Errorf("only one of Clip.Norm, Clip.GlobalNorm and Clip.Value can be set, got %+v", c)
	}
	return nil
}

// limit is the bound Value puts on each gradient element: +Inf when off.
func (c Clip) limit() float64 {
	if c.Value > 0 {
		return c.Value
	}
	return math.Inf(1)
}

// sumSquares is the squared L2 norm of g, accumulated in float64.
func sumSquares[T float](g []T) float64 {
	s := 0.0
	for _, v := range g {
		s += float64(v) * float64(v)
	}
	return s
}

// normScale is the factor that brings a gradient of squared norm sq down to
// norm max: max / max(||g||, max), so 1 when it is already within.
func normScale(sq, max float64) float64 {
	n := math.Sqrt(sq)
	if n <= max {
		return 1
	}
	return max / n
}

// clipped is g scaled and clamped to [-lim, lim]; lim is +Inf when clipping
// by value is off. NaN passes through.
func clipped[T float](g, scale, lim T) T {
	g *= scale
	if g > lim {
		return lim
	}
	if g < -lim {
		return -lim
	}
	return g
}
