//go:build !amd64 || purego || openblas

package blas

import "unsafe"

// hasKernel is false: the packed float32 GEMM has an assembly kernel for
// amd64 only (and cgo packages, the openblas build, cannot hold Go
// assembly), and elsewhere every product goes to gonum or OpenBLAS.
const hasKernel = false

// kernel6x16 is the assembly kernel's work in Go. The default build never
// calls it where hasKernel is false (products go to gonum); it lets the
// package build everywhere, and the purego build's tests check sgemmPacked
// with it.
func kernel6x16(k int, a, b, c *float32, ldc int, alpha float32, accum bool) {
	as := unsafe.Slice(a, k*mr)
	bs := unsafe.Slice(b, k*nr)
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	var acc [mr * nr]float32
	for l := 0; l < k; l++ {
		for i := 0; i < mr; i++ {
			ai := as[l*mr+i]
			for j := 0; j < nr; j++ {
				acc[i*nr+j] += ai * bs[l*nr+j]
			}
		}
	}
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			if !accum {
				cs[i*ldc+j] = 0
			}
			cs[i*ldc+j] += alpha * acc[i*nr+j]
		}
	}
}
