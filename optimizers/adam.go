package optimizers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Adam is the Adam optimizer with Keras 3's update rule. At step t (from 1),
// with gradient g and first and second moments m and v (zero at first):
//
//	m = m + (g - m)(1 - Beta1)
//	v = v + (g^2 - v)(1 - Beta2)
//	alpha = lr sqrt(1 - Beta2^t) / (1 - Beta1^t)
//	w -= alpha m / (sqrt(v) + Epsilon)
type Adam struct {
	// LearningRate is the step size; zero means 0.001, Keras's default.
	LearningRate float64
	// Schedule, when set, gives the learning rate of each step from the
	// number of steps taken, and LearningRate and the solver's
	// SetLearningRate are ignored; nil means the constant LearningRate. It
	// is saved as {"kind": "cosine_decay", "config": {...}} (see
	// MarshalSchedule).
	Schedule Schedule `json:"-"`
	// Beta1, in [0, 1), is the decay rate of the first moment; zero means
	// 0.9.
	Beta1 float64
	// Beta2, in [0, 1), is the decay rate of the second moment; zero means
	// 0.999.
	Beta2 float64
	// Epsilon keeps the division finite; zero means 1e-7 (Keras's
	// "epsilon hat", added to sqrt(v)).
	Epsilon float64
	// AMSGrad divides by the largest second moment seen so far instead of
	// the current one, as Keras's amsgrad=True; false means plain Adam.
	AMSGrad bool `json:",omitempty"`
	// Clip bounds the gradients before the update; the zero value clips
	// nothing.
	Clip Clip
	// Options are the moving average of the weights and the gradient
	// accumulation; the zero value turns both off.
	Options
}

var _ Optimizer = Adam{}

// Name returns "adam".
func (Adam) Name() string { return "adam" }

// NewSolver returns a fresh Adam solver, or an error naming a bad field.
func (o Adam) NewSolver() (Solver, error) {
	s, err := o.solver("adam", 0, nil)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// solver checks o's fields and makes an Adam solver that first decays the
// weights by lr*decay, which AdamW sets.
func (o Adam) solver(name string, decay float64, exclude []string) (*adamSolver, error) {
	s := &adamSolver{
		core:  core{name: name, lr: orDefault(o.LearningRate, 0.001), sched: o.Schedule, clip: o.Clip, slots: 2},
		beta1: orDefault(o.Beta1, 0.9),
		beta2: orDefault(o.Beta2, 0.999),
		eps:   orDefault(o.Epsilon, 1e-7),
		decay: decay,
	}
	for _, c := range []struct {
		field  string
		v      float64
		hi     float64
		openHi bool
	}{
		{"LearningRate", s.lr, inf, false},
		{"Beta1", s.beta1, 1, true},
		{"Beta2", s.beta2, 1, true},
		{"Epsilon", s.eps, inf, false},
	} {
		if err := checkRange(name, c.field, c.v, 0, c.hi, c.openHi); err != nil {
			return nil, err
		}
	}
	if err := o.Clip.validate(); err != nil {
		return nil, errors.Wrap(err, name)
	}
	if err := validateSchedule(name, o.Schedule); err != nil {
		return nil, err
	}
	if o.AMSGrad {
		s.slots, s.amsgrad = 3, true
	}
	if err := s.extras(o.Options, exclude); err != nil {
		return nil, err
	}
	return s, nil
}

type adamSolver struct {
	core
	beta1, beta2, eps float64
	decay             float64 // AdamW's weight decay; 0 for Adam
	amsgrad           bool
}

var _ Solver = (*adamSolver)(nil)

// Step updates every parameter in place and zeroes its gradient.
func (s *adamSolver) Step(vgs []gorgonia.ValueGrad) error {
	update, err := s.begin(vgs)
	if err != nil {
		return err
	}
	if !update {
		s.end()
		return nil
	}
	t := float64(s.steps)
	k := adamCoeffs{
		b1:    1 - s.beta1,
		b2:    1 - s.beta2,
		alpha: s.lr * math.Sqrt(1-math.Pow(s.beta2, t)) / (1 - math.Pow(s.beta1, t)),
		eps:   s.eps,
		decay: s.lr * s.decay,
		lim:   s.clip.limit(),
	}
	amsgrad := s.AMSGrad()
	s.update(func(p *param, lo, hi int) {
		k := k
		if p.noDecay {
			k.decay = 0
		}
		if p.dtype == tensor.Float32 {
			var vhat []float32
			if amsgrad {
				vhat = p.state32[2][lo:hi]
			}
			adamStep(p.w32[lo:hi], p.g32[lo:hi], p.state32[0][lo:hi], p.state32[1][lo:hi], vhat, float32(p.scale), k)
		} else {
			var vhat []float64
			if amsgrad {
				vhat = p.state64[2][lo:hi]
			}
			adamStep(p.w64[lo:hi], p.g64[lo:hi], p.state64[0][lo:hi], p.state64[1][lo:hi], vhat, p.scale, k)
		}
	})
	s.end()
	return nil
}

// adamCoeffs are the scalars of one Adam step.
type adamCoeffs struct {
	b1, b2 float64 // 1 - Beta1, 1 - Beta2
	alpha  float64 // bias-corrected learning rate
	eps    float64
	decay  float64 // lr * weight decay
	lim    float64 // Clip.Value, or +Inf
}

// AMSGrad reports whether the solver keeps the largest second moments.
func (s *adamSolver) AMSGrad() bool { return s.amsgrad }

// adamStep is one fused pass: decay, clip, moments, update, zero gradient.
// vhat, when not nil, keeps the largest second moments (AMSGrad).
func adamStep[T float](w, g, m, v, vhat []T, scale T, k adamCoeffs) {
	b1, b2, alpha, eps, decay, lim := T(k.b1), T(k.b2), T(k.alpha), T(k.eps), T(k.decay), T(k.lim)
	m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
	for i := range w {
		wi := w[i]
		wi -= wi * decay
		gi := clipped(g[i], scale, lim)
		mi := m[i] + (gi-m[i])*b1
		vi := v[i] + (gi*gi-v[i])*b2
		m[i], v[i] = mi, vi
		if vhat != nil {
			vi = max(vhat[i], vi)
			vhat[i] = vi
		}
		w[i] = wi - mi*alpha/(T(math.Sqrt(float64(vi)))+eps)
		g[i] = 0
	}
}
