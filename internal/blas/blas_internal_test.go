package blas

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"
)

// TestSplitGemmMatchesWhole checks that a product split over goroutines,
// by rows or by columns, gives what one call gives (to rounding: a
// blocked GEMM may sum in another order for another shape), for every
// combination of transposes, with padded leading dimensions and beta != 0.
func TestSplitGemmMatchesWhole(t *testing.T) {
	defer func(s bool, p int) { split64 = s; runtime.GOMAXPROCS(p) }(split64, runtime.GOMAXPROCS(3))
	rng := rand.New(rand.NewSource(1))
	for _, sz := range [][3]int{{300, 70, 60}, {5, 400, 700}, {2, 2, 1 << 20}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []Transpose{NoTrans, Trans} {
			for _, tB := range []Transpose{NoTrans, Trans} {
				t.Run(fmt.Sprintf("%dx%dx%d/%c%c", m, n, k, tA, tB), func(t *testing.T) {
					ar, ac := m, k
					if tA == Trans {
						ar, ac = k, m
					}
					br, bc := k, n
					if tB == Trans {
						br, bc = n, k
					}
					lda, ldb, ldc := ac+3, bc+1, n+2
					a, b := make([]float64, ar*lda), make([]float64, br*ldb)
					c0 := make([]float64, m*ldc)
					for _, s := range [][]float64{a, b, c0} {
						for i := range s {
							s[i] = rng.NormFloat64()
						}
					}
					whole, parts := append([]float64(nil), c0...), append([]float64(nil), c0...)
					split64 = false
					Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0.5, whole, ldc)
					split64 = true
					Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0.5, parts, ldc)
					for i := range whole {
						if d := whole[i] - parts[i]; d > 1e-12*(1+abs(whole[i])) || -d > 1e-12*(1+abs(whole[i])) {
							t.Fatalf("c[%d] = %v split, %v whole", i, parts[i], whole[i])
						}
					}
				})
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestSmallGemmMatchesGonum checks the few-row path against gonum's GEMM.
func TestSmallGemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, m := range []int{1, 3, smallRows} {
		n, k := 37, 53
		lda, ldb, ldc := k+1, n+2, n+3
		a, b := make([]float64, m*lda), make([]float64, k*ldb)
		c0 := make([]float64, m*ldc)
		for _, s := range [][]float64{a, b, c0} {
			for i := range s {
				s[i] = rng.NormFloat64()
			}
		}
		a[1] = 0 // a zero skips its row of b
		for _, beta := range []float64{0, 1, 0.5} {
			want, got := append([]float64(nil), c0...), append([]float64(nil), c0...)
			impl.Dgemm(NoTrans, NoTrans, m, n, k, 1.5, a, lda, b, ldb, beta, want, ldc)
			Dgemm(NoTrans, NoTrans, m, n, k, 1.5, a, lda, b, ldb, beta, got, ldc)
			for i := range want {
				if d := want[i] - got[i]; d > 1e-12*(1+abs(want[i])) || -d > 1e-12*(1+abs(want[i])) {
					t.Fatalf("m %d beta %v: c[%d] = %v, gonum %v", m, beta, i, got[i], want[i])
				}
			}
		}
	}
}
