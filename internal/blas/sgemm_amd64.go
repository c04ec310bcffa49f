//go:build amd64 && !purego && !openblas

package blas

import "golang.org/x/sys/cpu"

// kernel6x16 adds alpha times the product of a packed 6-row panel of a and
// a packed 16-column panel of b, k deep, to the 6×16 tile of c at c (ldc
// values per row), with AVX2 fused multiply-adds; with accum false it
// writes the tile without reading it. It is in sgemm_amd64.s.
//
//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int, alpha float32, accum bool)

// hasKernel says whether this CPU runs kernel6x16: it needs AVX2 and FMA,
// and an operating system that saves the YMM registers.
var hasKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA
