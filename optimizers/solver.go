package optimizers

import (
	"fmt"
	"math"

	"regexp"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/parallel"
)

// float is the element type of the weights the solvers update.
type float interface{ ~float32 | ~float64 }

// param is one parameter's state, kept between steps, and its tensors for
// the current step.
type param struct {
	shape tensor.Shape
	dtype tensor.Dtype
	// state holds the solver's per-element slices (moments, velocities,
	// accumulators) in the parameter's dtype; only one is used.
	state32 [][]float32
	state64 [][]float64

	// Set by begin for the current step.
	w32, g32 []float32
	w64, g64 []float64
	size     int     // number of weights: len(w32) or len(w64)
	scale    float64 // from clipping by norm or global norm; 1 when off
	noDecay  bool    // excluded from weight decay (ExcludeFromWeightDecay)
}

// core is what every solver shares: the learning rate, the clipping, the
// step count and the per-parameter state, allocated on the first step and
// keyed by the position of the parameter in Step's slice.
type core struct {
	name   string
	lr     float64
	sched  Schedule // sets lr at the start of each step when not nil
	clip   Clip
	slots  int     // state slices per parameter
	fill   float64 // initial value of the state
	params []param
	steps  int // completed steps, counting the current one once begin returns

	opts    Options          // moving average, gradient accumulation
	base    int              // the first slot of the options' state
	noDecay []*regexp.Regexp // ExcludeFromWeightDecay
}

// LearningRate returns the learning rate the next step uses: with a
// schedule, the schedule's rate for the number of steps taken.
func (c *core) LearningRate() float64 {
	if c.sched != nil {
		return c.sched.Rate(c.steps)
	}
	return c.lr
}

// SetLearningRate sets the learning rate of the following steps, keeping
// the solver's state. lr should be > 0; it is used as given. With a
// schedule it has no effect: the schedule sets the rate of every step (in
// Keras too, an optimizer built on a schedule has no settable rate).
func (c *core) SetLearningRate(lr float64) {
	if c.sched == nil {
		c.lr = lr
	}
}

// Schedule returns the schedule that sets the rate of each step, or nil.
func (c *core) Schedule() Schedule { return c.sched }

// begin checks the parameters of a step, sets the rate from the schedule,
// allocates the state on the first step, binds the tensors of the step,
// accumulates the gradients (GradientAccumulationSteps) and computes the
// clipping scales. It reports whether the step updates the weights (false
// on a step that only accumulates), and changes nothing when it returns an
// error.
func (c *core) begin(vgs []gorgonia.ValueGrad) (bool, error) {
	update, err := c.bind(vgs)
	if err != nil || !update {
		return update, err
	}
	c.scales()
	return true, nil
}

// bind is begin without the clipping scales.
func (c *core) bind(vgs []gorgonia.ValueGrad) (bool, error) {
	if len(vgs) == 0 {
		return false, errors.Errorf("%s: no parameters to update", c.name)
	}
	lr := c.lr
	if c.sched != nil {
		var err error
		if lr, err = scheduledRate(c.name, c.sched, c.steps); err != nil {
			return false, err
		}
	}
	first := c.params == nil
	if !first && len(vgs) != len(c.params) {
		return false, errors.Errorf("%s: got %d parameters, the solver was first stepped with %d", c.name, len(vgs), len(c.params))
	}
	params := c.params
	if first {
		params = make([]param, len(vgs))
	}
	for i, vg := range vgs {
		w, g, err := tensors(vg)
		if err != nil {
			return false, errors.Wrapf(err, "%s: %s", c.name, paramName(i, vg))
		}
		p := &params[i]
		if first {
			p.shape, p.dtype = w.Shape().Clone(), w.Dtype()
		} else if !sameShape(w.Shape(), p.shape) || w.Dtype() != p.dtype {
			return false, errors.Errorf("%s: %s is %v %v, the solver was first stepped with %v %v",
				c.name, paramName(i, vg), w.Dtype(), w.Shape(), p.dtype, p.shape)
		}
		if w.Dtype() == tensor.Float32 {
			p.w32, p.g32 = w.Float32s(), g.Float32s()
			p.size = len(p.w32)
		} else {
			p.w64, p.g64 = w.Float64s(), g.Float64s()
			p.size = len(p.w64)
		}
		p.noDecay = !c.decays(vg)
	}
	if first {
		for i := range params {
			params[i].alloc(c.slots, c.fill)
			if c.opts.accumulating() || c.opts.UseEMA {
				params[i].zeroFrom(c.base)
			}
		}
		c.params = params
	}
	update := c.accumulate()
	c.lr = lr
	c.steps++
	return update, nil
}

// zeroFrom zeroes the state slots from k on (the options' slots, which
// start at zero whatever the solver's fill).
func (p *param) zeroFrom(k int) {
	for s := k; s < len(p.state32); s++ {
		clear(p.state32[s])
	}
	for s := k; s < len(p.state64); s++ {
		clear(p.state64[s])
	}
}

