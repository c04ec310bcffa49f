package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/parallel"
)

// LayerNorm normalizes x, [..., C], over its last axis: each row of C
// values becomes
//
//	y = gamma*(x - mean)/sqrt(var + eps) + beta
//
// with the row's mean and biased variance, as one op that keeps its output
// buffer. gamma and beta, each [C], may be nil (scale 1, shift 0).
//
// Its gradients are ops of their own (for x, gamma and beta), each into a
// kept buffer. inputGrad false leaves x's gradient out (DiffWRT false), for
// an x that depends on nothing trainable.
func LayerNorm(x, gamma, beta *gorgonia.Node, eps float64, inputGrad bool) (*gorgonia.Node, error) {
	return layerNorm(x, gamma, beta, eps, inputGrad, 0)
}

// layerNorm is LayerNorm, or GroupNorm when groups > 0.
func layerNorm(x, gamma, beta *gorgonia.Node, eps float64, inputGrad bool, groups int) (*gorgonia.Node, error) {
	return layerNormWith(x, gamma, beta, eps, inputGrad, func(st *lnState) { st.groups = groups })
}

// layerNormWith is LayerNorm with its state set up by setup.
func layerNormWith(x, gamma, beta *gorgonia.Node, eps float64, inputGrad bool, setup func(*lnState)) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("layer norm: nil input")
	}
	if x.IsScalar() || x.Dims() < 1 {
		return nil, errors.New("layer norm: input is a scalar, want a tensor")
	}
	if !(eps >= 0) || math.IsInf(eps, 0) {
		return nil, errors.Errorf("layer norm: epsilon must be >= 0, got %v", eps)
	}
	s := x.Shape()
	c := s[len(s)-1]
	if c <= 0 {
		return nil, errors.Errorf("layer norm: input shape %v has a last dimension <= 0", s)
	}
	st := &lnState{id: opID.Add(1), dims: x.Dims(), c: c, eps: eps, needInput: inputGrad}
	setup(st)
	in := gorgonia.Nodes{x}
	for _, p := range []struct {
		n    *gorgonia.Node
		what string
		has  *bool
	}{{gamma, "gamma", &st.gamma}, {beta, "beta", &st.beta}} {
		if p.n == nil {
			continue
		}
		if p.n.Dims() != 1 || p.n.Shape().TotalSize() != c {
			return nil, errors.Errorf("layer norm: %s has shape %v, want [%d]", p.what, p.n.Shape(), c)
		}
		if p.n.Dtype() != x.Dtype() {
			return nil, errors.Errorf("layer norm: %s is %v, input is %v", p.what, p.n.Dtype(), x.Dtype())
		}
		*p.has = true
		in = append(in, p.n)
	}
	return gorgonia.ApplyOp(&lnOp{st}, in...)
}

// lnState is what the forward op and its gradient ops share: their
// configuration and their buffers.
type lnState struct {
	id          int64
	dims, c     int
	eps         float64
	gamma, beta bool
	needInput   bool
	// groups > 0 makes the op GroupNorm: statistics per (sample, group of
	// channels) rather than per row; whole takes them over the whole batch
	// instead (with a group per channel, BatchNorm).
	groups     int
	whole      bool
	out        *tensor.Dense
	dx, dg, db *tensor.Dense
	// mean and inv are each row's mean and 1/sqrt(var + eps), from the
	// forward pass, which runs before the gradients in every run.
	mean, inv []float64
}

// stats returns each row's mean and 1/sqrt(var + eps) for x, computing
// them when the forward pass has not (a gradient op run on its own).
func (st *lnState) stats(x *tensor.Dense, fresh bool) (mean, inv []float64) {
	rows := x.Shape().TotalSize() / st.c
	if st.groups > 0 {
		rows = x.Shape()[0] * st.groups
		if st.whole {
			rows = st.groups
		}
	}
	if !fresh && len(st.mean) == rows && len(st.inv) == rows {
		return st.mean, st.inv
	}
	if cap(st.mean) < rows {
		st.mean, st.inv = make([]float64, rows), make([]float64, rows)
	}
	st.mean, st.inv = st.mean[:rows], st.inv[:rows]
	if st.groups > 0 {
		sh := st.gnShape(x.Shape()[0], x.Shape().TotalSize())
		switch xd := x.Data().(type) {
		case []float32:
			gnStats(xd, sh, st.eps, st.mean, st.inv)
		case []float64:
			gnStats(xd, sh, st.eps, st.mean, st.inv)
		}
		return st.mean, st.inv
	}
	switch xd := x.Data().(type) {
	case []float32:
		rowStatsAll(xd, st.c, st.eps, st.mean, st.inv)
	case []float64:
		rowStatsAll(xd, st.c, st.eps, st.mean, st.inv)
	}
	return st.mean, st.inv
}

