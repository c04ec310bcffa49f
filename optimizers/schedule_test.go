package optimizers_test

import (
	"math"
	"strings"
	"testing"

	"github.com/profundo/profundo/optimizers"
)

// The Keras 3 formulas (keras/src/optimizers/schedules/learning_rate_schedule.py)
// written out plainly, as references for the schedules.

func kerasExponential(init float64, steps int, rate float64, staircase bool) func(int) float64 {
	return func(step int) float64 {
		p := float64(step) / float64(steps)
		if staircase {
			p = math.Floor(p)
		}
		return init * math.Pow(rate, p)
	}
}

func kerasInverseTime(init float64, steps int, rate float64, staircase bool) func(int) float64 {
	return func(step int) float64 {
		p := float64(step) / float64(steps)
		if staircase {
			p = math.Floor(p)
		}
		return init / (1 + rate*p)
	}
}

func kerasPolynomial(init float64, steps int, end, power float64, cycle bool) func(int) float64 {
	return func(step int) float64 {
		s, d := float64(step), float64(steps)
		if cycle {
			m := 1.0
			if step != 0 {
				m = math.Ceil(s / d)
			}
			d *= m
		} else {
			s = math.Min(s, d)
		}
		return (init-end)*math.Pow(1-s/d, power) + end
	}
}

func kerasCosine(init float64, steps int, alpha float64, warmupTarget *float64, warmupSteps int) func(int) float64 {
	decay := func(s, d, from float64) float64 {
		c := 0.5 * (1 + math.Cos(math.Pi*s/d))
		return from * ((1-alpha)*c + alpha)
	}
	return func(step int) float64 {
		s, d := float64(step), float64(steps)
		if warmupTarget == nil {
			return decay(math.Min(s, d), d, init)
		}
		w := float64(warmupSteps)
		s = math.Min(s, d+w)
		if s < w {
			return (*warmupTarget-init)*(s/w) + init
		}
		return decay(s-w, d, *warmupTarget)
	}
}

func kerasRestarts(init float64, first int, tmul, mmul, alpha float64) func(int) float64 {
	return func(step int) float64 {
		f := float64(step) / float64(first)
		var i float64
		if tmul == 1 {
			i = math.Floor(f)
			f -= i
		} else {
			i = math.Floor(math.Log(1-f*(1-tmul)) / math.Log(tmul))
			sum := (1 - math.Pow(tmul, i)) / (1 - tmul)
			f = (f - sum) / math.Pow(tmul, i)
		}
		c := 0.5 * math.Pow(mmul, i) * (1 + math.Cos(math.Pi*f))
		return init * ((1-alpha)*c + alpha)
	}
}

func ptr(v float64) *float64 { return &v }

