package parity

import (
	"encoding/json"
	"reflect"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
)

// lossCase is a loss on one batch of predictions: its value as a model
// minimizes it (for reduction none, the sum of the per-unit losses, which
// are given too) and its gradient with respect to the predictions.
type lossCase struct {
	Case
	Loss        layers.Spec `json:"loss"`
	Shape       []int       `json:"shape"`
	Pred        Values      `json:"pred"`
	TargetShape []int       `json:"target_shape"`
	Target      Values      `json:"target"`
	Value       float64     `json:"value"`
	DPred       Values      `json:"dpred"`
	UnitsShape  []int       `json:"units_shape"`
	Units       Values      `json:"units"`
}

// lossOf makes the loss a spec names, its config decoded strictly into the
// loss's fields, as a saved model's loss is.
func lossOf(t *testing.T, s layers.Spec) losses.Loss {
	t.Helper()
	l, err := losses.ByName(s.Kind)
	if err != nil {
		t.Fatal(err)
	}
	p := reflect.New(reflect.TypeOf(l))
	p.Elem().Set(reflect.ValueOf(l))
	if len(s.Config) > 0 {
		if err := json.Unmarshal(s.Config, p.Interface()); err != nil {
			t.Fatalf("loss config %s: %v", s.Config, err)
		}
	}
	return p.Elem().Interface().(losses.Loss)
}

// Every loss and option against testdata/losses.json (gen_losses.py),
// through a model of one linear activation: the loss's value and its
// gradient with respect to the predictions, from models.Gradients.
func TestLosses(t *testing.T) {
	cases, err := Load[lossCase]("testdata/losses.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("%d cases, want at least 100", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			defer c.Explain(t)
			dt, err := c.Dtype()
			if err != nil {
				t.Fatal(err)
			}
			loss := lossOf(t, c.Loss)
			m := models.NewSequential(&layers.Input{Shape: layers.Shape(c.Shape[1:])}, &layers.Activation{Func: layers.Linear})
			if err := m.Compile(models.Config{Loss: loss, DType: dt}); err != nil {
				t.Fatalf("compile: %v", err)
			}
			x := c.Pred.Tensor(dt, c.Shape...)
			y := c.Target.Tensor(dt, c.TargetShape...)
			res, err := models.Gradients(m, []*tensor.Dense{x}, []*tensor.Dense{y}, models.GradientConfig{Inputs: true})
			if err != nil {
				t.Fatalf("gradients: %v", err)
			}
			if msg := Compare("loss", []float64{res.Loss}, []float64{c.Value}, c.RTol, c.ATol); msg != "" {
				t.Error(msg)
			}
			if msg := Compare("dpred", Floats(res.Inputs[0]), c.DPred, c.RTol, c.ATol); msg != "" {
				t.Error(msg)
			}
			if c.Units != nil {
				units := runLoss(t, loss, x, y)
				if !units.Shape().Eq(tensor.Shape(c.UnitsShape)) {
					t.Errorf("per-unit losses of shape %v, want %v", units.Shape(), c.UnitsShape)
				}
				if msg := Compare("units", Floats(units), c.Units, c.RTol, c.ATol); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

// runLoss evaluates loss.Build(pred, target) on its own graph.
func runLoss(t *testing.T, loss losses.Loss, pred, target *tensor.Dense) *tensor.Dense {
	t.Helper()
	g := gorgonia.NewGraph()
	p := gorgonia.NewTensor(g, pred.Dtype(), pred.Dims(), gorgonia.WithShape(pred.Shape()...), gorgonia.WithValue(pred), gorgonia.WithName("pred"))
	tgt := target
	if enc, ok := loss.(losses.TargetEncoder); ok {
		var err error
		if tgt, err = enc.EncodeTargets(target, pred.Shape()[1:]); err != nil {
			t.Fatal(err)
		}
	}
	y := gorgonia.NewTensor(g, tgt.Dtype(), tgt.Dims(), gorgonia.WithShape(tgt.Shape()...), gorgonia.WithValue(tgt), gorgonia.WithName("target"))
	out, err := loss.Build(p, y)
	if err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return out.Value().(*tensor.Dense).Clone().(*tensor.Dense)
}
