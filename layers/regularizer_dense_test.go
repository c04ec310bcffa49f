package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestDenseWithRegularizersPassesTheHarness(t *testing.T) {
	for _, training := range []bool{false, true} {
		d := &layers.Dense{
			Units: 3, Activation: layers.Tanh,
			KernelRegularizer: layers.L2{L2: 0.1}, BiasRegularizer: layers.L1{}, ActivityRegularizer: layers.L1L2{L1: 0.01, L2: 0.01},
			KernelConstraint: layers.MaxNorm{MaxValue: 1}, BiasConstraint: layers.NonNeg{},
		}
		layertest.Check(t, d, layers.Shape{4}, layers.Shape{3}, layertest.Options{Training: training})
	}
}

// denseWith builds d for 2 inputs with kernel [[1, -2], [0.5, 3]] and bias
// [0.25, -1], and returns a graph of batch 2 over x = [[1, 2], [-1, 0.5]].
func denseWith(t *testing.T, d *layers.Dense, dt tensor.Dtype, noLosses bool) (*layers.Call, *gorgonia.Node, *gorgonia.Node) {
	t.Helper()
	d.Name = "d"
	if _, err := d.Build(&layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(1)), Name: "d"}, layers.Shape{2}); err != nil {
		t.Fatal(err)
	}
	ws := d.Weights()
	copy64 := func(w *layers.Weight, vals []float64) {
		switch v := w.Value.Data().(type) {
		case []float32:
			for i := range v {
				v[i] = float32(vals[i])
			}
		case []float64:
			copy(v, vals)
		}
	}
	copy64(ws[0], []float64{1, -2, 0.5, 3})
	if len(ws) > 1 {
		copy64(ws[1], []float64{0.25, -1})
	}
	c := layers.NewCall(dt, 2, true)
	c.InputGrads = true // the tests differentiate with respect to x
	c.NoLosses = noLosses
	xv := denseOf(dt, []int{2, 2}, []float64{1, 2, -1, 0.5})
	x := gorgonia.NewMatrix(c.Graph, dt, gorgonia.WithShape(2, 2), gorgonia.WithName("x"), gorgonia.WithValue(xv))
	out, err := d.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	return c, x, out
}

func TestDenseRegularizationLosses(t *testing.T) {
	// x·W + b = [[2.25, 3], [-0.5, 2.5]]; relu keeps [[2.25, 3], [0, 2.5]].
	kernelL2 := 0.1 * (1 + 4 + 0.25 + 9)
	biasL1 := 0.2 * 1.25
	activity := 0.5 * (2.25*2.25 + 9 + 6.25) / 2
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		d := &layers.Dense{Units: 2, Activation: layers.ReLU,
			KernelRegularizer: layers.L2{L2: 0.1}, BiasRegularizer: layers.L1{L1: 0.2}, ActivityRegularizer: layers.L2{L2: 0.5}}
		c, _, out := denseWith(t, d, dt, false)
		if len(c.Losses()) != 3 {
			t.Fatalf("%v: %d losses, want 3", dt, len(c.Losses()))
		}
		base, err := gorgonia.Sum(out)
		if err != nil {
			t.Fatal(err)
		}
		total, err := c.TotalLoss(base)
		if err != nil {
			t.Fatal(err)
		}
		m := gorgonia.NewTapeMachine(c.Graph)
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		for i, want := range []float64{kernelL2, biasL1, activity} {
			if got := scalarValue(t, c.Losses()[i]); math.Abs(got-want) > 1e-5 {
				t.Errorf("%v: loss %d is %v, want %v", dt, i, got, want)
			}
		}
		if got, want := scalarValue(t, total), 2.25+3+2.5+kernelL2+biasL1+activity; math.Abs(got-want) > 1e-5 {
			t.Errorf("%v: total loss %v, want %v", dt, got, want)
		}
		m.Close()
	}
}

func TestDenseLossesLeftOut(t *testing.T) {
	d := &layers.Dense{Units: 2, KernelRegularizer: layers.L2{}, BiasRegularizer: layers.L2{}, ActivityRegularizer: layers.L1{}}
	if c, _, _ := denseWith(t, d, tensor.Float64, true); len(c.Losses()) != 0 {
		t.Errorf("NoLosses: %d losses, want none", len(c.Losses()))
	}
	// NoBias ignores the bias regularizer and constraint, as Keras does.
	d = &layers.Dense{Units: 2, NoBias: true, KernelRegularizer: layers.L2{}, BiasRegularizer: layers.L2{}, BiasConstraint: layers.NonNeg{}}
	if c, _, _ := denseWith(t, d, tensor.Float64, false); len(c.Losses()) != 1 {
		t.Errorf("NoBias: %d losses, want the kernel's only", len(c.Losses()))
	}
	if c, _, _ := denseWith(t, &layers.Dense{Units: 2}, tensor.Float64, false); len(c.Losses()) != 0 {
		t.Errorf("no regularizers: %d losses", len(c.Losses()))
	}
}

