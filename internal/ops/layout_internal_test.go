package ops

import (
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The layout ops' Do returns errors for values they cannot take; it never
// panics.
func TestLayoutOpsDoErrors(t *testing.T) {
	f64 := func(shape ...int) *tensor.Dense {
		return tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(shape...))
	}
	ints := tensor.New(tensor.WithShape(1, 2, 2, 1), tensor.WithBacking([]int{1, 2, 3, 4}))
	pad := &pad2DOp{p: Padding2D{Top: 1}}
	crop := &pad2DOp{p: Padding2D{Top: 2}, crop: true}
	up := &upsample2DOp{sh: 2, sw: 2}
	sum := &upsample2DOp{sh: 2, sw: 2, sum: true}
	cr := &copyReshapeOp{from: tensor.Shape{2, 3}, to: tensor.Shape{3, 2}}
	tests := []struct {
		name string
		op   gorgonia.Op
		vals []gorgonia.Value
		want string
	}{
		{"pad no input", pad, nil, "0 inputs, want 1"},
		{"pad two inputs", pad, []gorgonia.Value{f64(1, 1, 1, 1), f64(1, 1, 1, 1)}, "2 inputs, want 1"},
		{"pad scalar", pad, []gorgonia.Value{gorgonia.NewF64(1)}, "expected a dense tensor"},
		{"pad ints", pad, []gorgonia.Value{ints}, "want float32 or float64"},
		{"pad rank", pad, []gorgonia.Value{f64(2, 2)}, "must have 4 dimensions"},
		{"crop too much", crop, []gorgonia.Value{f64(1, 2, 2, 1)}, "cannot crop"},
		{"upsample rank", up, []gorgonia.Value{f64(2, 2, 2)}, "must have 4 dimensions"},
		{"block sum blocks", sum, []gorgonia.Value{f64(1, 3, 2, 1)}, "not made of 2x2 blocks"},
		{"copy reshape size", cr, []gorgonia.Value{f64(2, 2)}, "input has shape (2, 2), want (2, 3)"},
	}
	for _, tt := range tests {
		if _, err := tt.op.Do(tt.vals...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// An op reuses its output buffer from run to run, and gives it back its
// shape when a later op reshaped it in place.
func TestLayoutOpsReuseTheirBuffer(t *testing.T) {
	op := &upsample2DOp{sh: 2, sw: 1}
	x := tensor.New(tensor.WithShape(1, 1, 2, 1), tensor.WithBacking([]float64{1, 2}))
	a, err := op.Do(x)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.(*tensor.Dense).Reshape(4); err != nil {
		t.Fatal(err)
	}
	b, err := op.Do(x)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || !b.Shape().Eq(tensor.Shape{1, 2, 2, 1}) {
		t.Errorf("second run gave %p %v, want the first run's buffer %p with shape (1, 2, 2, 1)", b, b.Shape(), a)
	}
	if got := b.Data().([]float64); got[0] != 1 || got[1] != 2 || got[2] != 1 || got[3] != 2 {
		t.Errorf("values %v, want [1 2 1 2]", got)
	}
}