// inputs splits an op's values into x, gamma and beta (nil when absent).
func (st *lnState) inputs(what string, vals []gorgonia.Value) (x, gamma, beta *tensor.Dense, err error) {
	want := 1
	if st.gamma {
		want++
	}
	if st.beta {
		want++
	}
	if len(vals) != want {
		return nil, nil, nil, errors.Errorf("%s: %d inputs, want %d", what, len(vals), want)
	}
	ds := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		if ds[i], err = dense(what, v); err != nil {
			return nil, nil, nil, err
		}
		if ds[i].Dtype() != ds[0].Dtype() {
			return nil, nil, nil, errors.Errorf("%s: mixed dtypes %v and %v", what, ds[0].Dtype(), ds[i].Dtype())
		}
		if i > 0 && ds[i].Shape().TotalSize() != st.c {
			return nil, nil, nil, errors.Errorf("%s: parameter %d has shape %v, want [%d]", what, i, ds[i].Shape(), st.c)
		}
	}
	x = ds[0]
	if x.Shape().TotalSize()%st.c != 0 || x.Shape()[x.Dims()-1] != st.c {
		return nil, nil, nil, errors.Errorf("%s: input has shape %v, want [..., %d]", what, x.Shape(), st.c)
	}
	i := 1
	if st.gamma {
		gamma, i = ds[i], i+1
	}
	if st.beta {
		beta = ds[i]
	}
	return x, gamma, beta, nil
}

type lnOp struct{ st *lnState }

func (op *lnOp) Arity() int {
	n := 1
	if op.st.gamma {
		n++
	}
	if op.st.beta {
		n++
	}
	return n
}

func (op *lnOp) Type() hm.Type {
	ts := []hm.Type{tensorType(op.st.dims)}
	for i := 1; i < op.Arity(); i++ {
		ts = append(ts, tensorType(1))
	}
	return hm.NewFnType(append(ts, tensorType(op.st.dims))...)
}

func (op *lnOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("layer norm", in)
	if err != nil {
		return nil, err
	}
	if len(s) != op.Arity() {
		return nil, errors.Errorf("layer norm: %d inputs, want %d", len(s), op.Arity())
	}
	return s[0].Clone(), nil
}

func (op *lnOp) ReturnsPtr() bool      { return false }
func (op *lnOp) CallsExtern() bool     { return false }
func (op *lnOp) OverwritesInput() int  { return -1 }
func (op *lnOp) WriteHash(h hash.Hash) { writeHash(h, "layer_norm", op.st.id) }
func (op *lnOp) Hashcode() uint32      { return hashOf("layer_norm", op.st.id) }
func (op *lnOp) String() string {
	if op.st.groups > 0 {
		return fmt.Sprintf("GroupNorm(groups=%d, eps=%v)", op.st.groups, op.st.eps)
	}
	return fmt.Sprintf("LayerNorm(eps=%v)", op.st.eps)
}

func (op *lnOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = i > 0 || op.st.needInput
	}
	return out
}

func (op *lnOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	st := op.st
	x, gamma, beta, err := st.inputs("layer norm", vals)
	if err != nil {
		return nil, err
	}
	st.out = layoutBuffer(st.out, x.Dtype(), x.Shape()...)
	mean, inv := st.stats(x, true)
	if st.groups > 0 {
		sh := st.gnShape(x.Shape()[0], x.Shape().TotalSize())
		switch xd := x.Data().(type) {
		case []float32:
			gnForward(xd, floatsOrNil[float32](gamma), floatsOrNil[float32](beta), st.out.Data().([]float32), sh, mean, inv)
		case []float64:
			gnForward(xd, floatsOrNil[float64](gamma), floatsOrNil[float64](beta), st.out.Data().([]float64), sh, mean, inv)
		}
		return st.out, nil
	}
	switch xd := x.Data().(type) {
	case []float32:
		lnForward(xd, floatsOrNil[float32](gamma), floatsOrNil[float32](beta), st.out.Data().([]float32), st.c, mean, inv)
	case []float64:
		lnForward(xd, floatsOrNil[float64](gamma), floatsOrNil[float64](beta), st.out.Data().([]float64), st.c, mean, inv)
	}
	return st.out, nil
}

