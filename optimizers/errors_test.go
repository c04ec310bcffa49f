package optimizers_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

func TestNewSolverErrors(t *testing.T) {
	tests := []struct {
		name    string
		opt     optimizers.Optimizer
		wantErr string
	}{
		{"sgd negative lr", optimizers.SGD{LearningRate: -3}, "sgd: LearningRate must be >= 0 and finite, got -3"},
		{"sgd momentum", optimizers.SGD{Momentum: 1.5}, "sgd: Momentum must be in [0, 1], got 1.5"},
		{"sgd NaN lr", optimizers.SGD{LearningRate: math.NaN()}, "sgd: LearningRate must be >= 0 and finite, got NaN"},
		{"adam infinite lr", optimizers.Adam{LearningRate: math.Inf(1)}, "adam: LearningRate must be >= 0 and finite, got +Inf"},
		{"adam beta1 1", optimizers.Adam{Beta1: 1}, "adam: Beta1 must be in [0, 1), got 1"},
		{"adam beta2 negative", optimizers.Adam{Beta2: -0.1}, "adam: Beta2 must be in [0, 1), got -0.1"},
		{"adam epsilon", optimizers.Adam{Epsilon: -1e-8}, "adam: Epsilon must be >= 0 and finite, got -1e-08"},
		{"adamw decay", optimizers.AdamW{WeightDecay: -0.1}, "adamw: WeightDecay must be >= 0 and finite, got -0.1"},
		{"adamw beta1", optimizers.AdamW{Beta1: 2}, "adamw: Beta1 must be in [0, 1), got 2"},
		{"rmsprop rho", optimizers.RMSProp{Rho: 1}, "rmsprop: Rho must be in [0, 1), got 1"},
		{"rmsprop momentum", optimizers.RMSProp{Momentum: -0.5}, "rmsprop: Momentum must be in [0, 1], got -0.5"},
		{"rmsprop lr", optimizers.RMSProp{LearningRate: -1}, "rmsprop: LearningRate must be >= 0 and finite, got -1"},
		{"adagrad accumulator", optimizers.AdaGrad{InitialAccumulator: -1}, "adagrad: InitialAccumulator must be >= 0 and finite, got -1"},
		{"adagrad epsilon", optimizers.AdaGrad{Epsilon: math.NaN()}, "adagrad: Epsilon must be >= 0 and finite, got NaN"},
		{"clip norm", optimizers.Adam{Clip: optimizers.Clip{Norm: -1}}, "adam: Clip.Norm must be >= 0 and finite, got -1"},
		{"clip value", optimizers.SGD{Clip: optimizers.Clip{Value: math.Inf(1)}}, "sgd: Clip.Value must be >= 0 and finite, got +Inf"},
		{"clip two fields", optimizers.RMSProp{Clip: optimizers.Clip{Norm: 1, Value: 0.5}}, "rmsprop: only one of Clip.Norm, Clip.GlobalNorm and Clip.Value can be set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.opt.NewSolver()
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NewSolver() = %v, %v; want error containing %q", s, err, tc.wantErr)
			}
		})
	}
}

