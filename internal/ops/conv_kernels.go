package ops

import (
	"github.com/profundo/profundo/internal/blas"
	"github.com/profundo/profundo/internal/parallel"
)

// float is the element type of Profundo's tensors.
type float interface{ float32 | float64 }

// gemm is blas.Sgemm or blas.Dgemm on row-major matrices.
func gemm[T float](tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		blas.Sgemm(tA, tB, m, n, k, 1, av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas.Dgemm(tA, tB, m, n, k, 1, av, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// buffer returns buf as a []T of length n, reallocated when too short.
func buffer[T float](buf any, n int) []T {
	if b, ok := buf.([]T); ok && cap(b) >= n {
		return b[:n]
	}
	return make([]T, n)
}

// im2col writes the patches of group grp of samples [first, first+count)
// of x into cols, one row of k = kh*kw*cg values per output position,
// ordered (kh, kw, cg) like the kernel's rows. Positions in the padding are
// zeros.
func im2col[T float](g convGeom, x []T, grp, first, count int, cols []T) {
	k, rows := g.k(), g.rows()
	c0 := grp * g.cg
	whole := g.cg == g.c
	parallel.For(count, count*rows*k, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			img := x[(first+s)*g.h*g.w*g.c:]
			out := cols[s*rows*k:]
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					row := out[(oy*g.ow+ox)*k:][:k]
					i := 0
					for ky := 0; ky < g.kh; ky++ {
						iy := oy*g.StrideH - g.PadTop + ky*g.DilationH
						if iy < 0 || iy >= g.h {
							clear(row[i : i+g.kw*g.cg])
							i += g.kw * g.cg
							continue
						}
						line := img[iy*g.w*g.c:]
						ix0 := ox*g.StrideW - g.PadLeft
						if whole && g.DilationW == 1 && ix0 >= 0 && ix0+g.kw <= g.w {
							// The window's row is contiguous in the image.
							n := g.kw * g.c
							copy(row[i:i+n], line[ix0*g.c:ix0*g.c+n])
							i += n
							continue
						}
						for kx := 0; kx < g.kw; kx++ {
							ix := ix0 + kx*g.DilationW
							if ix < 0 || ix >= g.w {
								clear(row[i : i+g.cg])
							} else {
								copy(row[i:i+g.cg], line[ix*g.c+c0:])
							}
							i += g.cg
						}
					}
				}
			}
		}
	})
}

// col2im adds the patch gradients dcols of group grp of samples [first,
// first+count) into dx, which the caller zeroed.
func col2im[T float](g convGeom, dcols []T, grp, first, count int, dx []T) {
	k, rows := g.k(), g.rows()
	c0 := grp * g.cg
	whole := g.cg == g.c
	parallel.For(count, count*rows*k, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			img := dx[(first+s)*g.h*g.w*g.c:]
			in := dcols[s*rows*k:]
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					row := in[(oy*g.ow+ox)*k:][:k]
					i := 0
					for ky := 0; ky < g.kh; ky++ {
						iy := oy*g.StrideH - g.PadTop + ky*g.DilationH
						if iy < 0 || iy >= g.h {
							i += g.kw * g.cg
							continue
						}
						line := img[iy*g.w*g.c:]
						ix0 := ox*g.StrideW - g.PadLeft
						if whole && g.DilationW == 1 && ix0 >= 0 && ix0+g.kw <= g.w {
							// The window's row is contiguous in the image.
							n := g.kw * g.c
							dst, src := line[ix0*g.c:ix0*g.c+n], row[i:i+n]
							for j := range dst {
								dst[j] += src[j]
							}
							i += n
							continue
						}
						for kx := 0; kx < g.kw; kx++ {
							ix := ix0 + kx*g.DilationW
							if ix >= 0 && ix < g.w {
								dst := line[ix*g.c+c0:][:g.cg]
								src := row[i : i+g.cg]
								for j := range dst {
									dst[j] += src[j]
								}
							}
							i += g.cg
						}
					}
				}
			}
		}
	})
}

