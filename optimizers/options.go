package optimizers

import (
	"regexp"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Options are the settings Keras 3 gives every optimizer: an exponential
// moving average of the weights, and gradients accumulated over several
// batches before each update. The zero value turns both off. Every
// optimizer of this package embeds it, so its fields are the optimizer's
// (optimizers.Adam{Options: optimizers.Options{UseEMA: true}}) and are saved
// with it.
type Options struct {
	// UseEMA keeps an exponential moving average of each weight, updated
	// after every step: avg = EMAMomentum avg + (1 - EMAMomentum) w (avg = w
	// at the first step). FinalizeWeights, which Fit calls when training
	// ends, copies the averages into the weights. False means none.
	UseEMA bool `json:",omitempty"`
	// EMAMomentum, in [0, 1), is the average's momentum; zero means 0.99,
	// Keras's default. Only with UseEMA.
	EMAMomentum float64 `json:",omitempty"`
	// EMAOverwriteFrequency, when > 0, copies the averages into the
	// weights every that many steps; zero means only at FinalizeWeights.
	// Only with UseEMA.
	EMAOverwriteFrequency int `json:",omitempty"`
	// GradientAccumulationSteps, when > 1, accumulates the gradients of
	// that many steps and updates the weights at the last of them with
	// their mean; the other steps change no weight. Steps are counted as
	// Keras counts iterations, so the learning rate schedule and Adam's
	// bias correction see every step. Zero or 1 means an update every
	// step.
	GradientAccumulationSteps int `json:",omitempty"`
}

// validate checks the options' values.
func (o Options) validate(name string) error {
	if o.UseEMA {
		if err := checkRange(name, "EMAMomentum", o.emaMomentum(), 0, 1, true); err != nil {
			return err
		}
	}
	if o.EMAOverwriteFrequency < 0 {
		return errors.Errorf("%s: EMAOverwriteFrequency must be >= 0, got %d", name, o.EMAOverwriteFrequency)
	}
	if o.GradientAccumulationSteps < 0 {
		return errors.Errorf("%s: GradientAccumulationSteps must be >= 0, got %d", name, o.GradientAccumulationSteps)
	}
	return nil
}

func (o Options) emaMomentum() float64 { return orDefault(o.EMAMomentum, 0.99) }

// accumulating reports whether gradients are accumulated over steps.
func (o Options) accumulating() bool { return o.GradientAccumulationSteps > 1 }

// extras wires the options into c after the solver set its own slots: the
// accumulator and the average become the last state slots, so that
// checkpoints keep them.
func (c *core) extras(o Options, excludeFromDecay []string) error {
	if err := o.validate(c.name); err != nil {
		return err
	}
	for _, pat := range excludeFromDecay {
		re, err := regexp.Compile(pat)
		if err != nil {
			return errors.Wrapf(err, "%s: ExcludeFromWeightDecay %q", c.name, pat)
		}
		c.noDecay = append(c.noDecay, re)
	}
	c.opts = o
	c.base = c.slots
	if o.accumulating() {
		c.slots++
	}
	if o.UseEMA {
		c.slots++
	}
	return nil
}

// accSlot and emaSlot are the indexes of the accumulator and the average.
func (c *core) accSlot() int { return c.base }
func (c *core) emaSlot() int {
	if c.opts.accumulating() {
		return c.base + 1
	}
	return c.base
}

// accumulate runs at a step's start, after the gradients are bound: it
// adds them to the accumulator and zeroes them, except at an update step,
// where it replaces them with the mean of the accumulated ones and empties
// the accumulator. It reports whether the step updates the weights.
func (c *core) accumulate() bool {
	if !c.opts.accumulating() {
		return true
	}
	n := c.opts.GradientAccumulationSteps
	update := (c.steps+1)%n == 0
	k := c.accSlot()
	for i := range c.params {
		p := &c.params[i]
		if p.dtype == tensor.Float32 {
			accumulateInto(p.g32, p.state32[k], update, float32(n))
		} else {
			accumulateInto(p.g64, p.state64[k], update, float64(n))
		}
	}
	return update
}

func accumulateInto[T float](g, acc []T, update bool, n T) {
	acc = acc[:len(g)]
	for i := range g {
		if update {
			g[i] = (g[i] + acc[i]) / n
		} else {
			acc[i] += g[i]
			g[i] = 0
		}
		if update {
			acc[i] = 0
		}
	}
}

// end runs after every step, update or not: it moves the averages and,
// every EMAOverwriteFrequency steps, copies them into the weights.
func (c *core) end() {
	if !c.opts.UseEMA {
		return
	}
	m := c.opts.emaMomentum()
	if c.steps == 1 {
		m = 0
	}
	overwrite := c.opts.EMAOverwriteFrequency > 0 && c.steps%c.opts.EMAOverwriteFrequency == 0
	k := c.emaSlot()
	for i := range c.params {
		p := &c.params[i]
		if p.dtype == tensor.Float32 {
			average(p.w32, p.state32[k], float32(m), overwrite)
		} else {
			average(p.w64, p.state64[k], m, overwrite)
		}
	}
}

func average[T float](w, avg []T, m T, overwrite bool) {
	avg = avg[:len(w)]
	for i := range w {
		avg[i] = m*avg[i] + (1-m)*w[i]
		if overwrite {
			w[i] = avg[i]
		}
	}
}

// FinalizeWeights copies the moving averages into the weights the last
// step updated, as Keras's finalize_variable_values; without UseEMA, or
// before the first step, it does nothing. Fit calls it when training
// ends.
func (c *core) FinalizeWeights() error {
	if !c.opts.UseEMA || c.steps == 0 {
		return nil
	}
	k := c.emaSlot()
	for i := range c.params {
		p := &c.params[i]
		if p.dtype == tensor.Float32 {
			if len(p.w32) != len(p.state32[k]) {
				return errors.Errorf("%s: finalize: parameter %d is not bound to its weights", c.name, i)
			}
			copy(p.w32, p.state32[k])
		} else {
			if len(p.w64) != len(p.state64[k]) {
				return errors.Errorf("%s: finalize: parameter %d is not bound to its weights", c.name, i)
			}
			copy(p.w64, p.state64[k])
		}
	}
	return nil
}

// Finalizer is implemented by solvers that change the weights when
// training ends (FinalizeWeights: the moving averages of UseEMA).
type Finalizer interface {
	FinalizeWeights() error
}

// decays reports whether the parameter of node name takes weight decay:
// false when the name matches one of ExcludeFromWeightDecay's patterns.
func (c *core) decays(vg gorgonia.ValueGrad) bool {
	if len(c.noDecay) == 0 {
		return true
	}
	n, ok := vg.(interface{ Name() string })
	if !ok {
		return true
	}
	for _, re := range c.noDecay {
		if re.MatchString(n.Name()) {
			return false
		}
	}
	return true
}
