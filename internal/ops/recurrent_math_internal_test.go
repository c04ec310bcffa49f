package ops

import (
	"math"
	"testing"
)

// TestActivations32 checks the float32 exp, sigmoid and tanh of the fused
// recurrent ops, scalar and vector (activate8), against float64's over
// [-100, 100], with the bounds their comments state.
func TestActivations32(t *testing.T) {
	var xs []float32
	for x := float32(-100); x < 100; x += 0.000917 {
		xs = append(xs, x)
	}
	for _, x := range xs {
		if x > -87 && x < 88 {
			want := math.Exp(float64(x))
			if e := math.Abs(float64(exp32(x))-want) / want; e > 2e-7 {
				t.Fatalf("exp32(%v): relative error %g", x, e)
			}
		}
	}
	cases := []struct {
		a      RecurrentActivation
		scalar func(float32) float32
		want   func(float64) float64
		tol    float64
	}{
		{ActSigmoid, sigmoid32, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 2e-7},
		{ActTanh, tanh32, math.Tanh, 3e-7},
	}
	for _, c := range cases {
		v := append([]float32(nil), xs...)
		activate(c.a, v) // activate8 on all but the last len%8 values
		for i, x := range xs {
			want := c.want(float64(x))
			if e := math.Abs(float64(c.scalar(x)) - want); e > c.tol {
				t.Fatalf("%v(%v) scalar: %v, want %v", c.a, x, c.scalar(x), want)
			}
			if e := math.Abs(float64(v[i]) - want); e > c.tol {
				t.Fatalf("%v(%v) vector: %v, want %v", c.a, x, v[i], want)
			}
		}
	}
	if math.IsNaN(float64(sigmoid32(float32(math.NaN())))) == false {
		t.Error("sigmoid32(NaN) is not NaN")
	}
}
