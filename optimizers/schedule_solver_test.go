package optimizers_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// SGD with a schedule moves each weight by rate(step) * g at step step,
// counting from 0, in both dtypes.
func TestScheduledSGDStepSizes(t *testing.T) {
	sched := optimizers.PiecewiseConstantDecay{Boundaries: []int{1, 3}, Values: []float64{0.5, 0.25, 0.125}}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		s, err := optimizers.SGD{LearningRate: 7, Schedule: sched}.NewSolver()
		if err != nil {
			t.Fatal(err)
		}
		p := newParam("w", dt, []int{2}, []float64{10, -10})
		for step := 0; step < 6; step++ {
			if got, want := s.LearningRate(), sched.Rate(step); got != want {
				t.Errorf("%v: LearningRate() before step %d = %v, want %v", dt, step, got, want)
			}
			before := values(p.w)
			p.setGrad([]float64{1, -2})
			if err := s.Step(vgs(p)); err != nil {
				t.Fatal(err)
			}
			after := values(p.w)
			lr := sched.Rate(step)
			for i, g := range []float64{1, -2} {
				if d := before[i] - after[i]; math.Abs(d-lr*g) > 1e-6 {
					t.Errorf("%v: step %d moved weight %d by %v, want %v * %v", dt, step, i, d, lr, g)
				}
			}
		}
	}
}

// Adam, AdamW and RMSProp with a schedule take the steps of their Keras
// update rule with the rate changing every step: the moments carry over.
func TestScheduledUpdatesKeepState(t *testing.T) {
	sched := optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: 1, DecayRate: 0.5}
	tests := []struct {
		name string
		opt  optimizers.Optimizer
		ref  reference
	}{
		{"adam", optimizers.Adam{Schedule: sched}, refAdam(0.9, 0.999, 1e-7, 0)},
		{"adamw", optimizers.AdamW{Schedule: sched, WeightDecay: 0.1}, refAdam(0.9, 0.999, 1e-7, 0.1)},
		{"rmsprop momentum", optimizers.RMSProp{Schedule: sched, Momentum: 0.5}, refRMSProp(0.9, 1e-7, 0.5)},
		{"sgd nesterov", optimizers.SGD{Schedule: sched, Momentum: 0.9, Nesterov: true}, refSGD(0.9, true)},
		{"adagrad", optimizers.AdaGrad{Schedule: sched}, refAdaGrad(0.1, 1e-7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.opt.NewSolver()
			if err != nil {
				t.Fatal(err)
			}
			w := []float64{0.5, -1.5, 2}
			p := newParam("w", tensor.Float64, []int{3}, w)
			state := make([][]float64, len(w))
			for i := range state {
				state[i] = make([]float64, tt.ref.slots)
				for k := range state[i] {
					state[i][k] = tt.ref.init
				}
			}
			gs := [][]float64{{0.1, -0.4, 1.5}, {-0.2, -0.3, 1}, {0.05, 0.2, -2}, {1, 1, 1}}
			for step, g := range gs {
				p.setGrad(g)
				if err := s.Step(vgs(p)); err != nil {
					t.Fatal(err)
				}
				for i := range w {
					w[i] = tt.ref.step(w[i], g[i], sched.Rate(step), step+1, state[i])
				}
				for i, got := range values(p.w) {
					if math.Abs(got-w[i]) > 1e-12 {
						t.Fatalf("step %d: weight %d is %v, want %v", step, i, got, w[i])
					}
				}
			}
		})
	}
}

// A solver restored from a checkpoint goes on along the schedule exactly
// as the one it was saved from, even from a rate of 0 (a warm-up's start).
func TestScheduledStateRoundTrip(t *testing.T) {
	sched := optimizers.CosineDecay{DecaySteps: 5, WarmupTarget: 0.1, WarmupSteps: 3}
	opts := []optimizers.Optimizer{
		optimizers.SGD{Schedule: sched}, optimizers.SGD{Schedule: sched, Momentum: 0.9},
		optimizers.Adam{Schedule: sched}, optimizers.AdamW{Schedule: sched},
		optimizers.RMSProp{Schedule: sched}, optimizers.AdaGrad{Schedule: sched},
	}
	for _, opt := range opts {
		t.Run(opt.Name(), func(t *testing.T) {
			for _, saveAt := range []int{0, 2, 4} {
				a := newParam("a", tensor.Float32, []int{2, 2}, []float64{0.5, -1, 2, 0.25})
				s1, _ := opt.NewSolver()
				grad := func(step int) []float64 { return []float64{0.1, -0.2, 0.3, float64(step)} }
				for step := 0; step < saveAt; step++ {
					a.setGrad(grad(step))
					if err := s1.Step(vgs(a)); err != nil {
						t.Fatal(err)
					}
				}
				state := s1.(optimizers.Stateful).State()
				if state.Steps != saveAt || state.LearningRate != sched.Rate(saveAt) {
					t.Errorf("saved at %d: state has %d steps and rate %v, want rate %v", saveAt, state.Steps, state.LearningRate, sched.Rate(saveAt))
				}
				s2, _ := opt.NewSolver()
				if err := s2.(optimizers.Stateful).SetState(state); err != nil {
					t.Fatalf("saved at %d: %v", saveAt, err)
				}
				b := newParam("a", tensor.Float32, []int{2, 2}, values(a.w))
				for step := saveAt; step < 9; step++ {
					a.setGrad(grad(step))
					b.setGrad(grad(step))
					if err := s1.Step(vgs(a)); err != nil {
						t.Fatal(err)
					}
					if err := s2.Step(vgs(b)); err != nil {
						t.Fatal(err)
					}
					if s1.LearningRate() != s2.LearningRate() {
						t.Errorf("saved at %d, step %d: rates %v and %v", saveAt, step, s1.LearningRate(), s2.LearningRate())
					}
				}
				if !reflect.DeepEqual(values(a.w), values(b.w)) {
					t.Errorf("saved at %d: restored solver reached %v, the original %v", saveAt, values(b.w), values(a.w))
				}
			}
		})
	}
}

