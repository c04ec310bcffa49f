package optimizers_test

import (
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// A solver restored from State takes the same step as the one it was saved
// from.
func TestStateRestoresTheNextStep(t *testing.T) {
	opts := []optimizers.Optimizer{
		optimizers.SGD{}, optimizers.SGD{Momentum: 0.9, Nesterov: true}, optimizers.Adam{}, optimizers.AdamW{},
		optimizers.RMSProp{Momentum: 0.5}, optimizers.AdaGrad{},
	}
	for _, opt := range opts {
		t.Run(opt.Name(), func(t *testing.T) {
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				a := newParam("a", dt, []int{2, 2}, []float64{0.5, -1, 2, 0.25})
				b := newParam("b", dt, []int{2}, []float64{1, -3})
				s1, err := opt.NewSolver()
				if err != nil {
					t.Fatal(err)
				}
				for step := 0; step < 2; step++ {
					a.setGrad([]float64{0.1, -0.2, 0.3, float64(step)})
					b.setGrad([]float64{-0.5, 0.7})
					if err := s1.Step(vgs(a, b)); err != nil {
						t.Fatal(err)
					}
				}
				s1.SetLearningRate(0.02)
				state := s1.(optimizers.Stateful).State()
				if state.Steps != 2 || state.LearningRate != 0.02 {
					t.Errorf("state has %d steps and rate %v", state.Steps, state.LearningRate)
				}
				s2, _ := opt.NewSolver()
				if err := s2.(optimizers.Stateful).SetState(state); err != nil {
					t.Fatal(err)
				}
				a2 := newParam("a", dt, []int{2, 2}, values(a.w))
				b2 := newParam("b", dt, []int{2}, values(b.w))
				for _, p := range []struct{ x, y *param }{{a, a2}, {b, b2}} {
					g := []float64{0.3, -0.1, 0.2, 0.4}[:len(values(p.x.w))]
					p.x.setGrad(g)
					p.y.setGrad(g)
				}
				if err := s1.Step(vgs(a, b)); err != nil {
					t.Fatal(err)
				}
				if err := s2.Step(vgs(a2, b2)); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(values(a.w), values(a2.w)) || !reflect.DeepEqual(values(b.w), values(b2.w)) {
					t.Errorf("%v: restored solver stepped to %v %v, the original to %v %v", dt, values(a2.w), values(b2.w), values(a.w), values(b.w))
				}
			}
		})
	}
}

func TestSetStateErrors(t *testing.T) {
	s, _ := optimizers.Adam{}.NewSolver()
	one := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))
	other := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, 2, 3}))
	tests := []struct {
		name  string
		state optimizers.State
		want  string
	}{
		{"bad rate", optimizers.State{Steps: 1, LearningRate: -1}, "learning rate -1"},
		{"slot count", optimizers.State{Steps: 1, LearningRate: 1e-3, Slots: [][]*tensor.Dense{{one}}}, "1 state slots, want 2"},
		{"slot shapes", optimizers.State{Steps: 1, LearningRate: 1e-3, Slots: [][]*tensor.Dense{{one, other}}}, "slot 1"},
	}
	for _, tt := range tests {
		err := s.(optimizers.Stateful).SetState(tt.state)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}