// The gradient of the total loss includes the penalties'.
func TestDenseTotalLossGradient(t *testing.T) {
	d := &layers.Dense{Units: 2, Activation: layers.Tanh,
		KernelRegularizer: layers.L2{L2: 0.3}, BiasRegularizer: layers.L1L2{L2: 0.2}, ActivityRegularizer: layers.L2{L2: 0.7}}
	c, x, out := denseWith(t, d, tensor.Float64, false)
	base, err := gorgonia.Sum(out)
	if err != nil {
		t.Fatal(err)
	}
	total, err := c.TotalLoss(base)
	if err != nil {
		t.Fatal(err)
	}
	wrt := append(gorgonia.Nodes{x}, c.Learnables()...)
	if err := gradcheck.Graph(total, wrt, gradcheck.Options{}); err != nil {
		t.Error(err)
	}
}

func TestCallLosses(t *testing.T) {
	c := layers.NewCall(tensor.Float32, 2, false)
	v := gorgonia.NewVector(c.Graph, tensor.Float32, gorgonia.WithShape(2), gorgonia.WithName("v"))
	s64 := gorgonia.NewScalar(c.Graph, tensor.Float64, gorgonia.WithName("s64"))
	wantError(t, c.AddLoss(nil), "add loss: node is nil")
	wantError(t, c.AddLoss(v), `add loss: "v" must be a scalar, got shape (2)`)
	wantError(t, c.AddLoss(s64), `add loss: "s64" is float64 in a float32 graph`)
	if len(c.Losses()) != 0 {
		t.Errorf("failed AddLoss calls left %d losses", len(c.Losses()))
	}
	loss := gorgonia.NewScalar(c.Graph, tensor.Float32, gorgonia.WithName("loss"))
	if got, err := c.TotalLoss(loss); got != loss || err != nil {
		t.Errorf("TotalLoss without losses = %v, %v; want the loss itself", got, err)
	}
	_, err := c.TotalLoss(nil)
	wantError(t, err, "total loss: loss is nil")
}

