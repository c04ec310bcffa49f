//go:build !openblas

package blas

import (
	"math/rand"
	"testing"
)

// TestPackedBLASIsSgemm checks the Sgemm that Gorgonia's matrix products
// call in the default build.
func TestPackedBLASIsSgemm(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	g := gemmCase{tA: NoTrans, tB: Trans, m: 9, n: 20, k: 33, alpha: 2, beta: 1}
	a, lda, b, ldb, c, ldc := g.operands(rng)
	want := g.reference(a, lda, b, ldb, c, ldc)
	before := append([]float32(nil), c...)
	packedBLAS{}.Sgemm(g.tA, g.tB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
	g.check(t, c, ldc, want, before)
}