func TestScheduleRates(t *testing.T) {
	steps := []int{0, 1, 2, 3, 5, 7, 9, 10, 11, 13, 19, 20, 21, 29, 30, 31, 45, 69, 71, 100, 1000}
	tests := []struct {
		name  string
		sched optimizers.Schedule
		want  func(int) float64
	}{
		{"exponential", optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: 10, DecayRate: 0.96},
			kerasExponential(0.1, 10, 0.96, false)},
		{"exponential staircase", optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: 10, DecayRate: 0.5, Staircase: true},
			kerasExponential(0.1, 10, 0.5, true)},
		{"inverse time", optimizers.InverseTimeDecay{InitialLearningRate: 0.1, DecaySteps: 1, DecayRate: 0.5},
			kerasInverseTime(0.1, 1, 0.5, false)},
		{"inverse time staircase", optimizers.InverseTimeDecay{InitialLearningRate: 0.2, DecaySteps: 7, DecayRate: 2, Staircase: true},
			kerasInverseTime(0.2, 7, 2, true)},
		{"polynomial defaults", optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 20},
			kerasPolynomial(0.1, 20, 0.0001, 1, false)},
		{"polynomial sqrt", optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 30, EndLearningRate: 0.01, Power: 0.5},
			kerasPolynomial(0.1, 30, 0.01, 0.5, false)},
		{"polynomial cycle", optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 10, EndLearningRate: 0.02, Power: 2, Cycle: true},
			kerasPolynomial(0.1, 10, 0.02, 2, true)},
		{"cosine", optimizers.CosineDecay{InitialLearningRate: 0.1, DecaySteps: 30},
			kerasCosine(0.1, 30, 0, nil, 0)},
		{"cosine alpha", optimizers.CosineDecay{InitialLearningRate: 0.1, DecaySteps: 20, Alpha: 0.1},
			kerasCosine(0.1, 20, 0.1, nil, 0)},
		{"cosine warm-up from 0", optimizers.CosineDecay{DecaySteps: 30, WarmupTarget: 0.1, WarmupSteps: 10},
			kerasCosine(0, 30, 0, ptr(0.1), 10)},
		{"cosine warm-up from a rate, alpha", optimizers.CosineDecay{InitialLearningRate: 0.01, DecaySteps: 20, Alpha: 0.2, WarmupTarget: 0.5, WarmupSteps: 7},
			kerasCosine(0.01, 20, 0.2, ptr(0.5), 7)},
		{"cosine warm-up target, no warm-up steps", optimizers.CosineDecay{InitialLearningRate: 0.3, DecaySteps: 20, WarmupTarget: 0.5},
			kerasCosine(0.3, 20, 0, ptr(0.5), 0)},
		{"restarts defaults", optimizers.CosineDecayRestarts{InitialLearningRate: 0.1, FirstDecaySteps: 10},
			kerasRestarts(0.1, 10, 2, 1, 0)},
		{"restarts t_mul 1, m_mul, alpha", optimizers.CosineDecayRestarts{InitialLearningRate: 0.1, FirstDecaySteps: 10, TMul: 1, MMul: 0.5, Alpha: 0.1},
			kerasRestarts(0.1, 10, 1, 0.5, 0.1)},
		{"restarts t_mul 1.5", optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 4, TMul: 1.5, MMul: 0.9},
			kerasRestarts(1, 4, 1.5, 0.9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, ok := tt.sched.(interface{ Validate() error }); !ok || v.Validate() != nil {
				t.Fatalf("Validate: %v", v.Validate())
			}
			for _, step := range steps {
				got, want := tt.sched.Rate(step), tt.want(step)
				if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Errorf("Rate(%d) = %v, want %v", step, got, want)
				}
			}
		})
	}
}

