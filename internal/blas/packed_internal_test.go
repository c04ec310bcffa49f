//go:build !openblas

package blas

import (
	"math/rand"
	"os"
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

// TestNameSaysWhichGemm checks the choice of the default build: the packed
// GEMM where the CPU runs its kernel, gonum where it does not or where
// PROFUNDO_BLAS=gonum asks for it.
func TestNameSaysWhichGemm(t *testing.T) {
	want := "gonum"
	if hasKernel && os.Getenv("PROFUNDO_BLAS") != "gonum" {
		want = "avx2"
	}
	if Name() != want || packed != (want == "avx2") || split32 != packed || TransposeCheap() != packed {
		t.Fatalf("Name() = %q, packed %v, split32 %v, TransposeCheap %v; want %q", Name(), packed, split32, TransposeCheap(), want)
	}
}
