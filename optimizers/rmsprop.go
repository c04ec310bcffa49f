package optimizers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RMSProp divides each gradient by a moving root mean square of the recent
// gradients, with Keras 3's update rule (keras/src/optimizers/rmsprop.py).
// With gradient g, mean square v and, when Momentum > 0, velocity u (both
// zero at first), not centered:
//
//	v = Rho v + (1 - Rho) g^2
//	inc = lr g / sqrt(v + Epsilon)
//	Momentum == 0: w -= inc
//	otherwise:     u = Momentum u + inc; w -= u
//
// Epsilon is added under the square root, as Keras 3 does.
type RMSProp struct {
	// LearningRate is the step size; zero means 0.001, Keras's default.
	LearningRate float64
	// Schedule, when set, gives the learning rate of each step from the
	// number of steps taken, and LearningRate and the solver's
	// SetLearningRate are ignored; nil means the constant LearningRate. It
	// is saved as {"kind": "cosine_decay", "config": {...}} (see
	// MarshalSchedule).
	Schedule Schedule `json:"-"`
	// Rho, in [0, 1), is the decay rate of the mean square; zero means 0.9.
	Rho float64
	// Epsilon keeps the division finite; zero means 1e-7.
	Epsilon float64
	// Momentum, in [0, 1], adds a velocity to the updates; zero (the
	// default) means none.
	Momentum float64
	// Centered divides by an estimate of the gradients' variance instead
	// of their mean square: a moving average a of the gradients is kept
	// and the denominator is sqrt(v - a^2 + Epsilon), as Keras's
	// centered=True; false means not centered.
	Centered bool `json:",omitempty"`
	// Clip bounds the gradients before the update; the zero value clips
	// nothing.
	Clip Clip
	// Options are the moving average of the weights and the gradient
	// accumulation; the zero value turns both off.
	Options
}

var _ Optimizer = RMSProp{}

// Name returns "rmsprop".
func (RMSProp) Name() string { return "rmsprop" }

// NewSolver returns a fresh RMSProp solver, or an error naming a bad field.
func (o RMSProp) NewSolver() (Solver, error) {
	s := &rmspropSolver{
		core:     core{name: "rmsprop", lr: orDefault(o.LearningRate, 0.001), sched: o.Schedule, clip: o.Clip, slots: 1},
		rho:      orDefault(o.Rho, 0.9),
		eps:      orDefault(o.Epsilon, 1e-7),
		momentum: o.Momentum,
	}
	if err := checkRange("rmsprop", "LearningRate", s.lr, 0, inf, false); err != nil {
		return nil, err
	}
	if err := checkRange("rmsprop", "Rho", s.rho, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange("rmsprop", "Epsilon", s.eps, 0, inf, false); err != nil {
		return nil, err
	}
	if err := checkRange("rmsprop", "Momentum", s.momentum, 0, 1, false); err != nil {
		return nil, err
	}
	if err := o.Clip.validate(); err != nil {
		return nil, errors.Wrap(err, "rmsprop")
	}
	if err := validateSchedule("rmsprop", o.Schedule); err != nil {
		return nil, err
	}
	if s.momentum > 0 {
		s.slots = 2
	}
	if o.Centered {
		s.centered = s.slots
		s.slots++
	}
	if err := s.extras(o.Options, nil); err != nil {
		return nil, err
	}
	return s, nil
}

type rmspropSolver struct {
	core
	rho, eps, momentum float64
	centered           int // the slot of the gradients' average; 0 when not centered
}

var _ Solver = (*rmspropSolver)(nil)

// Step updates every parameter in place and zeroes its gradient.
func (s *rmspropSolver) Step(vgs []gorgonia.ValueGrad) error {
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
			rmspropStep(s, p.w32[lo:hi], p.g32[lo:hi], part(p.state32, lo, hi), float32(p.scale), float32(lim))
		} else {
			rmspropStep(s, p.w64[lo:hi], p.g64[lo:hi], part(p.state64, lo, hi), p.scale, lim)
		}
	})
	s.end()
	return nil
}

func rmspropStep[T float](s *rmspropSolver, w, g []T, state [][]T, scale, lim T) {
	lr, rho, eps := T(s.lr), T(s.rho), T(s.eps)
	v := state[0][:len(w)]
	var u []T
	if s.momentum > 0 {
		u = state[1][:len(w)]
	}
	mom := T(s.momentum)
	var a []T
	if s.centered > 0 {
		a = state[s.centered][:len(w)]
	}
	for i := range w {
		gi := clipped(g[i], scale, lim)
		vi := rho*v[i] + (1-rho)*gi*gi
		v[i] = vi
		den := vi + eps
		if a != nil {
			ai := rho*a[i] + (1-rho)*gi
			a[i] = ai
			den = vi - ai*ai + eps
		}
		inc := lr * gi / T(math.Sqrt(float64(den)))
		if u != nil {
			u[i] = mom*u[i] + inc
			inc = u[i]
		}
		w[i] -= inc
		g[i] = 0
	}
}