func TestDenseRegularizerConstraintBuild(t *testing.T) {
	d := &layers.Dense{Name: "d", Units: 2, KernelConstraint: layers.MaxNorm{}, BiasConstraint: layers.NonNeg{}}
	if _, err := build(t, d, layers.Shape{3}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	ws := d.Weights()
	if ws[0].Constraint != (layers.MaxNorm{}) || ws[1].Constraint != (layers.NonNeg{}) {
		t.Errorf("weight constraints %#v %#v, want the layer's", ws[0].Constraint, ws[1].Constraint)
	}
	// Build does not apply them: Keras constrains after optimizer steps.
	tight := &layers.Dense{Name: "e", Units: 2, KernelConstraint: layers.MaxNorm{MaxValue: 1e-3}}
	plain := &layers.Dense{Name: "e", Units: 2}
	for _, l := range []*layers.Dense{tight, plain} {
		if _, err := build(t, l, layers.Shape{3}, tensor.Float32); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := floats(tight.Weights()[0].Value), floats(plain.Weights()[0].Value); !reflect.DeepEqual(a, b) {
		t.Errorf("Build applied the kernel constraint: %v, unconstrained %v", a, b)
	}
	tests := []struct {
		name  string
		layer *layers.Dense
		want  string
	}{
		{"kernel constraint axis", &layers.Dense{Name: "k", Units: 2, KernelConstraint: layers.UnitNorm{Axis: 2}},
			`dense "k": kernel constraint: unit_norm: axis 2 is out of range for a weight of shape (3, 2)`},
		{"bias constraint axis", &layers.Dense{Name: "b", Units: 2, BiasConstraint: layers.MaxNorm{Axis: 1}},
			`dense "b": bias constraint: max_norm: axis 1 is out of range for a weight of shape (2)`},
		{"kernel regularizer", &layers.Dense{Name: "r", Units: 2, KernelRegularizer: layers.L2{L2: -1}},
			`dense "r": kernel regularizer: l2: L2 must be >= 0 and finite, got -1`},
		{"activity regularizer", &layers.Dense{Name: "a", Units: 2, ActivityRegularizer: layers.L1L2{L1: math.NaN()}},
			`dense "a": activity regularizer: l1_l2: L1 must be >= 0 and finite, got NaN`},
	}
	for _, tt := range tests {
		_, err := build(t, tt.layer, layers.Shape{3}, tensor.Float32)
		wantError(t, err, tt.want)
	}
}

func TestDenseSpecRegularizersRoundTrip(t *testing.T) {
	ls := []*layers.Dense{
		{Name: "all", Units: 4, KernelRegularizer: layers.L2{L2: 1e-3}, BiasRegularizer: layers.L1{},
			ActivityRegularizer: layers.L1L2{L1: 0.1, L2: 0.2}, KernelConstraint: layers.MaxNorm{MaxValue: 3, Axis: 0},
			BiasConstraint: layers.NonNeg{}},
		{Name: "some", Units: 2, KernelConstraint: layers.MinMaxNorm{MinValue: 0.5, MaxValue: 2, Rate: 0.9, Axis: -1},
			BiasConstraint: layers.UnitNorm{}, ActivityRegularizer: layers.L1{L1: 0.5}},
	}
	for _, l := range ls {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		var back layers.Spec
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		got, err := layers.Unmarshal(back, nil)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if !reflect.DeepEqual(got, layers.Layer(l)) {
			t.Errorf("round trip of %s gave %#v, want %#v", js, got, l)
		}
	}
}

func TestDenseSpecRegularizersByHand(t *testing.T) {
	src := `{"kind": "dense", "config": {"units": 8,
		"kernel_regularizer": {"kind": "l2", "config": {"L2": 0.001}},
		"bias_regularizer": {"kind": "L1"},
		"activity_regularizer": {"kind": "l1_l2", "config": {"L1": 0.01}},
		"kernel_constraint": {"kind": "max_norm", "config": {"MaxValue": 3}},
		"bias_constraint": {"kind": "non_neg"}}}`
	var spec layers.Spec
	if err := json.Unmarshal([]byte(src), &spec); err != nil {
		t.Fatal(err)
	}
	l, err := layers.Unmarshal(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &layers.Dense{Units: 8, KernelRegularizer: layers.L2{L2: 0.001}, BiasRegularizer: layers.L1{},
		ActivityRegularizer: layers.L1L2{L1: 0.01}, KernelConstraint: layers.MaxNorm{MaxValue: 3}, BiasConstraint: layers.NonNeg{}}
	if !reflect.DeepEqual(l, layers.Layer(want)) {
		t.Errorf("got %#v, want %#v", l, want)
	}
	// Without them, the JSON has no such keys.
	js, err := json.Marshal(&layers.Dense{Units: 2})
	if err != nil || string(js) != `{"units":2}` {
		t.Errorf("plain dense: %s, %v", js, err)
	}
}

// customRegularizer is not one of the package's: it cannot be saved.
type customRegularizer struct{}

func (customRegularizer) Penalty(w *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Sum(w) }

func TestDenseSpecRegularizerErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`{"kind": "dense", "config": {"units": 3, "kernel_regularizer": {"kind": "l3"}}}`, `kernel_regularizer: unknown regularizer "l3"`},
		{`{"kind": "dense", "config": {"units": 3, "activity_regularizer": {"kind": "l2", "config": {"l3": 1}}}}`,
			`activity_regularizer: regularizer l2: config: json: unknown field "l3"`},
		{`{"kind": "dense", "config": {"units": 3, "bias_regularizer": {"kind": "l1", "config": {"L1": "big"}}}}`, "bias_regularizer: regularizer l1: config"},
		{`{"kind": "dense", "config": {"units": 3, "kernel_constraint": {"kind": "clip"}}}`, `kernel_constraint: unknown constraint "clip"`},
		{`{"kind": "dense", "config": {"units": 3, "bias_constraint": {"kind": "max_norm", "config": {"Max": 1}}}}`,
			`bias_constraint: constraint max_norm: config: json: unknown field "Max"`},
		{`{"kind": "dense", "config": {"units": 3, "kernel_constraint": "max_norm"}}`, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		var spec layers.Spec
		if err := json.Unmarshal([]byte(tt.src), &spec); err != nil {
			t.Fatal(err)
		}
		_, err := layers.Unmarshal(spec, nil)
		wantError(t, err, tt.want)
	}
	_, err := layers.Marshal(&layers.Dense{Name: "d", Units: 2, KernelRegularizer: customRegularizer{}})
	wantError(t, err, `dense "d": kernel regularizer: regularizer layers_test.customRegularizer cannot be saved`)
}

// A Dense layer's regularizers add their penalties to the graph's losses;
// the model adds them to its loss with TotalLoss.
func ExampleCall_TotalLoss() {
	d := &layers.Dense{Name: "d", Units: 1, NoBias: true,
		KernelInitializer: layers.Constant{Value: 2}, KernelRegularizer: layers.L2{L2: 0.1}}
	if _, err := d.Build(&layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: d.Name}, layers.Shape{3}); err != nil {
		fmt.Println(err)
		return
	}
	c := layers.NewCall(tensor.Float64, 1, true)
	x := gorgonia.NewMatrix(c.Graph, tensor.Float64, gorgonia.WithShape(1, 3), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 1, 1}))))
	out, err := d.Forward(c, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, _ := gorgonia.Sum(out)    // 2 + 2 + 2
	total, err := c.TotalLoss(loss) // + 0.1 * (4 + 4 + 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := gorgonia.NewTapeMachine(c.Graph)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d loss, total %.1f\n", len(c.Losses()), total.Value().Data())
	// Output:
	// 1 loss, total 7.2
}
