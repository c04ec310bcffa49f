package optimizers

import (
	"math"

	"github.com/pkg/errors"
)

// CosineDecay follows a half cosine from a starting rate down to Alpha times
// it over DecaySteps steps, after an optional linear warm-up, as Keras's
// CosineDecay (Loshchilov & Hutter, SGDR; Goyal et al. for the warm-up).
//
// Without warm-up (WarmupTarget zero), with s = min(step, DecaySteps):
//
//	rate(step) = InitialLearningRate * ((1 - Alpha) * (1 + cos(pi s / DecaySteps)) / 2 + Alpha)
//
// With warm-up, the rate climbs linearly from InitialLearningRate at step 0
// towards WarmupTarget, which it reaches at step WarmupSteps; from there the
// cosine above runs from WarmupTarget over the next DecaySteps steps, and
// the rate stays at Alpha * WarmupTarget after that.
type CosineDecay struct {
	// InitialLearningRate is the rate of step 0, >= 0. Without warm-up it
	// must be > 0; with warm-up it is the starting point of the climb,
	// often 0.
	InitialLearningRate float64
	// DecaySteps is the length of the cosine; it must be > 0 (Keras has no
	// default).
	DecaySteps int
	// Alpha, in [0, 1], is the final rate as a fraction of the rate the
	// cosine starts from; zero (Keras's default) decays to 0.
	Alpha float64
	// WarmupTarget is the rate the warm-up climbs to, > 0; zero means no
	// warm-up (Keras's warmup_target=None): the cosine starts from
	// InitialLearningRate.
	WarmupTarget float64
	// WarmupSteps is the length of the warm-up, >= 0; zero (Keras's
	// default) means none. It needs a WarmupTarget.
	WarmupSteps int
}

// Rate returns the rate of step.
func (s CosineDecay) Rate(step int) float64 {
	x, d := float64(step), float64(s.DecaySteps)
	if s.WarmupTarget == 0 {
		return s.InitialLearningRate * cosineFactor(math.Min(x, d)/d, s.Alpha)
	}
	w := float64(s.WarmupSteps)
	x = math.Min(x, d+w)
	if x < w {
		return (s.WarmupTarget-s.InitialLearningRate)*(x/w) + s.InitialLearningRate
	}
	return s.WarmupTarget * cosineFactor((x-w)/d, s.Alpha)
}

// Validate returns an error naming the first bad field and its value.
func (s CosineDecay) Validate() error {
	const name = "cosine_decay"
	if v := s.InitialLearningRate; s.WarmupTarget == 0 && (!(v > 0) || math.IsInf(v, 0)) {
		return errors.Errorf("%s: InitialLearningRate must be > 0 and finite without a WarmupTarget, got %v", name, v)
	}
	if err := checkRate(name, "InitialLearningRate", s.InitialLearningRate); err != nil {
		return err
	}
	if err := checkSteps(name, "DecaySteps", s.DecaySteps); err != nil {
		return err
	}
	if err := checkAlpha(name, s.Alpha); err != nil {
		return err
	}
	if err := checkRate(name, "WarmupTarget", s.WarmupTarget); err != nil {
		return err
	}
	if s.WarmupSteps < 0 {
		return errors.Errorf("%s: WarmupSteps must be >= 0, got %d", name, s.WarmupSteps)
	}
	if s.WarmupSteps > 0 && s.WarmupTarget == 0 {
		return errors.Errorf("%s: WarmupSteps is %d but WarmupTarget is 0 (no warm-up); set the rate to warm up to", name, s.WarmupSteps)
	}
	return nil
}

// CosineDecayRestarts is a cosine decay that restarts, as Keras's
// CosineDecayRestarts (SGDR, Loshchilov & Hutter): the first period lasts
// FirstDecaySteps steps, each next one TMul times longer, and each restart
// begins at MMul times the previous period's starting rate. Within period
// i (from 0), at fraction f of it:
//
//	rate = InitialLearningRate * ((1 - Alpha) * MMul^i * (1 + cos(pi f)) / 2 + Alpha)
//
// Periods are located exactly: a step that begins a period restarts at its
// full rate, where Keras's closed form in floating point may land a step
// early or late.
type CosineDecayRestarts struct {
	// InitialLearningRate is the rate of step 0; it must be > 0.
	InitialLearningRate float64
	// FirstDecaySteps is the length of the first period; it must be > 0
	// (Keras has no default).
	FirstDecaySteps int
	// TMul, >= 1, is how much longer each period is than the one before;
	// zero means 2, Keras's default.
	TMul float64
	// MMul, >= 0, scales the starting rate at each restart; zero means 1,
	// Keras's default (use a tiny value to stop after the first period).
	MMul float64
	// Alpha, in [0, 1], is the lowest rate as a fraction of
	// InitialLearningRate; zero (Keras's default) decays to 0.
	Alpha float64
}

// Rate returns the rate of step.
func (s CosineDecayRestarts) Rate(step int) float64 {
	tmul, mmul := orDefault(s.TMul, 2), orDefault(s.MMul, 1)
	f := float64(step) / float64(s.FirstDecaySteps)
	var i float64
	if tmul == 1 {
		i = math.Floor(f)
		f -= i
	} else {
		// start(i) is where period i begins, in units of the first period:
		// (1 - tmul^i) / (1 - tmul). Keras's closed form for i, corrected
		// where rounding puts f on the wrong side of a boundary.
		start := func(i float64) float64 { return (1 - math.Pow(tmul, i)) / (1 - tmul) }
		i = math.Floor(math.Log(1-f*(1-tmul)) / math.Log(tmul))
		for i > 0 && f < start(i) {
			i--
		}
		for f >= start(i+1) {
			i++
		}
		f = (f - start(i)) / math.Pow(tmul, i)
	}
	m := math.Pow(mmul, i)
	cos := 0.5 * m * (1 + math.Cos(math.Pi*f))
	return s.InitialLearningRate * ((1-s.Alpha)*cos + s.Alpha)
}

// Validate returns an error naming the first bad field and its value.
func (s CosineDecayRestarts) Validate() error {
	const name = "cosine_decay_restarts"
	if err := checkInitial(name, s.InitialLearningRate); err != nil {
		return err
	}
	if err := checkSteps(name, "FirstDecaySteps", s.FirstDecaySteps); err != nil {
		return err
	}
	if tmul := orDefault(s.TMul, 2); tmul < 1 || math.IsNaN(tmul) || math.IsInf(tmul, 0) {
		return errors.Errorf("%s: TMul must be >= 1 and finite, got %v", name, s.TMul)
	}
	if err := checkRate(name, "MMul", s.MMul); err != nil {
		return err
	}
	return checkAlpha(name, s.Alpha)
}

// cosineFactor is Keras's decayed multiplier at fraction f of a cosine:
// (1 - alpha) * (1 + cos(pi f)) / 2 + alpha.
func cosineFactor(f, alpha float64) float64 {
	return (1-alpha)*0.5*(1+math.Cos(math.Pi*f)) + alpha
}

func checkAlpha(sched string, alpha float64) error {
	if alpha < 0 || alpha > 1 || math.IsNaN(alpha) {
		return errors.Errorf("%s: Alpha must be in [0, 1], got %v", sched, alpha)
	}
	return nil
}