// Spot values worked out by hand, so the references above are checked too.
func TestScheduleKnownValues(t *testing.T) {
	tests := []struct {
		name  string
		sched optimizers.Schedule
		step  int
		want  float64
	}{
		{"exponential one period", optimizers.ExponentialDecay{InitialLearningRate: 1, DecaySteps: 10, DecayRate: 0.5}, 10, 0.5},
		{"exponential half period", optimizers.ExponentialDecay{InitialLearningRate: 1, DecaySteps: 10, DecayRate: 0.25}, 5, 0.5},
		{"exponential staircase holds", optimizers.ExponentialDecay{InitialLearningRate: 1, DecaySteps: 10, DecayRate: 0.5, Staircase: true}, 19, 0.5},
		{"piecewise first interval", optimizers.PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}}, 0, 1},
		{"piecewise at a boundary", optimizers.PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}}, 100, 1},
		{"piecewise after a boundary", optimizers.PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}}, 101, 0.5},
		{"piecewise at the last boundary", optimizers.PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}}, 110, 0.5},
		{"piecewise after the last", optimizers.PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}}, 111, 0.1},
		{"piecewise constant", optimizers.PiecewiseConstantDecay{Values: []float64{0.3}}, 12345, 0.3},
		{"inverse time", optimizers.InverseTimeDecay{InitialLearningRate: 0.1, DecaySteps: 1, DecayRate: 0.5}, 2, 0.05},
		{"polynomial halfway", optimizers.PolynomialDecay{InitialLearningRate: 1, DecaySteps: 10, EndLearningRate: 0.5}, 5, 0.75},
		{"polynomial holds the end", optimizers.PolynomialDecay{InitialLearningRate: 1, DecaySteps: 10}, 500, 0.0001},
		{"polynomial cycle stretches", optimizers.PolynomialDecay{InitialLearningRate: 1, DecaySteps: 10, EndLearningRate: 0.5, Cycle: true}, 15, 0.625},
		{"polynomial cycle jumps back", optimizers.PolynomialDecay{InitialLearningRate: 1, DecaySteps: 10, EndLearningRate: 0.5, Cycle: true}, 21, 0.65},
		{"polynomial cycle at a multiple", optimizers.PolynomialDecay{InitialLearningRate: 1, DecaySteps: 10, EndLearningRate: 0.5, Cycle: true}, 20, 0.5},
		{"cosine halfway", optimizers.CosineDecay{InitialLearningRate: 1, DecaySteps: 10}, 5, 0.5},
		{"cosine end", optimizers.CosineDecay{InitialLearningRate: 1, DecaySteps: 10, Alpha: 0.1}, 99, 0.1},
		{"warm-up halfway", optimizers.CosineDecay{DecaySteps: 10, WarmupTarget: 0.2, WarmupSteps: 4}, 2, 0.1},
		{"warm-up reached", optimizers.CosineDecay{DecaySteps: 10, WarmupTarget: 0.2, WarmupSteps: 4}, 4, 0.2},
		{"decay after warm-up", optimizers.CosineDecay{DecaySteps: 10, WarmupTarget: 0.2, WarmupSteps: 4}, 9, 0.1},
		{"restart 1 begins", optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 10, MMul: 0.5}, 10, 0.5},
		{"restart 1 halfway", optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 10, MMul: 0.5}, 20, 0.25},
		{"restart 2 begins", optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 10, MMul: 0.5}, 30, 0.25},
		{"restart 3 begins", optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 1, TMul: 3}, 13, 1},
		{"restarts t_mul 1", optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 4, TMul: 1}, 6, 0.5},
	}
	for _, tt := range tests {
		if got := tt.sched.Rate(tt.step); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: Rate(%d) = %v, want %v", tt.name, tt.step, got, tt.want)
		}
	}
}

// Every step of the first periods begins where a restart should: at the
// full rate times MMul^i, whatever the rounding of Keras's closed form.
func TestCosineDecayRestartsBoundaries(t *testing.T) {
	for _, tmul := range []float64{1, 2, 3, 1.5} {
		s := optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 8, TMul: tmul, MMul: 0.5}
		start, period := 0.0, 8.0
		for i := 0; i < 8; i++ {
			if start == math.Trunc(start) {
				if got, want := s.Rate(int(start)), math.Pow(0.5, float64(i)); math.Abs(got-want) > 1e-12 {
					t.Errorf("t_mul %v: restart %d at step %v has rate %v, want %v", tmul, i, start, got, want)
				}
			}
			start += period
			period *= tmul
		}
	}
}

