package optimizers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AdaGrad scales each weight's step by the inverse root of the sum of its
// squared gradients, with Keras 3's update rule
// (keras/src/optimizers/adagrad.py). With gradient g and accumulator a
// (InitialAccumulator at first):
//
//	a += g^2
//	w -= lr g / sqrt(a + Epsilon)
//
// Unlike Gorgonia's AdaGrad solver, it uses the learning rate it is given.
type AdaGrad struct {
	// LearningRate is the step size; zero means 0.001, Keras's default.
	LearningRate float64
	// Schedule, when set, gives the learning rate of each step from the
	// number of steps taken, and LearningRate and the solver's
	// SetLearningRate are ignored; nil means the constant LearningRate. It
	// is saved as {"kind": "cosine_decay", "config": {...}} (see
	// MarshalSchedule).
	Schedule Schedule `json:"-"`
	// InitialAccumulator is the accumulators' starting value, >= 0; zero
	// means 0.1, Keras's default (use a tiny value such as 1e-12 to start
	// near zero).
	InitialAccumulator float64
	// Epsilon keeps the division finite; zero means 1e-7.
	Epsilon float64
	// Clip bounds the gradients before the update; the zero value clips
	// nothing.
	Clip Clip
	// Options are the moving average of the weights and the gradient
	// accumulation; the zero value turns both off.
	Options
}

var _ Optimizer = AdaGrad{}

// Name returns "adagrad".
func (AdaGrad) Name() string { return "adagrad" }

// NewSolver returns a fresh AdaGrad solver, or an error naming a bad field.
func (o AdaGrad) NewSolver() (Solver, error) {
	acc := orDefault(o.InitialAccumulator, 0.1)
	s := &adagradSolver{
		core: core{name: "adagrad", lr: orDefault(o.LearningRate, 0.001), sched: o.Schedule, clip: o.Clip, slots: 1, fill: acc},
		eps:  orDefault(o.Epsilon, 1e-7),
	}
	if err := checkRange("adagrad", "LearningRate", s.lr, 0, inf, false); err != nil {
		return nil, err
	}
	if err := checkRange("adagrad", "InitialAccumulator", acc, 0, inf, false); err != nil {
		return nil, err
	}
	if err := checkRange("adagrad", "Epsilon", s.eps, 0, inf, false); err != nil {
		return nil, err
	}
	if err := o.Clip.validate(); err != nil {
		return nil, errors.Wrap(err, "adagrad")
	}
	if err := validateSchedule("adagrad", o.Schedule); err != nil {
		return nil, err
	}
	if err := s.extras(o.Options, nil); err != nil {
		return nil, err
	}
	return s, nil
}

type adagradSolver struct {
	core
	eps float64
}

var _ Solver = (*adagradSolver)(nil)

// Step updates every parameter in place and zeroes its gradient.
func (s *adagradSolver) Step(vgs []gorgonia.ValueGrad) error {
	update, err := s.begin(vgs)
	if err != nil {
		return err
	}
	if !update {
		s.end()
		return nil
	}
	lim := s.clip.limit()
	s.update(func(p *param, lo, hi int) {
		if p.dtype == tensor.Float32 {
			adagradStep(p.w32[lo:hi], p.g32[lo:hi], p.state32[0][lo:hi], float32(s.lr), float32(s.eps), float32(p.scale), float32(lim))
		} else {
			adagradStep(p.w64[lo:hi], p.g64[lo:hi], p.state64[0][lo:hi], s.lr, s.eps, p.scale, lim)
		}
	})
	s.end()
	return nil
}

func adagradStep[T float](w, g, acc []T, lr, eps, scale, lim T) {
	acc, g = acc[:len(w)], g[:len(w)]
	for i := range w {
		gi := clipped(g[i], scale, lim)
		a := acc[i] + gi*gi
		acc[i] = a
		w[i] -= lr * gi / T(math.Sqrt(float64(a+eps)))
		g[i] = 0
	}
}
