package ops

import (
	"sync"

	"github.com/profundo/profundo/internal/parallel"
)

// A depthwise convolution (a group per input channel, Keras's
// DepthwiseConv2D) has GEMMs of kh·kw by fg: too small for the GEMM to pay
// for itself, and one per channel. These kernels compute it directly,
// channels last: every kernel tap adds a whole row of channels at once.

// depthwise reports whether g is a depthwise convolution.
func (g convGeom) depthwise() bool { return g.cg == 1 && g.groups() > 1 }

// taps calls fn for every tap of output position (oy, ox) that lands in
// the image, with the tap's index and the input position's.
func (g convGeom) taps(oy, ox int, fn func(tap, pos int)) {
	for ky := 0; ky < g.kh; ky++ {
		iy := oy*g.StrideH - g.PadTop + ky*g.DilationH
		if iy < 0 || iy >= g.h {
			continue
		}
		for kx := 0; kx < g.kw; kx++ {
			ix := ox*g.StrideW - g.PadLeft + kx*g.DilationW
			if ix < 0 || ix >= g.w {
				continue
			}
			fn(ky*g.kw+kx, iy*g.w+ix)
		}
	}
}

// depthwiseForward sets out = x ⊛ w + b; w is [kh, kw, 1, f] with output
// channel i·fg+j from input channel i.
func depthwiseForward[T float](g convGeom, x, w, b, out []T) {
	m := g.fg
	parallel.For(g.n, g.n*g.rows()*g.f*g.kh*g.kw, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			img := x[s*g.h*g.w*g.c:]
			o := out[s*g.rows()*g.f:]
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					row := o[(oy*g.ow+ox)*g.f:][:g.f]
					if b != nil {
						copy(row, b)
					} else {
						clear(row)
					}
					g.taps(oy, ox, func(tap, pos int) {
						px := img[pos*g.c:][:g.c]
						wt := w[tap*g.f:][:g.f]
						if m == 1 {
							for i, v := range px {
								row[i] += v * wt[i]
							}
							return
						}
						for i, v := range px {
							for j := i * m; j < (i+1)*m; j++ {
								row[j] += v * wt[j]
							}
						}
					})
				}
			}
		}
	})
}

// depthwiseInputGrad sets dx = the gradient of depthwiseForward's output
// dy with respect to x.
func depthwiseInputGrad[T float](g convGeom, w, dy, dx []T) {
	m := g.fg
	clear(dx)
	parallel.For(g.n, g.n*g.rows()*g.f*g.kh*g.kw, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			img := dx[s*g.h*g.w*g.c:]
			d := dy[s*g.rows()*g.f:]
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					row := d[(oy*g.ow+ox)*g.f:][:g.f]
					g.taps(oy, ox, func(tap, pos int) {
						px := img[pos*g.c:][:g.c]
						wt := w[tap*g.f:][:g.f]
						if m == 1 {
							for i := range px {
								px[i] += row[i] * wt[i]
							}
							return
						}
						for i := range px {
							var sum T
							for j := i * m; j < (i+1)*m; j++ {
								sum += row[j] * wt[j]
							}
							px[i] += sum
						}
					})
				}
			}
		}
	})
}

// depthwiseKernelGrad sets dw = the gradient of depthwiseForward's output
// dy with respect to w: each worker sums its samples into a buffer of its
// own, and the buffers are added at the end.
func depthwiseKernelGrad[T float](g convGeom, x, dy, dw []T) {
	m := g.fg
	clear(dw)
	var mu sync.Mutex
	parallel.For(g.n, g.n*g.rows()*g.f*g.kh*g.kw, func(lo, hi int) {
		part := make([]T, len(dw))
		for s := lo; s < hi; s++ {
			img := x[s*g.h*g.w*g.c:]
			d := dy[s*g.rows()*g.f:]
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					row := d[(oy*g.ow+ox)*g.f:][:g.f]
					g.taps(oy, ox, func(tap, pos int) {
						px := img[pos*g.c:][:g.c]
						wt := part[tap*g.f:][:g.f]
						if m == 1 {
							for i, v := range px {
								wt[i] += v * row[i]
							}
							return
						}
						for i, v := range px {
							for j := i * m; j < (i+1)*m; j++ {
								wt[j] += v * row[j]
							}
						}
					})
				}
			}
		}
		mu.Lock()
		for i, v := range part {
			dw[i] += v
		}
		mu.Unlock()
	})
}
