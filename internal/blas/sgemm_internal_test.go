package blas

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"
)

// gemmCase is one product: its transposes, sizes, scalars and padding of
// the leading dimensions.
type gemmCase struct {
	tA, tB      Transpose
	m, n, k     int
	alpha, beta float32
	pad         int
}

// operands makes a case's a, b and c, normally distributed, with the
// padding of each leading dimension filled too (a product must not read or
// write it).
func (g gemmCase) operands(rng *rand.Rand) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ar, ac := g.m, g.k
	if g.tA == Trans {
		ar, ac = g.k, g.m
	}
	br, bc := g.k, g.n
	if g.tB == Trans {
		br, bc = g.n, g.k
	}
	lda, ldb, ldc = ac+g.pad, bc+g.pad, g.n+g.pad
	a, b, c = make([]float32, max(0, (ar-1)*lda+ac)), make([]float32, max(0, (br-1)*ldb+bc)), make([]float32, max(0, (g.m-1)*ldc+g.n))
	for _, s := range [][]float32{a, b, c} {
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
	}
	return a, lda, b, ldb, c, ldc
}

// reference computes the product in float64, value by value.
func (g gemmCase) reference(a []float32, lda int, b []float32, ldb int, c []float32, ldc int) []float64 {
	want := make([]float64, len(c))
	for i := range c {
		want[i] = float64(c[i])
	}
	for i := 0; i < g.m; i++ {
		for j := 0; j < g.n; j++ {
			var sum float64
			for l := 0; l < g.k; l++ {
				ai, bi := i*lda+l, l*ldb+j
				if g.tA == Trans {
					ai = l*lda + i
				}
				if g.tB == Trans {
					bi = j*ldb + l
				}
				av, bv := a[ai], b[bi]
				sum += float64(av) * float64(bv)
			}
			want[i*ldc+j] = float64(g.alpha)*sum + float64(g.beta)*float64(c[i*ldc+j])
			if g.beta == 0 {
				want[i*ldc+j] = float64(g.alpha) * sum
			}
		}
	}
	return want
}

// check compares a product's result with the reference: the values of c
// within float32 rounding of a sum of k terms, its padding untouched.
func (g gemmCase) check(t *testing.T, got []float32, ldc int, want []float64, before []float32) {
	t.Helper()
	tol := 1e-5 * math.Sqrt(float64(g.k)+1) * float64(max(1, abs32(g.alpha))) * 4
	for i := range got {
		if g.n > 0 && i%ldc >= g.n {
			if got[i] != before[i] {
				t.Fatalf("%+v: padding c[%d] changed from %v to %v", g, i, before[i], got[i])
			}
			continue
		}
		if d := math.Abs(float64(got[i]) - want[i]); d > tol*(1+math.Abs(want[i])) || math.IsNaN(float64(got[i])) {
			t.Fatalf("%+v: c[%d] (row %d, column %d) = %v, want %v", g, i, i/ldc, i%ldc, got[i], want[i])
		}
	}
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

// TestSgemmPackedMatchesReference checks the packed GEMM against a float64
// product for every combination of transposes, over sizes on both sides of
// each block and tile edge, with alpha and beta of every kind (beta 0 must
// ignore what c held, NaN included) and padded leading dimensions.
func TestSgemmPackedMatchesReference(t *testing.T) {
	// Where hasKernel is false, kernel6x16 is the Go kernel, tested here.
	rng := rand.New(rand.NewSource(1))
	sizes := [][3]int{
		{1, 1, 1}, {6, 16, 1}, {5, 15, 3}, {7, 17, 9}, {12, 32, 256}, {13, 33, 257},
		{121, 20, 30}, {240, 48, 512}, {3, 1030, 20}, {64, 1024, 255}, {2, 3, 0},
	}
	scalars := [][2]float32{{1, 0}, {1, 1}, {0.5, -2}, {-1.5, 0}, {0, 0.5}}
	for _, sz := range sizes {
		for _, tA := range []Transpose{NoTrans, Trans} {
			for _, tB := range []Transpose{NoTrans, Trans} {
				for si, sc := range scalars {
					g := gemmCase{tA: tA, tB: tB, m: sz[0], n: sz[1], k: sz[2], alpha: sc[0], beta: sc[1], pad: si % 3}
					a, lda, b, ldb, c, ldc := g.operands(rng)
					if g.beta == 0 && len(c) > 0 {
						c[0] = float32(math.NaN())
					}
					want := g.reference(a, lda, b, ldb, c, ldc)
					before := append([]float32(nil), c...)
					sgemmPacked(tA, tB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
					g.check(t, c, ldc, want, before)
				}
			}
		}
	}
}

// TestSgemmSplitSameBits checks what the packed GEMM promises: a product
// split over goroutines, by rows or by columns, gives the same bits as the
// whole, so training gives the same weights for any number of CPUs.
func TestSgemmSplitSameBits(t *testing.T) {
	if !packed {
		t.Skip("float32 products do not use the packed GEMM in this build")
	}
	defer func(s bool, p int) { split32 = s; runtime.GOMAXPROCS(p) }(split32, runtime.GOMAXPROCS(3))
	rng := rand.New(rand.NewSource(2))
	for _, sz := range [][3]int{{300, 70, 600}, {5, 400, 700}, {128, 256, 784}} {
		for _, tA := range []Transpose{NoTrans, Trans} {
			for _, tB := range []Transpose{NoTrans, Trans} {
				t.Run(fmt.Sprintf("%dx%dx%d/%c%c", sz[0], sz[1], sz[2], tA, tB), func(t *testing.T) {
					g := gemmCase{tA: tA, tB: tB, m: sz[0], n: sz[1], k: sz[2], alpha: 1, beta: 0.5, pad: 1}
					a, lda, b, ldb, c, ldc := g.operands(rng)
					want := g.reference(a, lda, b, ldb, c, ldc)
					whole, parts := append([]float32(nil), c...), append([]float32(nil), c...)
					split32 = false
					Sgemm(tA, tB, g.m, g.n, g.k, 1, a, lda, b, ldb, 0.5, whole, ldc)
					split32 = true
					Sgemm(tA, tB, g.m, g.n, g.k, 1, a, lda, b, ldb, 0.5, parts, ldc)
					for i := range whole {
						if whole[i] != parts[i] {
							t.Fatalf("c[%d] = %v split, %v whole", i, parts[i], whole[i])
						}
					}
					g.check(t, whole, ldc, want, c)
				})
			}
		}
	}
}

// BenchmarkSgemm times the float32 products of an MLP's training step
// (batch 128, 784-256), forward and both gradients, and reports GFLOP/s.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range []gemmCase{
		{tA: NoTrans, tB: NoTrans, m: 128, n: 256, k: 784},
		{tA: Trans, tB: NoTrans, m: 784, n: 256, k: 128},
		{tA: NoTrans, tB: Trans, m: 128, n: 784, k: 256},
		{tA: NoTrans, tB: NoTrans, m: 128, n: 128, k: 256},
	} {
		a, lda, bb, ldb, c, ldc := s.operands(rand.New(rand.NewSource(1)))
		b.Run(fmt.Sprintf("%s/%c%c_%dx%dx%d", Name(), s.tA, s.tB, s.m, s.n, s.k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			b.ReportMetric(float64(2*s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