func TestStepErrors(t *testing.T) {
	f64 := func() *param { return newParam("w", tensor.Float64, []int{2, 2}, []float64{1, 2, 3, 4}) }
	tests := []struct {
		name    string
		first   []gorgonia.ValueGrad // a successful first step, or nil
		bad     func() []gorgonia.ValueGrad
		wantErr string
	}{
		{"no parameters", nil, func() []gorgonia.ValueGrad { return nil }, "adam: no parameters to update"},
		{"count changes", vgs(f64()), func() []gorgonia.ValueGrad { return vgs(f64(), f64()) },
			"adam: got 2 parameters, the solver was first stepped with 1"},
		{"shape changes", vgs(f64()), func() []gorgonia.ValueGrad {
			return vgs(newParam("w", tensor.Float64, []int{4}, []float64{1, 2, 3, 4}))
		}, `adam: parameter 0 ("w") is float64 (4), the solver was first stepped with float64 (2, 2)`},
		{"dtype changes", vgs(f64()), func() []gorgonia.ValueGrad {
			return vgs(newParam("w", tensor.Float32, []int{2, 2}, []float64{1, 2, 3, 4}))
		}, `adam: parameter 0 ("w") is float32 (2, 2), the solver was first stepped with float64 (2, 2)`},
		{"gradient shape", nil, func() []gorgonia.ValueGrad {
			p := f64()
			p.g = tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(4))
			return vgs(p)
		}, `adam: parameter 0 ("w"): gradient shape (4) differs from weight shape (2, 2)`},
		{"gradient dtype", nil, func() []gorgonia.ValueGrad {
			p := f64()
			p.g = tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 2))
			return vgs(p)
		}, "gradient dtype float32 differs from weight dtype float64"},
		{"no gradient", nil, func() []gorgonia.ValueGrad {
			p := f64()
			p.gradErr = true
			return vgs(p)
		}, `adam: parameter 0 ("w"): gradient: no gradient`},
		{"int weights", nil, func() []gorgonia.ValueGrad {
			return vgs(&param{name: "i", w: tensor.New(tensor.WithBacking([]int{1, 2})), g: tensor.New(tensor.WithBacking([]int{1, 2}))})
		}, "weights must be float32 or float64, got int"},
		{"second parameter bad", nil, func() []gorgonia.ValueGrad {
			p := f64()
			p.name = "b"
			p.g = tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2))
			return vgs(f64(), p)
		}, `parameter 1 ("b"): gradient shape (2) differs`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := optimizers.Adam{}.NewSolver()
			if err != nil {
				t.Fatal(err)
			}
			if tc.first != nil {
				if err := s.Step(tc.first); err != nil {
					t.Fatalf("first step: %v", err)
				}
			}
			bad := tc.bad()
			var before [][]float64
			for _, vg := range bad {
				before = append(before, values(vg.(*param).w))
			}
			err = s.Step(bad)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Step error = %v, want it to contain %q", err, tc.wantErr)
			}
			for i, vg := range bad {
				after := values(vg.(*param).w)
				for j := range after {
					if after[j] != before[i][j] {
						t.Fatalf("a failed step changed parameter %d: %v -> %v", i, before[i], after)
					}
				}
			}
		})
	}
}

func TestByName(t *testing.T) {
	tests := []struct {
		name string
		lr   float64
		want optimizers.Optimizer
	}{
		{"sgd", 0, optimizers.SGD{}},
		{"sgd", 0.1, optimizers.SGD{LearningRate: 0.1}},
		{"adam", 0.01, optimizers.Adam{LearningRate: 0.01}},
		{"adamw", 0, optimizers.AdamW{}},
		{"rmsprop", 0.002, optimizers.RMSProp{LearningRate: 0.002}},
		{"adagrad", 0, optimizers.AdaGrad{}},
	}
	for _, tc := range tests {
		got, err := optimizers.ByName(tc.name, tc.lr)
		if err != nil {
			t.Errorf("ByName(%q, %v): %v", tc.name, tc.lr, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ByName(%q, %v) = %#v, want %#v", tc.name, tc.lr, got, tc.want)
		}
		if got.Name() != tc.name {
			t.Errorf("ByName(%q).Name() = %q", tc.name, got.Name())
		}
	}
	for _, name := range optimizers.Names() {
		o, err := optimizers.ByName(name, 0)
		if err != nil {
			t.Errorf("Names lists %q, but ByName: %v", name, err)
			continue
		}
		if _, err := o.NewSolver(); err != nil {
			t.Errorf("%s: NewSolver with defaults: %v", name, err)
		}
	}
	for _, bad := range []struct {
		name    string
		lr      float64
		wantErr string
	}{
		{"nadam", 0, `unknown optimizer "nadam"; known: sgd, adam, adamw, rmsprop, adagrad`},
		{"adam", -0.1, "adam: learning rate must be >= 0 and finite, got -0.1"},
	} {
		_, err := optimizers.ByName(bad.name, bad.lr)
		if err == nil || !strings.Contains(err.Error(), bad.wantErr) {
			t.Errorf("ByName(%q, %v) error = %v, want %q", bad.name, bad.lr, err, bad.wantErr)
		}
	}
}

func TestScalarParameter(t *testing.T) {
	s, err := optimizers.Adam{LearningRate: 0.1}.NewSolver()
	if err != nil {
		t.Fatal(err)
	}
	p := &param{name: "b", w: tensor.New(tensor.FromScalar(1.0)), g: tensor.New(tensor.FromScalar(2.0))}
	if err := s.Step(vgs(p)); err != nil {
		t.Fatal(err)
	}
	// Adam's first step is lr * g / (|g| + eps/sqrt(1-beta2)) ~ lr.
	if got := p.w.Data().(float64); math.Abs(got-0.9) > 1e-6 {
		t.Errorf("w = %v, want 0.9", got)
	}
	if got := p.g.Data().(float64); got != 0 {
		t.Errorf("gradient = %v after Step, want 0", got)
	}
}
