package ops

import (
	"hash"
	"math"
	"sync"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

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

// BatchNorm normalizes x, [..., C], with the statistics of the batch:
// each channel's mean and biased variance over every other axis, then
// gamma and beta per channel ([C] each, or nil), as a training graph's
// batch normalization does. It is GroupNorm's op with a group per channel
// and the whole batch as one sample: one pass forward, one for each
// gradient, no broadcast copies. mean and variance, [C] each, are the
// batch's statistics (not differentiable), for the moving averages.
func BatchNorm(x, gamma, beta *gorgonia.Node, eps float64, inputGrad bool) (y, mean, variance *gorgonia.Node, err error) {
	if x == nil || x.Dims() < 1 {
		return nil, nil, nil, errors.New("batch norm: nil or scalar input")
	}
	c := x.Shape()[x.Dims()-1]
	y, err = layerNormWith(x, gamma, beta, eps, inputGrad, func(st *lnState) { st.groups, st.whole = c, true })
	if err != nil {
		return nil, nil, nil, err
	}
	op := y.Op().(*lnOp)
	if mean, err = gorgonia.ApplyOp(&bnStatOp{st: op.st}, y); err != nil {
		return nil, nil, nil, errors.Wrap(err, "batch norm mean")
	}
	if variance, err = gorgonia.ApplyOp(&bnStatOp{st: op.st, variance: true}, y); err != nil {
		return nil, nil, nil, errors.Wrap(err, "batch norm variance")
	}
	return y, mean, variance, nil
}

// bnStatOp reads the batch mean or variance its BatchNorm op computed,
// from that op's output (which orders it after the op).
type bnStatOp struct {
	st       *lnState
	variance bool
	out      *tensor.Dense
}

func (op *bnStatOp) name() string {
	if op.variance {
		return "batch_norm_variance"
	}
	return "batch_norm_mean"
}

func (op *bnStatOp) Arity() int { return 1 }
func (op *bnStatOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.st.dims), tensorType(1))
}
func (op *bnStatOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.st.c}, nil
}
func (op *bnStatOp) ReturnsPtr() bool      { return false }
func (op *bnStatOp) CallsExtern() bool     { return false }
func (op *bnStatOp) OverwritesInput() int  { return -1 }
func (op *bnStatOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.st.id) }
func (op *bnStatOp) Hashcode() uint32      { return hashOf(op.name(), op.st.id) }
func (op *bnStatOp) String() string        { return op.name() }

func (op *bnStatOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.name(), len(vals))
	}
	y, err := dense(op.name(), vals[0])
	if err != nil {
		return nil, err
	}
	st := op.st
	if len(st.mean) != st.c || len(st.inv) != st.c {
		return nil, errors.Errorf("%s: the batch norm has not run", op.name())
	}
	op.out = layoutBuffer(op.out, y.Dtype(), st.c)
	for i := 0; i < st.c; i++ {
		v := st.mean[i]
		if op.variance {
			v = 1/(st.inv[i]*st.inv[i]) - st.eps
		}
		switch d := op.out.Data().(type) {
		case []float32:
			d[i] = float32(v)
		case []float64:
			d[i] = v
		}
	}
	return op.out, nil
}

// gnShape is the geometry of a group normalization of x of size total:
// n samples of s positions of c channels in g groups of cg.
type gnShape struct{ n, s, c, g, cg int }

func (st *lnState) gnShape(first, total int) gnShape {
	if st.whole {
		return gnShape{n: 1, s: total / st.c, c: st.c, g: st.groups, cg: st.c / st.groups}
	}
	return gnShape{n: first, s: total / (first * st.c), c: st.c, g: st.groups, cg: st.c / st.groups}
}

// gnSums adds fn's contributions over the rows (one position of one
// sample: c values) [0, n·s) into acc, split over the CPUs, each worker
// into a buffer of its own that is added to acc at the end.
func gnSums(sh gnShape, acc []float64, fn func(lo, hi int, acc []float64)) {
	clear(acc)
	var mu sync.Mutex
	parallel.For(sh.n*sh.s, sh.n*sh.s*sh.c, func(lo, hi int) {
		part := make([]float64, len(acc))
		fn(lo, hi, part)
		mu.Lock()
		for i, v := range part {
			acc[i] += v
		}
		mu.Unlock()
	})
}

