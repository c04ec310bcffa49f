//go:build !openblas

package blas

import (
	"os"

	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

// In the default build, on a CPU that runs kernel6x16, float32 products go
// to sgemmPacked, split over goroutines by parts, those of Gorgonia's own
// matrix ops included; the rest of BLAS stays gonum's. PROFUNDO_BLAS=gonum
// keeps gonum for everything, to compare the two.
func init() {
	if !hasKernel || os.Getenv("PROFUNDO_BLAS") == "gonum" {
		return
	}
	packed, split32, name = true, true, "avx2"
	gorgonia.Use(packedBLAS{})
}

// packedBLAS is gonum's BLAS with Sgemm replaced by this package's, for
// Gorgonia's ops.
type packedBLAS struct{ gonum.Implementation }

// Sgemm is the package's Sgemm.
func (packedBLAS) Sgemm(tA, tB Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
