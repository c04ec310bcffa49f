package parity

import (
	"encoding/json"
	"reflect"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/optimizers"
)

// optimizerCase is an optimizer run over a few steps from given weights
// with given gradients: the weights after every step, and after
// FinalizeWeights (the moving averages with UseEMA).
type optimizerCase struct {
	Case
	Optimizer layers.Spec `json:"optimizer"`
	Params    []Named     `json:"params"`
	Grads     [][]Named   `json:"grads"`
	After     [][]Named   `json:"after"`
	Final     []Named     `json:"final"`
}

// weight is a named weight and its gradient, as a solver steps them: the
// gorgonia.ValueGrad of a bound learnable node.
type weight struct {
	name string
	w, g *tensor.Dense
}

func (p *weight) Value() gorgonia.Value                { return p.w }
func (p *weight) Grad() (gorgonia.Value, error)        { return p.g, nil }
func (p *weight) Name() string                         { return p.name }
func (p *weight) setGrad(dt tensor.Dtype, v []float64) { p.g = Values(v).Tensor(dt, p.w.Shape()...) }

// optimizerOf makes the optimizer a spec names, its config decoded
// strictly, as a saved model's optimizer is.
func optimizerOf(t *testing.T, s layers.Spec) optimizers.Optimizer {
	t.Helper()
	o, err := optimizers.ByName(s.Kind, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := reflect.New(reflect.TypeOf(o))
	p.Elem().Set(reflect.ValueOf(o))
	if len(s.Config) > 0 {
		if err := json.Unmarshal(s.Config, p.Interface()); err != nil {
			t.Fatalf("optimizer config %s: %v", s.Config, err)
		}
	}
	return p.Elem().Interface().(optimizers.Optimizer)
}

// Every optimizer and option against testdata/optimizers.json
// (gen_optimizers.py), step by step through the solver's Step.
func TestOptimizers(t *testing.T) {
	cases, err := Load[optimizerCase]("testdata/optimizers.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 40 {
		t.Fatalf("%d cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			defer c.Explain(t)
			dt, err := c.Dtype()
			if err != nil {
				t.Fatal(err)
			}
			s, err := optimizerOf(t, c.Optimizer).NewSolver()
			if err != nil {
				t.Fatal(err)
			}
			ws := make([]*weight, len(c.Params))
			vgs := make([]gorgonia.ValueGrad, len(c.Params))
			for i, p := range c.Params {
				ws[i] = &weight{name: p.Name, w: p.Values.Tensor(dt, p.Shape...)}
				vgs[i] = ws[i]
			}
			for step, grads := range c.Grads {
				for i, g := range grads {
					ws[i].setGrad(dt, g.Values)
				}
				if err := s.Step(vgs); err != nil {
					t.Fatalf("step %d: %v", step+1, err)
				}
				for i, want := range c.After[step] {
					if msg := Compare(want.Name, Floats(ws[i].w), want.Values, c.RTol, c.ATol); msg != "" {
						t.Fatalf("after step %d: %s", step+1, msg)
					}
				}
			}
			if f, ok := s.(optimizers.Finalizer); ok {
				if err := f.FinalizeWeights(); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range c.Final {
				if msg := Compare(want.Name, Floats(ws[i].w), want.Values, c.RTol, c.ATol); msg != "" {
					t.Errorf("final: %s", msg)
				}
			}
		})
	}
}