// gnStats writes each (sample, group)'s mean and 1/sqrt(var + eps).
func gnStats[T float](x []T, sh gnShape, eps float64, mean, inv []float64) {
	cnt := float64(sh.s * sh.cg)
	gnSums(sh, mean, func(lo, hi int, acc []float64) {
		for r := lo; r < hi; r++ {
			a := acc[r/sh.s*sh.g:]
			for j, v := range x[r*sh.c : (r+1)*sh.c] {
				a[j/sh.cg] += float64(v)
			}
		}
	})
	for i := range mean {
		mean[i] /= cnt
	}
	gnSums(sh, inv, func(lo, hi int, acc []float64) {
		for r := lo; r < hi; r++ {
			a, m := acc[r/sh.s*sh.g:], mean[r/sh.s*sh.g:]
			for j, v := range x[r*sh.c : (r+1)*sh.c] {
				d := float64(v) - m[j/sh.cg]
				a[j/sh.cg] += d * d
			}
		}
	})
	for i := range inv {
		inv[i] = 1 / math.Sqrt(inv[i]/cnt+eps)
	}
}

func gnForward[T float](x, gamma, beta, out []T, sh gnShape, means, invs []float64) {
	parallel.For(sh.n*sh.s, len(x), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			m, q := means[r/sh.s*sh.g:], invs[r/sh.s*sh.g:]
			xr, yr := x[r*sh.c:(r+1)*sh.c], out[r*sh.c:(r+1)*sh.c]
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
	})
}

// gnGradInput is dx = inv * (d - mean(d) - xhat*mean(d*xhat)) per
// (sample, group), with d = dy*gamma.
func gnGradInput[T float](x, gamma, dy, dx []T, sh gnShape, means, invs []float64) {
	cnt := float64(sh.s * sh.cg)
	groups := sh.n * sh.g
	// sums holds mean(d) per group, then mean(d*xhat).
	sums := make([]float64, 2*groups)
	gnSums(sh, sums, func(lo, hi int, acc []float64) {
		for r := lo; r < hi; r++ {
			k := r / sh.s * sh.g
			m, q := means[k:], invs[k:]
			for j, v := range x[r*sh.c : (r+1)*sh.c] {
				g := j / sh.cg
				d := float64(dy[r*sh.c+j])
				if gamma != nil {
					d *= float64(gamma[j])
				}
				acc[k+g] += d
				acc[groups+k+g] += d * (float64(v) - m[g]) * q[g]
			}
		}
	})
	for i := range sums {
		sums[i] /= cnt
	}
	parallel.For(sh.n*sh.s, len(x), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			k := r / sh.s * sh.g
			m, q, sd, sdx := means[k:], invs[k:], sums[k:], sums[groups+k:]
			for j, v := range x[r*sh.c : (r+1)*sh.c] {
				g := j / sh.cg
				d := float64(dy[r*sh.c+j])
				if gamma != nil {
					d *= float64(gamma[j])
				}
				xh := (float64(v) - m[g]) * q[g]
				dx[r*sh.c+j] = T(q[g] * (d - sd[g] - xh*sdx[g]))
			}
		}
	})
}

// gnGradGammaSum is the sum over samples and positions of dy*xhat, per
// channel.
func gnGradGammaSum[T float](x, dy, dg []T, sh gnShape, means, invs []float64) {
	acc := make([]float64, sh.c)
	gnSums(sh, acc, func(lo, hi int, acc []float64) {
		for r := lo; r < hi; r++ {
			m, q := means[r/sh.s*sh.g:], invs[r/sh.s*sh.g:]
			for j, v := range x[r*sh.c : (r+1)*sh.c] {
				g := j / sh.cg
				acc[j] += float64(dy[r*sh.c+j]) * (float64(v) - m[g]) * q[g]
			}
		}
	})
	for j, v := range acc {
		dg[j] = T(v)
	}
}
