package layers_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/layers"
)

// denseOf makes a float32 or float64 tensor of shape holding vals.
func denseOf(dt tensor.Dtype, shape []int, vals []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
}

// floats returns a float32 or float64 tensor's values as float64s.
func floats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	panic(fmt.Sprintf("floats: %v tensor", t.Dtype()))
}

// scalarValue returns a scalar node's value after a run.
func scalarValue(t *testing.T, n *gorgonia.Node) float64 {
	t.Helper()
	switch v := n.Value().Data().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	t.Fatalf("%q holds %T, want a float scalar", n.Name(), n.Value().Data())
	return 0
}

// penalty runs r's penalty on a node bound to w.
func penalty(t *testing.T, r layers.Regularizer, w *tensor.Dense) float64 {
	t.Helper()
	g := gorgonia.NewGraph()
	n := gorgonia.NewTensor(g, w.Dtype(), w.Dims(), gorgonia.WithShape(w.Shape()...), gorgonia.WithName("w"), gorgonia.WithValue(w))
	p, err := r.Penalty(n)
	if err != nil {
		t.Fatalf("Penalty: %v", err)
	}
	if !p.IsScalar() || p.Dtype() != w.Dtype() {
		t.Fatalf("penalty is %v %v, want a %v scalar", p.Dtype(), p.Shape(), w.Dtype())
	}
	if p.Graph() != g {
		t.Fatal("the penalty is not in the weight's graph")
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	return scalarValue(t, p)
}

func TestRegularizerPenalties(t *testing.T) {
	w := []float64{0.5, -1, 2, 0, -0.25, 3}
	abs, sq := 6.75, 0.25+1+4+0.0625+9
	tests := []struct {
		name string
		reg  layers.Regularizer
		want float64
	}{
		{"l1 default", layers.L1{}, 0.01 * abs},
		{"l1", layers.L1{L1: 0.5}, 0.5 * abs},
		{"l2 default", layers.L2{}, 0.01 * sq},
		{"l2", layers.L2{L2: 1e-3}, 1e-3 * sq},
		{"l1_l2 zero", layers.L1L2{}, 0},
		{"l1_l2 l1 only", layers.L1L2{L1: 0.2}, 0.2 * abs},
		{"l1_l2 l2 only", layers.L1L2{L2: 0.3}, 0.3 * sq},
		{"l1_l2", layers.L1L2{L1: 0.2, L2: 0.3}, 0.2*abs + 0.3*sq},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			got := penalty(t, tt.reg, denseOf(dt, []int{2, 3}, w))
			if math.Abs(got-tt.want) > 1e-5*math.Max(1, tt.want) {
				t.Errorf("%s %v: penalty %v, want %v", tt.name, dt, got, tt.want)
			}
		}
	}
	// A vector, as a bias is.
	if got := penalty(t, layers.L2{L2: 2}, denseOf(tensor.Float64, []int{3}, []float64{1, 2, 3})); got != 28 {
		t.Errorf("l2 of a vector: %v, want 28", got)
	}
}

func TestRegularizerGradients(t *testing.T) {
	// Away from 0, where |w| has no derivative.
	w := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0.5, -1, 2, 0.3, -0.25, 3}))
	for _, r := range []layers.Regularizer{layers.L1{L1: 0.3}, layers.L2{L2: 0.7}, layers.L1L2{L1: 0.1, L2: 0.2}, layers.L2{}} {
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			return r.Penalty(in[0])
		}, []*tensor.Dense{w}, gradcheck.Options{})
		if err != nil {
			t.Errorf("%#v: %v", r, err)
		}
	}
}

// At exactly 0, L1's gradient is taken as 0 (the sign of 0).
func TestL1GradientAtZero(t *testing.T) {
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(3), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithBacking([]float64{0, 2, -3}))))
	p, err := layers.L1{L1: 0.5}.Penalty(w)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := gorgonia.Grad(p, w)
	if err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := grads[0].Value().Data().([]float64)
	if want := []float64{0, 0.5, -0.5}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
}

func TestRegularizerErrors(t *testing.T) {
	tests := []struct {
		name string
		reg  layers.Regularizer
		want string
	}{
		{"l1 negative", layers.L1{L1: -0.1}, "l1: L1 must be >= 0 and finite, got -0.1"},
		{"l2 NaN", layers.L2{L2: math.NaN()}, "l2: L2 must be >= 0 and finite, got NaN"},
		{"l1_l2 l1", layers.L1L2{L1: math.Inf(1)}, "l1_l2: L1 must be >= 0 and finite, got +Inf"},
		{"l1_l2 l2", layers.L1L2{L2: -2}, "l1_l2: L2 must be >= 0 and finite, got -2"},
	}
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("w"))
	for _, tt := range tests {
		_, err := tt.reg.Penalty(w)
		wantError(t, err, tt.want)
		wantError(t, tt.reg.(interface{ Validate() error }).Validate(), tt.want)
	}
	wi := gorgonia.NewVector(g, tensor.Int, gorgonia.WithShape(2), gorgonia.WithName("ids"))
	_, err := layers.L2{}.Penalty(wi)
	wantError(t, err, `penalty of "ids": weights must be float32 or float64, got int`)
	_, err = layers.L1{}.Penalty(nil)
	wantError(t, err, "penalty of a nil node")
}

func TestRegularizerByName(t *testing.T) {
	tests := []struct {
		name string
		want layers.Regularizer
	}{
		{"l1", layers.L1{}}, {"l2", layers.L2{}}, {"l1_l2", layers.L1L2{}},
		{"L1", layers.L1{}}, {"L2", layers.L2{}}, {"L1L2", layers.L1L2{}},
	}
	for _, tt := range tests {
		got, err := layers.RegularizerByName(tt.name)
		if err != nil || got != tt.want {
			t.Errorf("RegularizerByName(%q) = %#v, %v; want %#v", tt.name, got, err, tt.want)
		}
	}
	_, err := layers.RegularizerByName("l3")
	wantError(t, err, `unknown regularizer "l3" (known: l1, l1_l2, l2)`)
}

func ExampleL2() {
	g := gorgonia.NewGraph()
	w := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, -2, 3, 0}))))
	p, err := layers.L2{L2: 0.1}.Penalty(w) // 0.1 * (1 + 4 + 9 + 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.2f\n", p.Value().Data())
	// Output:
	// 1.40
}
