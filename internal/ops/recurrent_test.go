package ops_test

import (
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