func (op *lnOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	st := op.st
	if len(inputs) != op.Arity() {
		return nil, errors.Errorf("layer norm gradient: %d inputs, want %d", len(inputs), op.Arity())
	}
	x := inputs[0]
	out := make(gorgonia.Nodes, len(inputs))
	var err error
	if st.needInput {
		args := gorgonia.Nodes{x}
		if st.gamma {
			args = append(args, inputs[1])
		}
		if out[0], err = gorgonia.ApplyOp(&lnGradOp{st: st, which: lnGradX}, append(args, grad)...); err != nil {
			return nil, errors.Wrap(err, "layer norm input gradient")
		}
	}
	i := 1
	if st.gamma {
		if out[i], err = gorgonia.ApplyOp(&lnGradOp{st: st, which: lnGradGamma}, x, grad); err != nil {
			return nil, errors.Wrap(err, "layer norm gamma gradient")
		}
		i++
	}
	if st.beta {
		if out[i], err = gorgonia.ApplyOp(&lnGradOp{st: st, which: lnGradBeta}, grad); err != nil {
			return nil, errors.Wrap(err, "layer norm beta gradient")
		}
	}
	return out, nil
}

const (
	lnGradX = iota
	lnGradGamma
	lnGradBeta
)

// lnGradOp is one of LayerNorm's gradients:
//
//	x:     (x, [gamma,] dy) -> dx, x's shape
//	gamma: (x, dy) -> sum over rows of dy*xhat, [C]
//	beta:  (dy) -> sum over rows of dy, [C]
type lnGradOp struct {
	st    *lnState
	which int
}

func (op *lnGradOp) name() string {
	return [...]string{"layer_norm_grad_x", "layer_norm_grad_gamma", "layer_norm_grad_beta"}[op.which]
}

func (op *lnGradOp) Arity() int {
	switch op.which {
	case lnGradX:
		if op.st.gamma {
			return 3
		}
		return 2
	case lnGradGamma:
		return 2
	}
	return 1
}

func (op *lnGradOp) Type() hm.Type {
	d := op.st.dims
	switch op.which {
	case lnGradX:
		if op.st.gamma {
			return hm.NewFnType(tensorType(d), tensorType(1), tensorType(d), tensorType(d))
		}
		return hm.NewFnType(tensorType(d), tensorType(d), tensorType(d))
	case lnGradGamma:
		return hm.NewFnType(tensorType(d), tensorType(d), tensorType(1))
	}
	return hm.NewFnType(tensorType(d), tensorType(1))
}

func (op *lnGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name(), in)
	if err != nil {
		return nil, err
	}
	if len(s) != op.Arity() {
		return nil, errors.Errorf("%s: %d inputs, want %d", op.name(), len(s), op.Arity())
	}
	if op.which == lnGradX {
		return s[0].Clone(), nil
	}
	return tensor.Shape{op.st.c}, nil
}

func (op *lnGradOp) ReturnsPtr() bool      { return false }
func (op *lnGradOp) CallsExtern() bool     { return false }
func (op *lnGradOp) OverwritesInput() int  { return -1 }
func (op *lnGradOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.st.id) }
func (op *lnGradOp) Hashcode() uint32      { return hashOf(op.name(), op.st.id) }
func (op *lnGradOp) String() string        { return op.name() }

func (op *lnGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	st, what := op.st, op.name()
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("%s: %d inputs, want %d", what, len(vals), op.Arity())
	}
	ds := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		var err error
		if ds[i], err = dense(what, v); err != nil {
			return nil, err
		}
		if ds[i].Dtype() != ds[0].Dtype() {
			return nil, errors.Errorf("%s: mixed dtypes %v and %v", what, ds[0].Dtype(), ds[i].Dtype())
		}
	}
	dy := ds[len(ds)-1]
	if dy.Shape().TotalSize()%st.c != 0 || (op.which != lnGradBeta && !dy.Shape().Eq(ds[0].Shape())) {
		return nil, errors.Errorf("%s: input %v and output gradient %v do not match", what, ds[0].Shape(), dy.Shape())
	}
	switch op.which {
	case lnGradX:
		st.dx = layoutBuffer(st.dx, dy.Dtype(), dy.Shape()...)
		var gamma *tensor.Dense
		if st.gamma {
			gamma = ds[1]
		}
		mean, inv := st.stats(ds[0], false)
		if st.groups > 0 {
			sh := st.gnShape(ds[0].Shape()[0], ds[0].Shape().TotalSize())
			switch xd := ds[0].Data().(type) {
			case []float32:
				gnGradInput(xd, floatsOrNil[float32](gamma), dy.Data().([]float32), st.dx.Data().([]float32), sh, mean, inv)
			case []float64:
				gnGradInput(xd, floatsOrNil[float64](gamma), dy.Data().([]float64), st.dx.Data().([]float64), sh, mean, inv)
			}
			return st.dx, nil
		}
		switch xd := ds[0].Data().(type) {
		case []float32:
			lnGradInput(xd, floatsOrNil[float32](gamma), dy.Data().([]float32), st.dx.Data().([]float32), st.c, mean, inv)
		case []float64:
			lnGradInput(xd, floatsOrNil[float64](gamma), dy.Data().([]float64), st.dx.Data().([]float64), st.c, mean, inv)
		}
		return st.dx, nil
	case lnGradGamma:
		st.dg = layoutBuffer(st.dg, dy.Dtype(), st.c)
		mean, inv := st.stats(ds[0], false)
		if st.groups > 0 {
			sh := st.gnShape(ds[0].Shape()[0], ds[0].Shape().TotalSize())
			switch xd := ds[0].Data().(type) {
			case []float32:
				gnGradGammaSum(xd, dy.Data().([]float32), st.dg.Data().([]float32), sh, mean, inv)
			case []float64:
				gnGradGammaSum(xd, dy.Data().([]float64), st.dg.Data().([]float64), sh, mean, inv)
			}
			return st.dg, nil
		}
		switch xd := ds[0].Data().(type) {
		case []float32:
			lnGradGammaSum(xd, dy.Data().([]float32), st.dg.Data().([]float32), st.c, mean, inv)
		case []float64:
			lnGradGammaSum(xd, dy.Data().([]float64), st.dg.Data().([]float64), st.c, mean, inv)
		}
		return st.dg, nil
	}
	st.db = layoutBuffer(st.db, dy.Dtype(), st.c)
	switch d := dy.Data().(type) {
	case []float32:
		colSums(d, st.db.Data().([]float32), st.c)
	case []float64:
		colSums(d, st.db.Data().([]float64), st.c)
	}
	return st.db, nil
}