// SetLearningRate has no effect on a scheduled solver; Scheduled tells.
func TestSetLearningRateWithSchedule(t *testing.T) {
	sched := optimizers.InverseTimeDecay{InitialLearningRate: 0.1, DecaySteps: 1, DecayRate: 1}
	s, err := optimizers.SGD{Schedule: sched}.NewSolver()
	if err != nil {
		t.Fatal(err)
	}
	s.SetLearningRate(3)
	if s.LearningRate() != 0.1 {
		t.Errorf("LearningRate() = %v after SetLearningRate(3), want the schedule's 0.1", s.LearningRate())
	}
	p := newParam("w", tensor.Float64, []int{1}, []float64{1})
	p.setGrad([]float64{1})
	if err := s.Step(vgs(p)); err != nil {
		t.Fatal(err)
	}
	if got := values(p.w)[0]; math.Abs(got-0.9) > 1e-15 {
		t.Errorf("w = %v after a step, want 0.9 (rate 0.1)", got)
	}
	if got := s.(optimizers.Scheduled).Schedule(); got != sched {
		t.Errorf("Schedule() = %v, want %v", got, sched)
	}
	plain, _ := optimizers.SGD{}.NewSolver()
	if got := plain.(optimizers.Scheduled).Schedule(); got != nil {
		t.Errorf("Schedule() of a solver without one = %v, want nil", got)
	}
}

func TestScheduleStepErrors(t *testing.T) {
	tests := []struct {
		name string
		rate float64
		want string
	}{
		{"negative", -0.5, "sgd: schedule optimizers.ScheduleFunc gives learning rate -0.5 at step 2, want >= 0 and finite"},
		{"NaN", math.NaN(), "gives learning rate NaN at step 2"},
		{"infinite", math.Inf(1), "gives learning rate +Inf at step 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sched := optimizers.ScheduleFunc(func(step int) float64 {
				if step == 2 {
					return tt.rate
				}
				return 0.1
			})
			s, err := optimizers.SGD{Schedule: sched, Momentum: 0.5}.NewSolver()
			if err != nil {
				t.Fatal(err)
			}
			p := newParam("w", tensor.Float64, []int{2}, []float64{1, 2})
			for step := 0; step < 2; step++ {
				p.setGrad([]float64{1, 1})
				if err := s.Step(vgs(p)); err != nil {
					t.Fatal(err)
				}
			}
			before := values(p.w)
			p.setGrad([]float64{1, 1})
			err = s.Step(vgs(p))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Step() = %v, want an error containing %q", err, tt.want)
			}
			if !reflect.DeepEqual(values(p.w), before) || s.(optimizers.Stateful).State().Steps != 2 {
				t.Errorf("a failed step changed the weights to %v or the step count to %d", values(p.w), s.(optimizers.Stateful).State().Steps)
			}
		})
	}
}

// A zero rate is a step that leaves the weights where they are.
func TestScheduleZeroRate(t *testing.T) {
	s, err := optimizers.Adam{Schedule: optimizers.CosineDecay{DecaySteps: 4, WarmupTarget: 0.1, WarmupSteps: 2}}.NewSolver()
	if err != nil {
		t.Fatal(err)
	}
	p := newParam("w", tensor.Float64, []int{2}, []float64{1, 2})
	p.setGrad([]float64{1, 1})
	if err := s.Step(vgs(p)); err != nil {
		t.Fatal(err)
	}
	if got := values(p.w); got[0] != 1 || got[1] != 2 {
		t.Errorf("weights %v after a step at rate 0, want [1 2]", got)
	}
}

func TestScheduleNewSolverErrors(t *testing.T) {
	bad := optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecayRate: 0.5}
	tests := []struct {
		opt  optimizers.Optimizer
		want string
	}{
		{optimizers.SGD{Schedule: bad}, "sgd: Schedule: exponential_decay: DecaySteps must be > 0, got 0"},
		{optimizers.Adam{Schedule: bad}, "adam: Schedule: exponential_decay: DecaySteps must be > 0, got 0"},
		{optimizers.AdamW{Schedule: bad}, "adamw: Schedule: exponential_decay"},
		{optimizers.RMSProp{Schedule: bad}, "rmsprop: Schedule: exponential_decay"},
		{optimizers.AdaGrad{Schedule: bad}, "adagrad: Schedule: exponential_decay"},
		{optimizers.Adam{Schedule: optimizers.ScheduleFunc(nil)}, "adam: Schedule is a nil ScheduleFunc"},
	}
	for _, tt := range tests {
		_, err := tt.opt.NewSolver()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewSolver() error %v, want %q", tt.opt.Name(), err, tt.want)
		}
	}
}
