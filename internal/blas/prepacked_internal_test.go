package blas

import (
	"math"
	"math/rand"
	"testing"
)

// TestPackedBMatchesSgemm checks PackedB's products against Sgemm's, with
// b plain and transposed, a sub-matrix of a wider b, beta 0 and 1, and
// row counts that leave edge tiles or take the few-rows path.
func TestPackedBMatchesSgemm(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	for _, tc := range []struct {
		tB      Transpose
		m, n, k int
		ldb     int // b's leading dimension, wider than it needs
	}{
		{NoTrans, 32, 256, 64, 256}, {NoTrans, 32, 128, 64, 192}, {Trans, 32, 64, 256, 256},
		{Trans, 7, 64, 128, 192}, {NoTrans, 3, 40, 17, 40}, {NoTrans, 13, 33, 5, 50},
	} {
		rowsB := tc.k
		if tc.tB == Trans {
			rowsB = tc.n
		}
		b := fill(rowsB * tc.ldb)
		a := fill(tc.m * tc.k)
		var p PackedB
		p.Pack(tc.tB, tc.k, tc.n, b, tc.ldb)
		for _, beta := range []float32{0, 1} {
			c0 := fill(tc.m * tc.n)
			want := append([]float32(nil), c0...)
			got := append([]float32(nil), c0...)
			Sgemm(NoTrans, tc.tB, tc.m, tc.n, tc.k, 1, a, tc.k, b, tc.ldb, beta, want, tc.n)
			p.Sgemm(tc.m, a, tc.k, beta, got, tc.n)
			for i := range got {
				if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("%+v beta %v: c[%d] = %v, Sgemm gives %v", tc, beta, i, got[i], want[i])
				}
			}
		}
	}
}
