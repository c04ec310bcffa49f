package ops_test

import (
	"math"
	"math/rand"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// TestRecurrentRefusesBadInputs checks that the fused recurrent op names
// what does not fit, and never panics.
func TestRecurrentRefusesBadInputs(t *testing.T) {
	g := gorgonia.NewGraph()
	n := func(name string, dt tensor.Dtype, shape ...int) *gorgonia.Node {
		return gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name))
	}
	f64 := tensor.Float64
	x, k, u := n("x", f64, 2, 5, 3), n("k", f64, 3, 16), n("u", f64, 4, 16)
	lstm := ops.RecurrentConfig{Cell: ops.CellLSTM}
	tests := []struct {
		name string
		cfg  ops.RecurrentConfig
		in   ops.RecurrentInputs
		want string
	}{
		{"nil kernel", lstm, ops.RecurrentInputs{X: x, Recurrent: u}, "nil input, kernel or recurrent kernel"},
		{"gates", ops.RecurrentConfig{Cell: ops.CellGRU}, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u}, "do not fit input (2, 5, 3) with 3 gates"},
		{"rank", lstm, ops.RecurrentInputs{X: n("x2", f64, 10, 3), Kernel: k, Recurrent: u}, "want [batch, steps, features]"},
		{"dtype", lstm, ops.RecurrentInputs{X: x, Kernel: n("k32", tensor.Float32, 3, 16), Recurrent: u}, "mixed dtypes"},
		{"bias", lstm, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u, Bias: n("b", f64, 12)}, "bias has shape (12), want (16)"},
		{"gru bias", ops.RecurrentConfig{Cell: ops.CellGRU}, ops.RecurrentInputs{X: x, Kernel: n("k3", f64, 3, 12), Recurrent: n("u3", f64, 4, 12), Bias: n("b3", f64, 12)}, "bias has shape (12), want (2, 12)"},
		{"states", lstm, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u, Initial: []*gorgonia.Node{n("h0", f64, 2, 4)}}, "1 initial states, want 2"},
		{"state shape", lstm, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u, Initial: []*gorgonia.Node{n("h", f64, 2, 4), n("c", f64, 3, 4)}}, "initial state 1 has shape (3, 4), want (2, 4)"},
		{"mask", lstm, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u, Mask: n("m", f64, 2, 4)}, "mask has shape (2, 4), want (2, 5)"},
		{"mask dtype", lstm, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u, Mask: n("m32", tensor.Float32, 2, 5)}, "mask is float32, input float64"},
		{"dropout", lstm, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u, RecurrentDropout: n("d", f64, 2, 5)}, "recurrent dropout mask has shape (2, 5), want (2, 4)"},
		{"keep", lstm, ops.RecurrentInputs{X: x, Kernel: k, Recurrent: u, Keep: []*tensor.Dense{tensor.New(tensor.Of(f64), tensor.WithShape(2, 4))}}, "1 kept states, want 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ops.Recurrent(tt.cfg, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to say %q", err, tt.want)
			}
		})
	}
	if _, err := ops.SequencePart(n("p", f64, 2, 3, 4), 2, 4, false, false); err == nil || !strings.Contains(err.Error(), "steps [2, 4) outside the input's 3") {
		t.Errorf("sequence part past the end: %v", err)
	}
	if _, err := ops.SequencePart(n("p2", f64, 2, 3, 4), 0, 2, false, true); err == nil || !strings.Contains(err.Error(), "squeeze needs one step") {
		t.Errorf("sequence part squeezing two steps: %v", err)
	}
}

// TestRecurrentSplitsSamplesOverCPUs checks that the fused op gives the
// same outputs and gradients when its samples run on two CPUs as on one,
// for every cell, with a mask and recurrent dropout, in float64 and
// float32.
func TestRecurrentSplitsSamplesOverCPUs(t *testing.T) {
	const batch, steps, features, units = 16, 10, 5, 16
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, cell := range []ops.RecurrentCell{ops.CellSimple, ops.CellLSTM, ops.CellGRU, ops.CellGRUResetBefore} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			var runs [2][][]float64
			for p := 0; p < 2; p++ {
				runtime.GOMAXPROCS(p + 1)
				runs[p] = runFusedOnce(t, cell, dt, batch, steps, features, units)
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			for i := range runs[0] {
				for j := range runs[0][i] {
					a, b := runs[0][i][j], runs[1][i][j]
					if math.Abs(a-b) > tol*(1+math.Abs(a)) {
						t.Fatalf("%v %v: value %d of result %d is %v on one CPU, %v on two", cell, dt, j, i, a, b)
					}
				}
			}
		}
	}
}

// runFusedOnce runs one fused op and its gradient over fixed values and
// returns the output and the gradients of x, the weights and h0.
func runFusedOnce(t *testing.T, cell ops.RecurrentCell, dt tensor.Dtype, batch, steps, features, units int) [][]float64 {
	t.Helper()
	g := gorgonia.NewGraph()
	rng := rand.New(rand.NewSource(int64(cell) + 1))
	node := func(name string, shape ...int) *gorgonia.Node {
		v := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		for i := 0; i < v.Shape().TotalSize(); i++ {
			x := rng.Float64() - 0.5
			switch d := v.Data().(type) {
			case []float32:
				d[i] = float32(x)
			case []float64:
				d[i] = x
			}
		}
		return gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(v))
	}
	gates := map[ops.RecurrentCell]int{ops.CellSimple: 1, ops.CellLSTM: 4, ops.CellGRU: 3, ops.CellGRUResetBefore: 3}[cell]
	in := ops.RecurrentInputs{
		X: node("x", batch, steps, features), Kernel: node("w", features, gates*units), Recurrent: node("u", units, gates*units),
		RecurrentDropout: node("rd", batch, units),
	}
	if cell == ops.CellGRU {
		in.Bias = node("b", 2, gates*units)
	} else {
		in.Bias = node("b", gates*units)
	}
	in.Initial = []*gorgonia.Node{node("h0", batch, units)}
	if cell == ops.CellLSTM {
		in.Initial = append(in.Initial, node("c0", batch, units))
	}
	m := make([]float64, batch*steps)
	for i := range m {
		if rng.Float64() < 0.8 {
			m[i] = 1
		}
	}
	mv := tensor.New(tensor.Of(dt), tensor.WithShape(batch, steps))
	for i, v := range m {
		switch d := mv.Data().(type) {
		case []float32:
			d[i] = float32(v)
		case []float64:
			d[i] = v
		}
	}
	in.Mask = gorgonia.NewTensor(g, dt, 2, gorgonia.WithShape(batch, steps), gorgonia.WithName("mask"), gorgonia.WithValue(mv))
	out, err := ops.Recurrent(ops.RecurrentConfig{Cell: cell, Activation: ops.ActTanh, RecurrentActivation: ops.ActSigmoid, Sequences: true, InputGrad: true}, in)
	if err != nil {
		t.Fatal(err)
	}
	r := node("r", out.Shape()...)
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(out, r))))
	wrt := gorgonia.Nodes{in.X, in.Kernel, in.Recurrent, in.Bias, in.Initial[0]}
	if _, err := gorgonia.Grad(cost, wrt...); err != nil {
		t.Fatal(err)
	}
	var ov gorgonia.Value
	gorgonia.Read(out, &ov)
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(wrt...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	res := [][]float64{floatsOf(t, ov)}
	for _, n := range wrt {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, floatsOf(t, gv))
	}
	return res
}
