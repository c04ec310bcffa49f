package ops

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/parallel"
)

// GroupNorm normalizes x, [batch, ..., C], by groups of channels: the C
// channels split into groups of C/groups, and each sample's group (its
// channels at every position) becomes
//
//	y = gamma*(x - mean)/sqrt(var + eps) + beta
//
// with the group's mean and biased variance, gamma and beta per channel
// ([C] each, or nil). It is LayerNorm's op (one pass forward, its
// gradients ops of their own) with statistics over strided groups instead
// of rows, so no transpose or copy of x is made.
func GroupNorm(x, gamma, beta *gorgonia.Node, groups int, eps float64, inputGrad bool) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("group norm: nil input")
	}
	if x.Dims() < 2 {
		return nil, errors.Errorf("group norm: input has shape %v, want [batch, ..., channels]", x.Shape())
	}
	c := x.Shape()[x.Dims()-1]
	if groups <= 0 || c%groups != 0 {
		return nil, errors.Errorf("group norm: %d groups do not split %d channels", groups, c)
	}
	return layerNorm(x, gamma, beta, eps, inputGrad, groups)
}

// gnShape is the geometry of a group normalization of x of size total:
// n samples of s positions of c channels in g groups of cg.
type gnShape struct{ n, s, c, g, cg int }

func (st *lnState) gnShape(first, total int) gnShape {
	return gnShape{n: first, s: total / (first * st.c), c: st.c, g: st.groups, cg: st.c / st.groups}
}

// gnStats writes each (sample, group)'s mean and 1/sqrt(var + eps).
func gnStats[T float](x []T, sh gnShape, eps float64, mean, inv []float64) {
	per := sh.s * sh.c
	cnt := float64(sh.s * sh.cg)
	parallel.For(sh.n, len(x), func(lo, hi int) {
		for n := lo; n < hi; n++ {
			xs := x[n*per : (n+1)*per]
			m, q := mean[n*sh.g:(n+1)*sh.g], inv[n*sh.g:(n+1)*sh.g]
			clear(m)
			clear(q)
			for p := 0; p < sh.s; p++ {
				for j, v := range xs[p*sh.c : (p+1)*sh.c] {
					m[j/sh.cg] += float64(v)
				}
			}
			for g := range m {
				m[g] /= cnt
			}
			for p := 0; p < sh.s; p++ {
				for j, v := range xs[p*sh.c : (p+1)*sh.c] {
					d := float64(v) - m[j/sh.cg]
					q[j/sh.cg] += d * d
				}
			}
			for g := range q {
				q[g] = 1 / math.Sqrt(q[g]/cnt+eps)
			}
		}
	})
}

func gnForward[T float](x, gamma, beta, out []T, sh gnShape, means, invs []float64) {
	per := sh.s * sh.c
	parallel.For(sh.n, len(x), func(lo, hi int) {
		for n := lo; n < hi; n++ {
			m, q := means[n*sh.g:(n+1)*sh.g], invs[n*sh.g:(n+1)*sh.g]
			for p := 0; p < sh.s; p++ {
				off := n*per + p*sh.c
				xr, yr := x[off:off+sh.c], out[off:off+sh.c]
				for j, v := range xr {
					g := j / sh.cg
					y := (float64(v) - m[g]) * q[g]
					if gamma != nil {
						y *= float64(gamma[j])
					}
					if beta != nil {
						y += float64(beta[j])
					}
					yr[j] = T(y)
				}
			}
		}
	})
}

// gnGradInput is dx = inv * (d - mean(d) - xhat*mean(d*xhat)) per
// (sample, group), with d = dy*gamma.
func gnGradInput[T float](x, gamma, dy, dx []T, sh gnShape, means, invs []float64) {
	per := sh.s * sh.c
	cnt := float64(sh.s * sh.cg)
	parallel.For(sh.n, len(x), func(lo, hi int) {
		sd, sdx := make([]float64, sh.g), make([]float64, sh.g)
		for n := lo; n < hi; n++ {
			m, q := means[n*sh.g:(n+1)*sh.g], invs[n*sh.g:(n+1)*sh.g]
			clear(sd)
			clear(sdx)
			for p := 0; p < sh.s; p++ {
				off := n*per + p*sh.c
				for j, v := range x[off : off+sh.c] {
					g := j / sh.cg
					d := float64(dy[off+j])
					if gamma != nil {
						d *= float64(gamma[j])
					}
					sd[g] += d
					sdx[g] += d * (float64(v) - m[g]) * q[g]
				}
			}
			for g := range sd {
				sd[g] /= cnt
				sdx[g] /= cnt
			}
			for p := 0; p < sh.s; p++ {
				off := n*per + p*sh.c
				for j, v := range x[off : off+sh.c] {
					g := j / sh.cg
					d := float64(dy[off+j])
					if gamma != nil {
						d *= float64(gamma[j])
					}
					xh := (float64(v) - m[g]) * q[g]
					dx[off+j] = T(q[g] * (d - sd[g] - xh*sdx[g]))
				}
			}
		}
	})
}

// gnGradGammaSum is the sum over samples and positions of dy*xhat, per
// channel.
func gnGradGammaSum[T float](x, dy, dg []T, sh gnShape, means, invs []float64) {
	acc := make([]float64, sh.c)
	per := sh.s * sh.c
	for n := 0; n < sh.n; n++ {
		m, q := means[n*sh.g:(n+1)*sh.g], invs[n*sh.g:(n+1)*sh.g]
		for p := 0; p < sh.s; p++ {
			off := n*per + p*sh.c
			for j, v := range x[off : off+sh.c] {
				g := j / sh.cg
				acc[j] += float64(dy[off+j]) * (float64(v) - m[g]) * q[g]
			}
		}
	}
	for j, v := range acc {
		dg[j] = T(v)
	}
}
