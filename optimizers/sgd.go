package optimizers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SGD is stochastic gradient descent with optional momentum, with Keras's
// update rule. With learning rate lr, momentum m, gradient g and velocity v
// (zero at first):
//
//	m == 0:    w -= lr g
//	otherwise: v = m v - lr g; w += v
//	Nesterov:  v = m v - lr g; w += m v - lr g
type SGD struct {
	// LearningRate is the step size; zero means 0.01, Keras's default.
	LearningRate float64
	// Schedule, when set, gives the learning rate of each step from the
	// number of steps taken, and LearningRate and the solver's
	// SetLearningRate are ignored; nil means the constant LearningRate. It
	// is saved as {"kind": "cosine_decay", "config": {...}} (see
	// MarshalSchedule).
	Schedule Schedule `json:"-"`
	// Momentum, in [0, 1], accelerates along directions that persist.
	// Zero (the default) means plain gradient descent.
	Momentum float64
	// Nesterov uses Nesterov momentum; it has no effect when Momentum is
	// zero. False by default.
	Nesterov bool
	// Clip bounds the gradients before the update; the zero value clips
	// nothing.
	Clip Clip
	// Options are the moving average of the weights and the gradient
	// accumulation; the zero value turns both off.
	Options
}

var _ Optimizer = SGD{}

// Name returns "sgd".
func (SGD) Name() string { return "sgd" }

// NewSolver returns a fresh SGD solver, or an error naming a bad field.
func (o SGD) NewSolver() (Solver, error) {
	lr := orDefault(o.LearningRate, 0.01)
	if err := checkRange("sgd", "LearningRate", lr, 0, inf, false); err != nil {
		return nil, err
	}
	if err := checkRange("sgd", "Momentum", o.Momentum, 0, 1, false); err != nil {
		return nil, err
	}
	if err := o.Clip.validate(); err != nil {
		return nil, errors.Wrap(err, "sgd")
	}
	if err := validateSchedule("sgd", o.Schedule); err != nil {
		return nil, err
	}
	s := &sgdSolver{core: core{name: "sgd", lr: lr, sched: o.Schedule, clip: o.Clip}, momentum: o.Momentum, nesterov: o.Nesterov}
	if o.Momentum != 0 {
		s.slots = 1
	}
	if err := s.extras(o.Options, nil); err != nil {
		return nil, err
	}
	return s, nil
}

type sgdSolver struct {
	core
	momentum float64
	nesterov bool
}

var _ Solver = (*sgdSolver)(nil)

// Step updates every parameter in place and zeroes its gradient.
func (s *sgdSolver) Step(vgs []gorgonia.ValueGrad) error {
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
			sgdStep(s, p.w32[lo:hi], p.g32[lo:hi], part(p.state32, lo, hi), float32(p.scale), float32(lim))
		} else {
			sgdStep(s, p.w64[lo:hi], p.g64[lo:hi], part(p.state64, lo, hi), p.scale, lim)
		}
	})
	s.end()
	return nil
}

func sgdStep[T float](s *sgdSolver, w, g []T, state [][]T, scale, lim T) {
	lr := T(s.lr)
	if s.momentum == 0 {
		g = g[:len(w)]
		for i := range w {
			gi := clipped(g[i], scale, lim)
			w[i] -= gi * lr
			g[i] = 0
		}
		return
	}
	m, v := T(s.momentum), state[0][:len(w)]
	g = g[:len(w)]
	if s.nesterov {
		for i := range w {
			gi := clipped(g[i], scale, lim)
			vi := v[i]*m - gi*lr
			v[i] = vi
			w[i] += vi*m - gi*lr
			g[i] = 0
		}
		return
	}
	for i := range w {
		gi := clipped(g[i], scale, lim)
		vi := v[i]*m - gi*lr
		v[i] = vi
		w[i] += vi
		g[i] = 0
	}
}