// update calls fn for every parameter over [0, size): in one call, or, for
// a large parameter, split over the CPUs (parallel.For). Every solver's
// update goes element by element, so the split changes no value.
func (c *core) update(fn func(p *param, lo, hi int)) {
	for i := range c.params {
		p := &c.params[i]
		parallel.For(p.size, p.size, func(lo, hi int) { fn(p, lo, hi) })
	}
}

// part is the range [lo, hi) of each state slice.
func part[T float](state [][]T, lo, hi int) [][]T {
	out := make([][]T, len(state))
	for i, s := range state {
		out[i] = s[lo:hi]
	}
	return out
}

// alloc makes the parameter's state: slots slices of its size, filled with
// fill.
func (p *param) alloc(slots int, fill float64) {
	n := p.size
	if p.dtype == tensor.Float32 {
		p.state32 = make([][]float32, slots)
		for s := range p.state32 {
			p.state32[s] = filled(n, float32(fill))
		}
		return
	}
	p.state64 = make([][]float64, slots)
	for s := range p.state64 {
		p.state64[s] = filled(n, fill)
	}
}

func filled[T float](n int, v T) []T {
	s := make([]T, n)
	if v != 0 {
		for i := range s {
			s[i] = v
		}
	}
	return s
}

// scales sets each parameter's gradient scale from Clip.Norm or
// Clip.GlobalNorm; both need one read of the gradients before the update.
func (c *core) scales() {
	sq := func(p *param) float64 {
		if p.dtype == tensor.Float32 {
			return sumSquares(p.g32)
		}
		return sumSquares(p.g64)
	}
	switch {
	case c.clip.Norm > 0:
		for i := range c.params {
			p := &c.params[i]
			p.scale = normScale(sq(p), c.clip.Norm)
		}
	case c.clip.GlobalNorm > 0:
		total := 0.0
		for i := range c.params {
			total += sq(&c.params[i])
		}
		s := normScale(total, c.clip.GlobalNorm)
		for i := range c.params {
			c.params[i].scale = s
		}
	default:
		for i := range c.params {
			c.params[i].scale = 1
		}
	}
}

// tensors returns the weight and gradient tensors of vg after checking that
// they are dense, contiguous, float32 or float64, and alike.
func tensors(vg gorgonia.ValueGrad) (w, g *tensor.Dense, err error) {
	if vg == nil {
		return nil, nil, errors.New("parameter is nil")
	}
	w, ok := vg.Value().(*tensor.Dense)
	if !ok {
		return nil, nil, errors.Errorf("value is %T, want a *tensor.Dense", vg.Value())
	}
	gv, err := vg.Grad()
	if err != nil {
		return nil, nil, errors.Wrap(err, "gradient")
	}
	g, ok = gv.(*tensor.Dense)
	if !ok {
		return nil, nil, errors.Errorf("gradient is %T, want a *tensor.Dense", gv)
	}
	if dt := w.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, nil, errors.Errorf("weights must be float32 or float64, got %v", dt)
	}
	if g.Dtype() != w.Dtype() {
		return nil, nil, errors.Errorf("gradient dtype %v differs from weight dtype %v", g.Dtype(), w.Dtype())
	}
	if !sameShape(g.Shape(), w.Shape()) {
		return nil, nil, errors.Errorf("gradient shape %v differs from weight shape %v", g.Shape(), w.Shape())
	}
	if w.RequiresIterator() || g.RequiresIterator() {
		return nil, nil, errors.New("weights and gradient must be contiguous, not views")
	}
	// A scalar *tensor.Dense holds one value but reports a DataSize of 0.
	if n := w.Shape().TotalSize(); !w.Shape().IsScalar() && (w.DataSize() != n || g.DataSize() != n) {
		return nil, nil, errors.Errorf("weights hold %d values and gradient %d, want %d", w.DataSize(), g.DataSize(), n)
	}
	return w, g, nil
}

// paramName names parameter i for errors, with its node name when it has
// one.
func paramName(i int, vg gorgonia.ValueGrad) string {
	if n, ok := vg.(interface{ Name() string }); ok && n.Name() != "" {
		return fmt.Sprintf("parameter %d (%q)", i, n.Name())
	}
	return fmt.Sprintf("parameter %d", i)
}

// sameShape reports whether a and b have the same axes. Unlike
// tensor.Shape.Eq it tells (4, 1) from (4).
func sameShape(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkRange returns an error unless v is finite and within [lo, hi], or
// [lo, hi) when openHi is set. It names the optimizer and field.
func checkRange(opt, field string, v, lo, hi float64, openHi bool) error {
	bad := math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi || (openHi && v == hi)
	if !bad {
		return nil
	}
	closing := "]"
	if openHi {
		closing = ")"
	}
	if hi == inf {
		return errors.Errorf("%s: %s must be >= %v and finite, got %v", opt, field, lo, v)
	}
	return errors.Errorf("%s: %s must be in [%v, %v%s, got %v", opt, field, lo, hi, closing, v)
}

// orDefault is v, or def when v is zero.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// inf is the upper bound of fields that have none: checkRange asks them to
// be finite.
const inf = math.MaxFloat64