// convForward computes out = im2col(x)·w + b chunk by chunk (and group by
// group); it returns the patch buffer and whether it holds the whole
// batch's patches (one group and one chunk).
func convForward[T float](g convGeom, x, w, b, out []T, colsBuf any) (any, bool) {
	if g.depthwise() {
		depthwiseForward(g, x, w, b, out)
		return colsBuf, false
	}
	var zero T
	k, rows := g.k(), g.rows()
	groups := g.groups()
	chunk := g.chunk(int(sizeOf(zero)))
	cols := buffer[T](colsBuf, chunk*rows*k)
	for first := 0; first < g.n; first += chunk {
		count := min(chunk, g.n-first)
		o := out[first*rows*g.f : (first+count)*rows*g.f]
		beta := T(0)
		if b != nil {
			parallel.For(count*rows, count*rows*g.f, func(lo, hi int) {
				for r := lo; r < hi; r++ {
					copy(o[r*g.f:(r+1)*g.f], b)
				}
			})
			beta = 1
		}
		for grp := 0; grp < groups; grp++ {
			im2col(g, x, grp, first, count, cols)
			gemm(blas.NoTrans, blas.NoTrans, count*rows, g.fg, k, cols, k, w[grp*g.fg:], g.f, beta, o[grp*g.fg:], g.f)
		}
	}
	return cols, chunk == g.n && groups == 1
}

// convKernelGrad computes dw = im2col(x)ᵀ·dy, reusing the patches in
// colsBuf when whole says they are this run's.
func convKernelGrad[T float](g convGeom, x, dy, dw []T, colsBuf any, whole bool) any {
	if g.depthwise() {
		depthwiseKernelGrad(g, x, dy, dw)
		return colsBuf
	}
	var zero T
	k, rows := g.k(), g.rows()
	groups := g.groups()
	chunk := g.chunk(int(sizeOf(zero)))
	cols := buffer[T](colsBuf, chunk*rows*k)
	for first := 0; first < g.n; first += chunk {
		count := min(chunk, g.n-first)
		beta := T(1)
		if first == 0 {
			beta = 0
		}
		for grp := 0; grp < groups; grp++ {
			if !whole || groups > 1 {
				im2col(g, x, grp, first, count, cols)
			}
			gemm(blas.Trans, blas.NoTrans, k, g.fg, count*rows, cols, k, dy[first*rows*g.f+grp*g.fg:], g.f, beta, dw[grp*g.fg:], g.f)
		}
	}
	return cols
}

// convInputGrad computes dx = col2im(dy·wᵀ).
func convInputGrad[T float](g convGeom, w, dy, dx []T, dcolsBuf any) any {
	if g.depthwise() {
		depthwiseInputGrad(g, w, dy, dx)
		return dcolsBuf
	}
	var zero T
	k, rows := g.k(), g.rows()
	groups := g.groups()
	chunk := g.chunk(int(sizeOf(zero)))
	dcols := buffer[T](dcolsBuf, chunk*rows*k)
	clear(dx)
	for first := 0; first < g.n; first += chunk {
		count := min(chunk, g.n-first)
		for grp := 0; grp < groups; grp++ {
			gemm(blas.NoTrans, blas.Trans, count*rows, k, g.fg, dy[first*rows*g.f+grp*g.fg:], g.f, w[grp*g.fg:], g.f, 0, dcols, k)
			col2im(g, dcols, grp, first, count, dx)
		}
	}
	return dcols
}

// sumRows sets db to the sum of dy's rows of len(db) values.
func sumRows[T float](dy, db []T) {
	clear(db)
	f := len(db)
	for i := 0; i+f <= len(dy); i += f {
		row := dy[i : i+f]
		for j := range db {
			db[j] += row[j]
		}
	}
}

// sizeOf is the size in bytes of a T.
func sizeOf[T float](T) uintptr {
	var z T
	switch any(z).(type) {
	case float32:
		return 4
	}
	return 8
}