// floatsOrNil is t's values, or nil for a nil t.
func floatsOrNil[T float](t *tensor.Dense) []T {
	if t == nil {
		return nil
	}
	return t.Data().([]T)
}

// rowStats is the mean of row and 1/sqrt(var + eps), in float64.
func rowStats[T float](row []T, eps float64) (mean, inv float64) {
	for _, v := range row {
		mean += float64(v)
	}
	mean /= float64(len(row))
	var ss float64
	for _, v := range row {
		d := float64(v) - mean
		ss += d * d
	}
	return mean, 1 / math.Sqrt(ss/float64(len(row))+eps)
}

// rowStatsAll writes every row's mean and 1/sqrt(var + eps).
func rowStatsAll[T float](x []T, c int, eps float64, mean, inv []float64) {
	parallel.For(len(mean), len(x), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			mean[r], inv[r] = rowStats(x[r*c:(r+1)*c], eps)
		}
	})
}

func lnForward[T float](x, gamma, beta, out []T, c int, means, invs []float64) {
	rows := len(x) / c
	parallel.For(rows, len(x), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], out[r*c:(r+1)*c]
			mean, inv := means[r], invs[r]
			for j, v := range xr {
				y := (float64(v) - mean) * inv
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

// lnGradInput is dx = inv * (g - mean(g) - xhat*mean(g*xhat)) per row,
// with g = dy*gamma.
func lnGradInput[T float](x, gamma, dy, dx []T, c int, means, invs []float64) {
	rows := len(x) / c
	parallel.For(rows, len(x), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, dyr, dxr := x[r*c:(r+1)*c], dy[r*c:(r+1)*c], dx[r*c:(r+1)*c]
			mean, inv := means[r], invs[r]
			var sg, sgx float64
			for j, v := range xr {
				g := float64(dyr[j])
				if gamma != nil {
					g *= float64(gamma[j])
				}
				sg += g
				sgx += g * (float64(v) - mean) * inv
			}
			sg /= float64(c)
			sgx /= float64(c)
			for j, v := range xr {
				g := float64(dyr[j])
				if gamma != nil {
					g *= float64(gamma[j])
				}
				xh := (float64(v) - mean) * inv
				dxr[j] = T(inv * (g - sg - xh*sgx))
			}
		}
	})
}

// lnGradGammaSum is the sum over rows of dy*xhat.
func lnGradGammaSum[T float](x, dy, dg []T, c int, means, invs []float64) {
	acc := make([]float64, c)
	for r := 0; r < len(x)/c; r++ {
		xr, dyr := x[r*c:(r+1)*c], dy[r*c:(r+1)*c]
		mean, inv := means[r], invs[r]
		for j, v := range xr {
			acc[j] += float64(dyr[j]) * (float64(v) - mean) * inv
		}
	}
	for j, v := range acc {
		dg[j] = T(v)
	}
}

// colSums is the sum over rows of dy, [rows, c] -> [c].
func colSums[T float](dy, out []T, c int) {
	acc := make([]float64, c)
	for r := 0; r < len(dy)/c; r++ {
		for j, v := range dy[r*c : (r+1)*c] {
			acc[j] += float64(v)
		}
	}
	for j, v := range acc {
		out[j] = T(v)
	}
}

var (
	_ gorgonia.SDOp = (*lnOp)(nil)
)
