package gradcheck

import (
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestCheckCatchesWrongGradient corrupts one symbolic gradient value by
// various amounts and checks that Check fails exactly when the corruption
// exceeds the tolerance.
func TestCheckCatchesWrongGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	w := make([]float64, 6)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	inputs := []*tensor.Dense{
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(w)),
		tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0.3, -0.7, 1.1})),
	}
	build := func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		wx, err := gorgonia.Mul(in[0], in[1])
		if err != nil {
			return nil, err
		}
		th, err := gorgonia.Tanh(wx)
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(th)
	}
	tests := []struct {
		name    string
		input   int
		elem    int
		delta   float64
		wantErr string
	}{
		{"no corruption", 0, 0, 0, ""},
		{"below tolerance", 1, 2, 1e-7, ""},
		{"weight element off by 1e-3", 0, 4, 1e-3, `node 0 ("input0") element 4 [1 1]`},
		{"input element off by 0.5", 1, 2, 0.5, `node 1 ("input1") element 2 [2]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := check(build, inputs, Options{}, func(g [][]float64) { g[tt.input][tt.elem] += tt.delta })
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatal("no error for a corrupted gradient")
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestAgree(t *testing.T) {
	tests := []struct {
		a, n, tol float64
		want      bool
	}{
		{0, 0, 1e-4, true},
		{1e-5, 0, 1e-4, true},       // absolute below 1
		{2e-4, 0, 1e-4, false},      // absolute below 1
		{1000, 1000.05, 1e-4, true}, // relative above 1
		{1000, 1000.2, 1e-4, false},
		{-3, 3, 1e-4, false},
	}
	for _, tt := range tests {
		if got := agree(tt.a, tt.n, tt.tol); got != tt.want {
			t.Errorf("agree(%v, %v, %v) = %v, want %v", tt.a, tt.n, tt.tol, got, tt.want)
		}
	}
}
