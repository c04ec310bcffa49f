// Package blas is the matrix multiply Profundo's own ops call, and the
// switch that picks its implementation for Gorgonia's ops too.
//
// The default build is pure Go. Its float32 products (every GEMM of a
// float32 model, Gorgonia's own matrix ops included) run on a packed GEMM
// with an AVX2 and FMA kernel in Go assembly, on CPUs that have them, split
// over the CPUs; everything else goes to gonum's BLAS, which works
// anywhere. Built with the tag openblas (cgo, Debian's libopenblas-dev),
// every GEMM goes to OpenBLAS instead:
//
//	go build -tags openblas ./...
package blas

import (
	"runtime"
	"sync"

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

// split says whether Sgemm and Dgemm split a product over goroutines
// themselves: for a single-threaded implementation (OpenBLAS with one
// thread, whose own threads would spin against Go's, or the packed float32
// GEMM), not for gonum, which splits its products itself. split32 is
// Sgemm's, split64 Dgemm's.
var split32, split64 = false, false

// packed says whether Sgemm uses sgemmPacked, the AVX2 kernel, instead of
// impl.
var packed = false

// splitMin is the number of multiply-adds below which a product is not
// split.
const splitMin = 1 << 20

// Name is "openblas" with the openblas tag. In the default build it is
// "avx2" where float32 products run on Profundo's own AVX2 kernel (an amd64
// CPU with AVX2 and FMA), and "gonum" where everything goes to gonum.
func Name() string { return name }

// TransposeCheap reports whether Sgemm runs a product with a transposed
// operand as fast as one with plain operands: the packed GEMM copies its
// operands into panels either way, while gonum's runs a transposed left
// operand slower than copying it out first costs.
func TransposeCheap() bool { return packed }

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
	if small(tA, tB, m, n, k) {
		smallGemm(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, gonum.Implementation{}.Sscal, gonum.Implementation{}.Saxpy)
		return
	}
	unit := 1
	if packed {
		unit = mr
	}
	parts(split32, unit, tA, tB, m, n, k, lda, ldb, ldc, func(m, n int, ao, bo, co int) {
		if packed {
			sgemmPacked(tA, tB, m, n, k, alpha, a[ao:], lda, b[bo:], ldb, beta, c[co:], ldc)
			return
		}
		impl.Sgemm(tA, tB, m, n, k, alpha, a[ao:], lda, b[bo:], ldb, beta, c[co:], ldc)
	})
}

// Dgemm is Sgemm in float64.
func Dgemm(tA, tB Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if small(tA, tB, m, n, k) {
		smallGemm(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, gonum.Implementation{}.Dscal, gonum.Implementation{}.Daxpy)
		return
	}
	parts(split64, 1, tA, tB, m, n, k, lda, ldb, ldc, func(m, n int, ao, bo, co int) {
		impl.Dgemm(tA, tB, m, n, k, alpha, a[ao:], lda, b[bo:], ldb, beta, c[co:], ldc)
	})
}

// smallRows is the most rows of a product that smallGemm computes.
const smallRows = 4

// small reports whether a product is one of a few rows (a prediction for
// one sample, say): gonum's GEMM would split it over goroutines, and
// OpenBLAS's packs its operands first (a one-row MLP prediction took 65 us
// through OpenBLAS, 43 us through smallGemm); for so little work, either
// costs more than the product.
func small(tA, tB Transpose, m, n, k int) bool {
	return tA == NoTrans && tB == NoTrans && m <= smallRows
}

// smallGemm computes c = alpha·a·b + beta·c, a m×k, on one goroutine, as
// one vector update (axpy, gonum's assembly) per row of b and row of c.
func smallGemm[T float32 | float64](m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int,
	scal func(n int, alpha T, x []T, incX int), axpy func(n int, alpha T, x []T, incX int, y []T, incY int)) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(ci)
		} else if beta != 1 {
			scal(n, beta, ci, 1)
		}
		for l, v := range a[i*lda : i*lda+k] {
			if v != 0 {
				axpy(n, alpha*v, b[l*ldb:l*ldb+n], 1, ci, 1)
			}
		}
	}
}

// parts calls gemm once for the whole product, or, when split is on and
// the product is large, once per CPU on goroutines, each for a block of
// c's rows (or of its columns, when it has too few rows), with the offsets
// of that block's first values in a, b and c. Each value of c is computed
// by one call; a blocked GEMM may sum in another order for another block
// shape, so split results agree with unsplit ones to rounding, and are
// the same from run to run for the same number of CPUs. unit is the rows
// the implementation works on at once: a block of rows is split only when
// each CPU gets at least four such units.
func parts(split bool, unit int, tA, tB Transpose, m, n, k, lda, ldb, ldc int, gemm func(m, n int, ao, bo, co int)) {
	workers := runtime.GOMAXPROCS(0)
	if !split || workers < 2 || m*n*k < splitMin {
		gemm(m, n, 0, 0, 0)
		return
	}
	byRows := m >= 4*workers*unit || m >= n
	total := n
	if byRows {
		total = m
	}
	workers = min(workers, total)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := total*w/workers, total*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			if byRows {
				// Rows lo..hi of op(a): rows of a, or columns when a is
				// transposed.
				ao := lo * lda
				if tA == Trans {
					ao = lo
				}
				gemm(hi-lo, n, ao, 0, lo*ldc)
				return
			}
			// Columns lo..hi of op(b): columns of b, or rows when b is
			// transposed.
			bo := lo
			if tB == Trans {
				bo = lo * ldb
			}
			gemm(m, hi-lo, 0, bo, lo)
		}()
	}
	wg.Wait()
}
