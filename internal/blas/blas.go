// Package blas is the matrix multiply Profundo's own ops call, and the
// switch that picks its implementation for Gorgonia's ops too.
//
// The default build uses gonum's pure-Go BLAS, which works anywhere. Built
// with the tag openblas (cgo, Debian's libopenblas-dev), every GEMM, those of
// Gorgonia's own matrix ops included, goes to OpenBLAS instead:
//
//	go build -tags openblas ./...
package blas

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Impl is the BLAS implementation Profundo's ops call.
type Impl interface {
	blas.Float32Level3
	blas.Float64Level3
}

var impl Impl = gonum.Implementation{}

// name is the implementation's name, as Name reports it.
var name = "gonum"

// Name is "gonum" in the default build and "openblas" with the openblas tag.
func Name() string { return name }

// Transpose says whether a GEMM operand is used transposed.
type Transpose = blas.Transpose

// NoTrans and Trans select an operand as it is or transposed.
const (
	NoTrans = blas.NoTrans
	Trans   = blas.Trans
)

// Sgemm computes c = alpha·op(a)·op(b) + beta·c on row-major float32
// matrices: op(a) is m×k, op(b) k×n and c m×n, with leading dimensions lda,
// ldb and ldc.
func Sgemm(tA, tB Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	impl.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm in float64.
func Dgemm(tA, tB Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	impl.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