func TestScheduleValidateErrors(t *testing.T) {
	tests := []struct {
		name  string
		sched interface{ Validate() error }
		want  string
	}{
		{"exponential steps", optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecayRate: 0.9}, "exponential_decay: DecaySteps must be > 0, got 0"},
		{"exponential negative steps", optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: -5, DecayRate: 0.9}, "DecaySteps must be > 0, got -5"},
		{"exponential rate", optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: 5}, "exponential_decay: DecayRate must be > 0 and finite, got 0"},
		{"exponential initial", optimizers.ExponentialDecay{InitialLearningRate: -0.1, DecaySteps: 5, DecayRate: 0.9}, "exponential_decay: InitialLearningRate must be > 0 and finite, got -0.1"},
		{"exponential zero value", optimizers.ExponentialDecay{}, "InitialLearningRate must be > 0 and finite, got 0"},
		{"inverse time NaN", optimizers.InverseTimeDecay{InitialLearningRate: 0.1, DecaySteps: 5, DecayRate: math.NaN()}, "inverse_time_decay: DecayRate must be > 0 and finite, got NaN"},
		{"inverse time steps", optimizers.InverseTimeDecay{InitialLearningRate: 0.1, DecayRate: 1}, "inverse_time_decay: DecaySteps must be > 0, got 0"},
		{"piecewise lengths", optimizers.PiecewiseConstantDecay{Boundaries: []int{10, 20}, Values: []float64{1, 0.5}},
			"piecewise_constant_decay: want one more value than boundaries, got 2 values [1 0.5] and 2 boundaries [10 20]"},
		{"piecewise zero value", optimizers.PiecewiseConstantDecay{}, "got 0 values [] and 0 boundaries []"},
		{"piecewise order", optimizers.PiecewiseConstantDecay{Boundaries: []int{10, 10}, Values: []float64{1, 0.5, 0.1}},
			"piecewise_constant_decay: Boundaries must be strictly increasing, got [10 10]"},
		{"piecewise negative", optimizers.PiecewiseConstantDecay{Boundaries: []int{10}, Values: []float64{1, -0.5}},
			"piecewise_constant_decay: Values[1] must be >= 0 and finite, got -0.5"},
		{"polynomial end", optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 5, EndLearningRate: -1}, "polynomial_decay: EndLearningRate must be >= 0 and finite, got -1"},
		{"polynomial power", optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 5, Power: -2}, "polynomial_decay: Power must be > 0 and finite, got -2"},
		{"polynomial steps", optimizers.PolynomialDecay{InitialLearningRate: 0.1}, "polynomial_decay: DecaySteps must be > 0, got 0"},
		{"polynomial initial", optimizers.PolynomialDecay{InitialLearningRate: math.Inf(1), DecaySteps: 3}, "polynomial_decay: InitialLearningRate must be >= 0 and finite, got +Inf"},
		{"cosine steps", optimizers.CosineDecay{InitialLearningRate: 0.1}, "cosine_decay: DecaySteps must be > 0, got 0"},
		{"cosine no rate", optimizers.CosineDecay{DecaySteps: 10}, "cosine_decay: InitialLearningRate must be > 0 and finite without a WarmupTarget, got 0"},
		{"cosine alpha", optimizers.CosineDecay{InitialLearningRate: 0.1, DecaySteps: 10, Alpha: 1.5}, "cosine_decay: Alpha must be in [0, 1], got 1.5"},
		{"cosine warm-up without target", optimizers.CosineDecay{InitialLearningRate: 0.1, DecaySteps: 10, WarmupSteps: 5},
			"cosine_decay: WarmupSteps is 5 but WarmupTarget is 0 (no warm-up)"},
		{"cosine warm-up steps", optimizers.CosineDecay{DecaySteps: 10, WarmupTarget: 0.1, WarmupSteps: -1}, "cosine_decay: WarmupSteps must be >= 0, got -1"},
		{"cosine warm-up target", optimizers.CosineDecay{DecaySteps: 10, WarmupTarget: -0.1, WarmupSteps: 3}, "cosine_decay: WarmupTarget must be >= 0 and finite, got -0.1"},
		{"restarts steps", optimizers.CosineDecayRestarts{InitialLearningRate: 0.1}, "cosine_decay_restarts: FirstDecaySteps must be > 0, got 0"},
		{"restarts t_mul", optimizers.CosineDecayRestarts{InitialLearningRate: 0.1, FirstDecaySteps: 5, TMul: 0.5}, "cosine_decay_restarts: TMul must be >= 1 and finite, got 0.5"},
		{"restarts m_mul", optimizers.CosineDecayRestarts{InitialLearningRate: 0.1, FirstDecaySteps: 5, MMul: -1}, "cosine_decay_restarts: MMul must be >= 0 and finite, got -1"},
		{"restarts alpha", optimizers.CosineDecayRestarts{InitialLearningRate: 0.1, FirstDecaySteps: 5, Alpha: -0.1}, "cosine_decay_restarts: Alpha must be in [0, 1], got -0.1"},
	}
	for _, tt := range tests {
		err := tt.sched.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
