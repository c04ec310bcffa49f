package ops

import (
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/blas"
	"github.com/profundo/profundo/internal/parallel"
)

// MaskedScore is what Attention adds to the score of a masked position
// before the softmax, as Keras does (its large negative number): a row
// whose every position is masked attends evenly to all of them.
const MaskedScore = -1e9

// AttentionParams configures Attention. The masks and the dropout are
// inputs without a gradient, each of the query's dtype; nil means none.
type AttentionParams struct {
	// Heads is the number of heads; it must be > 0 and divide the last
	// dimension of the query, key and value.
	Heads int
	// Scale multiplies the scores QKᵀ; zero means 1/sqrt(key dim).
	Scale float64
	// Causal masks the positions j > i of query i (a query sees itself and
	// what comes before it), as Keras's use_causal_mask; false masks
	// nothing beyond the mask inputs.
	Causal bool
	// Mask, [batch, Tq, Tk], is 1 where query i may attend to key j and 0
	// where not, as Keras's attention_mask.
	Mask *gorgonia.Node
	// QueryMask, [batch, Tq], is 0 at padded queries, which then attend to
	// no key (evenly to all, as in Keras, where every score is masked).
	QueryMask *gorgonia.Node
	// KeyMask, [batch, Tk], is 0 at padded keys (and values), which no
	// query attends to.
	KeyMask *gorgonia.Node
	// Dropout, [batch, heads, Tq, Tk], multiplies the probabilities before
	// they weigh the values (0 or 1/keep, from the caller's seeded
	// stream), as Keras's MultiHeadAttention dropout.
	Dropout *gorgonia.Node
	// Grads says which of the query, key and value need a gradient; a
	// false entry leaves that input's gradient out (DiffWRT false).
	Grads [3]bool
}

// Attention is multi-head scaled dot-product attention as one op:
//
//	out_h = softmax(Q_h·K_hᵀ·scale + M)·V_h
//
// q is [batch, Tq, heads·dk], k [batch, Tk, heads·dk], v [batch, Tk,
// heads·dv]; head h is the h-th block of columns of each, so the outputs of
// the Dense projections are used as they are, with no transposes. The
// output is [batch, Tq, heads·dv], head h in its h-th block of columns.
// M adds MaskedScore where p's masks (or Causal) mask a position; the
// dropout, when given, multiplies the probabilities.
//
// The forward pass keeps the attention probabilities ([batch, heads, Tq,
// Tk], see AttentionScores) for the gradient, which is one op computing
// the gradients of q, k and v together (memory is O(Tq·Tk), not more).
// Every product is a GEMM of the packed kernel; the (batch, head) pairs
// are split over the CPUs.
func Attention(q, k, v *gorgonia.Node, p AttentionParams) (*gorgonia.Node, error) {
	if q == nil || k == nil || v == nil {
		return nil, errors.New("attention: nil query, key or value")
	}
	qs, ks, vs := q.Shape(), k.Shape(), v.Shape()
	if len(qs) != 3 || len(ks) != 3 || len(vs) != 3 {
		return nil, errors.Errorf("attention: query %v, key %v and value %v must be [batch, steps, features]", qs, ks, vs)
	}
	if p.Heads <= 0 {
		return nil, errors.Errorf("attention: heads must be > 0, got %d", p.Heads)
	}
	if qs[0] != ks[0] || qs[0] != vs[0] || ks[1] != vs[1] || qs[2] != ks[2] {
		return nil, errors.Errorf("attention: query %v, key %v and value %v do not fit (same batch, key and value of one length, query and key of one width)", qs, ks, vs)
	}
	if qs[2]%p.Heads != 0 || vs[2]%p.Heads != 0 {
		return nil, errors.Errorf("attention: %d heads do not divide the query width %d or the value width %d", p.Heads, qs[2], vs[2])
	}
	if q.Dtype() != k.Dtype() || q.Dtype() != v.Dtype() || (q.Dtype() != tensor.Float32 && q.Dtype() != tensor.Float64) {
		return nil, errors.Errorf("attention: dtypes %v, %v, %v; want one of float32 and float64", q.Dtype(), k.Dtype(), v.Dtype())
	}
	if math.IsNaN(p.Scale) || math.IsInf(p.Scale, 0) {
		return nil, errors.Errorf("attention: scale must be finite, got %v", p.Scale)
	}
	st := &attnState{
		id: opID.Add(1), batch: qs[0], tq: qs[1], tk: ks[1], heads: p.Heads,
		dk: qs[2] / p.Heads, dv: vs[2] / p.Heads, causal: p.Causal, grads: p.Grads,
	}
	st.scale = p.Scale
	if st.scale == 0 {
		st.scale = 1 / math.Sqrt(float64(st.dk))
	}
	in := gorgonia.Nodes{q, k, v}
	for i, n := range []*gorgonia.Node{p.Mask, p.QueryMask, p.KeyMask, p.Dropout} {
		if n == nil {
			continue
		}
		want := st.extraShape(i)
		if !n.Shape().Eq(want) || n.Dtype() != q.Dtype() {
			return nil, errors.Errorf("attention: %s %v %v, want %v %v", extraNames[i], n.Shape(), n.Dtype(), want, q.Dtype())
		}
		st.extras = append(st.extras, i)
		in = append(in, n)
	}
	return gorgonia.ApplyOp(&attnOp{st}, in...)
}

// The optional inputs, in the order they follow q, k and v.
const (
	extraMask = iota
	extraQueryMask
	extraKeyMask
	extraDropout
)

var extraNames = [...]string{"mask", "query mask", "key mask", "dropout"}

// AttentionScores returns a node holding the attention probabilities
// [batch, heads, Tq, Tk] of out, a node Attention returned, as Keras's
// return_attention_scores; it has no gradient.
func AttentionScores(out *gorgonia.Node) (*gorgonia.Node, error) {
	if out == nil {
		return nil, errors.New("attention scores: nil node")
	}
	op, ok := out.Op().(*attnOp)
	if !ok {
		return nil, errors.Errorf("attention scores: %q is not the output of Attention", out.Name())
	}
	return gorgonia.ApplyOp(&attnScoresOp{op.st}, out)
}

// attnState is what the forward op and its gradient ops share.
type attnState struct {
	id                   int64
	batch, tq, tk, heads int
	dk, dv               int
	scale                float64
	causal               bool
	extras               []int // the optional inputs present, in order
	grads                [3]bool
	out, probs, scores   *tensor.Dense
	dq, dk_, dv_         *tensor.Dense
}

func (st *attnState) extraShape(i int) tensor.Shape {
	switch i {
	case extraMask:
		return tensor.Shape{st.batch, st.tq, st.tk}
	case extraQueryMask:
		return tensor.Shape{st.batch, st.tq}
	case extraKeyMask:
		return tensor.Shape{st.batch, st.tk}
	}
	return tensor.Shape{st.batch, st.heads, st.tq, st.tk}
}

func (st *attnState) arity() int { return 3 + len(st.extras) }

// types lists the types of the op's inputs.
func (st *attnState) types() []hm.Type {
	ts := []hm.Type{tensorType(3), tensorType(3), tensorType(3)}
	for _, e := range st.extras {
		ts = append(ts, tensorType(len(st.extraShape(e))))
	}
	return ts
}

// attnValues are an op's inputs; the optional ones are nil when absent.
type attnValues struct {
	q, k, v  *tensor.Dense
	optional [4]*tensor.Dense
}

// values reads the op's inputs and checks their shapes against the op's.
func (st *attnState) values(what string, vals []gorgonia.Value) (attnValues, error) {
	var a attnValues
	if len(vals) != st.arity() {
		return a, errors.Errorf("%s: %d inputs, want %d", what, len(vals), st.arity())
	}
	ds := make([]*tensor.Dense, len(vals))
	for i, val := range vals {
		var err error
		if ds[i], err = dense(what, val); err != nil {
			return a, err
		}
		if ds[i].Dtype() != ds[0].Dtype() {
			return a, errors.Errorf("%s: mixed dtypes %v and %v", what, ds[0].Dtype(), ds[i].Dtype())
		}
	}
	a.q, a.k, a.v = ds[0], ds[1], ds[2]
	want := []tensor.Shape{
		{st.batch, st.tq, st.heads * st.dk},
		{st.batch, st.tk, st.heads * st.dk},
		{st.batch, st.tk, st.heads * st.dv},
	}
	for i, e := range st.extras {
		a.optional[e] = ds[3+i]
		want = append(want, st.extraShape(e))
	}
	for i, w := range want {
		if !ds[i].Shape().Eq(w) {
			return a, errors.Errorf("%s: input %d has shape %v, want %v", what, i, ds[i].Shape(), w)
		}
	}
	return a, nil
}

// attnMasks are the optional inputs' values as slices of one type.
type attnMasks[T float] struct{ mask, qmask, kmask, drop []T }

func masksOf[T float](a attnValues) attnMasks[T] {
	return attnMasks[T]{
		maskData[T](a.optional[extraMask]), maskData[T](a.optional[extraQueryMask]),
		maskData[T](a.optional[extraKeyMask]), maskData[T](a.optional[extraDropout]),
	}
}

type attnOp struct{ st *attnState }

func (op *attnOp) Arity() int { return op.st.arity() }
func (op *attnOp) Type() hm.Type {
	return hm.NewFnType(append(op.st.types(), tensorType(3))...)
}
func (op *attnOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("attention", in)
	if err != nil {
		return nil, err
	}
	if len(s) < 3 || len(s[0]) != 3 || len(s[2]) != 3 {
		return nil, errors.New("attention: needs query, key and value of 3 dimensions")
	}
	return tensor.Shape{s[0][0], s[0][1], s[2][2]}, nil
}
func (op *attnOp) ReturnsPtr() bool      { return false }
func (op *attnOp) CallsExtern() bool     { return false }
func (op *attnOp) OverwritesInput() int  { return -1 }
func (op *attnOp) WriteHash(h hash.Hash) { writeHash(h, "attention", op.st.id) }
func (op *attnOp) Hashcode() uint32      { return hashOf("attention", op.st.id) }
func (op *attnOp) String() string        { return "Attention" }

func (op *attnOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	st := op.st
	a, err := st.values("attention", vals)
	if err != nil {
		return nil, err
	}
	dt := a.q.Dtype()
	st.out = reuse(st.out, dt, st.batch, st.tq, st.heads*st.dv)
	st.probs = reuse(st.probs, dt, st.batch, st.heads, st.tq, st.tk)
	switch qd := a.q.Data().(type) {
	case []float32:
		attnForward(st, qd, a.k.Data().([]float32), a.v.Data().([]float32), masksOf[float32](a), st.probs.Data().([]float32), st.out.Data().([]float32))
	case []float64:
		attnForward(st, qd, a.k.Data().([]float64), a.v.Data().([]float64), masksOf[float64](a), st.probs.Data().([]float64), st.out.Data().([]float64))
	}
	return st.out, nil
}

func maskData[T float](m *tensor.Dense) []T {
	if m == nil {
		return nil
	}
	return m.Data().([]T)
}

func (op *attnOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	copy(out, op.st.grads[:])
	return out
}

func (op *attnOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	st := op.st
	if len(inputs) != st.arity() {
		return nil, errors.Errorf("attention gradient: %d inputs, want %d", len(inputs), st.arity())
	}
	all := append(append(gorgonia.Nodes(nil), inputs...), grad)
	// One op computes the three gradients; the key's and the value's are
	// read from it by ops of their own, which take its output as their
	// input so that they run after it.
	g, err := gorgonia.ApplyOp(&attnGradOp{st}, all...)
	if err != nil {
		return nil, errors.Wrap(err, "attention gradient")
	}
	out := make(gorgonia.Nodes, len(inputs))
	if st.grads[0] {
		out[0] = g
	}
	for i := 1; i < 3; i++ {
		if !st.grads[i] {
			continue
		}
		if out[i], err = gorgonia.ApplyOp(&attnGradPartOp{st, i}, g, inputs[i]); err != nil {
			return nil, errors.Wrap(err, "attention gradient")
		}
	}
	return out, nil
}

func (op *attnOp) BufferBytes() int {
	st := op.st
	return denseBytes(st.out, st.probs, st.scores, st.dq, st.dk_, st.dv_)
}

func (op *attnOp) Release() {
	st := op.st
	st.out, st.probs, st.scores, st.dq, st.dk_, st.dv_ = nil, nil, nil, nil, nil, nil
}

// gemmA is gemm with a factor alpha on the product.
func gemmA[T float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		blas.Sgemm(tA, tB, m, n, k, float32(alpha), av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas.Dgemm(tA, tB, m, n, k, float64(alpha), av, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// attnForward fills probs and out; each (batch, head) pair is one task.
func attnForward[T float](st *attnState, q, k, v []T, ms attnMasks[T], probs, out []T) {
	B, H, Tq, Tk, dk, dv := st.batch, st.heads, st.tq, st.tk, st.dk, st.dv
	mask, drop := ms.mask, ms.drop
	ldq, ldv := H*dk, H*dv
	parallel.For(B*H, B*H*Tq*(Tk+dk+dv), func(lo, hi int) {
		var pd []T
		if drop != nil {
			pd = make([]T, Tq*Tk)
		}
		for bh := lo; bh < hi; bh++ {
			b, h := bh/H, bh%H
			p := probs[bh*Tq*Tk : (bh+1)*Tq*Tk]
			var krow []T
			if ms.kmask != nil {
				krow = ms.kmask[b*Tk : (b+1)*Tk]
			}
			// Keys after the last one the key mask keeps (the empty end of
			// a generation cache, the padding of a batch) take no work:
			// their probabilities are 0.
			n := Tk
			if krow != nil {
				if ms.qmask == nil {
					n = keyEnd(krow)
				}
				krow = krow[:n]
			}
			gemmA(blas.NoTrans, blas.Trans, Tq, n, dk, T(st.scale), q[b*Tq*ldq+h*dk:], ldq, k[b*Tk*ldq+h*dk:], ldq, 0, p, Tk)
			var mrow []T
			for i := 0; i < Tq; i++ {
				row := p[i*Tk : (i+1)*Tk]
				if mask != nil {
					mrow = mask[(b*Tq+i)*Tk : (b*Tq+i)*Tk+n]
				}
				all := ms.qmask != nil && ms.qmask[b*Tq+i] == 0
				softmaxRow(row[:n], mrow, krow, all, st.causal, i)
				clear(row[n:])
			}
			pv := p
			if drop != nil {
				pv = dropped(p, drop[bh*Tq*Tk:(bh+1)*Tq*Tk], pd)
			}
			gemmA(blas.NoTrans, blas.NoTrans, Tq, dv, n, 1, pv, Tk, v[b*Tk*ldv+h*dv:], ldv, 0, out[b*Tq*ldv+h*dv:], ldv)
		}
	})
}

// keyEnd is one past the last key mask kept, or len(mask) when it keeps
// none (every key is then masked alike).
func keyEnd[T float](mask []T) int {
	for j := len(mask) - 1; j >= 0; j-- {
		if mask[j] != 0 {
			return j + 1
		}
	}
	return len(mask)
}

// dropped writes p∘d into dst and returns it.
func dropped[T float](p, d, dst []T) []T {
	for i, x := range p {
		dst[i] = x * d[i]
	}
	return dst
}

// softmaxRow turns the scores of query i into probabilities in place,
// masking where mask or kmask is 0, everywhere when all, and where j > i
// when causal.
func softmaxRow[T float](row, mask, kmask []T, all, causal bool, i int) {
	mx := math.Inf(-1)
	for j, s := range row {
		x := float64(s)
		if all || (mask != nil && mask[j] == 0) || (kmask != nil && kmask[j] == 0) || (causal && j > i) {
			x += MaskedScore
			row[j] = T(x)
		}
		if x > mx {
			mx = x
		}
	}
	var sum float64
	for j, s := range row {
		e := math.Exp(float64(s) - mx)
		row[j] = T(e)
		sum += e
	}
	inv := 1 / sum
	for j := range row {
		row[j] = T(float64(row[j]) * inv)
	}
}

// attnGradOp computes the gradients of q, k and v from (q, k, v, [mask],
// dout), and returns q's.
type attnGradOp struct{ st *attnState }

func (op *attnGradOp) Arity() int { return op.st.arity() + 1 }
func (op *attnGradOp) Type() hm.Type {
	return hm.NewFnType(append(op.st.types(), tensorType(3), tensorType(3))...)
}
func (op *attnGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("attention gradient", in)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *attnGradOp) ReturnsPtr() bool      { return false }
func (op *attnGradOp) CallsExtern() bool     { return false }
func (op *attnGradOp) OverwritesInput() int  { return -1 }
func (op *attnGradOp) WriteHash(h hash.Hash) { writeHash(h, "attention_grad", op.st.id) }
func (op *attnGradOp) Hashcode() uint32      { return hashOf("attention_grad", op.st.id) }
func (op *attnGradOp) String() string        { return "attention_grad" }

func (op *attnGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	st := op.st
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("attention gradient: %d inputs, want %d", len(vals), op.Arity())
	}
	n := len(vals) - 1
	a, err := st.values("attention gradient", vals[:n])
	if err != nil {
		return nil, err
	}
	dout, err := dense("attention gradient", vals[n])
	if err != nil {
		return nil, err
	}
	q, k, v, d := a.q, a.k, a.v, a.optional[extraDropout]
	if want := (tensor.Shape{st.batch, st.tq, st.heads * st.dv}); !dout.Shape().Eq(want) || dout.Dtype() != q.Dtype() {
		return nil, errors.Errorf("attention gradient: output gradient %v %v, want %v %v", dout.Shape(), dout.Dtype(), want, q.Dtype())
	}
	dt := q.Dtype()
	// The probabilities are the forward pass's, which runs first in every
	// run; they are recomputed when it has not run (or ran on other
	// shapes).
	if st.probs == nil || !st.probs.Shape().Eq(tensor.Shape{st.batch, st.heads, st.tq, st.tk}) || st.probs.Dtype() != dt {
		if _, err := (&attnOp{st}).Do(vals[:n]...); err != nil {
			return nil, err
		}
	}
	st.dq = reuse(st.dq, dt, st.batch, st.tq, st.heads*st.dk)
	st.dk_ = reuse(st.dk_, dt, st.batch, st.tk, st.heads*st.dk)
	st.dv_ = reuse(st.dv_, dt, st.batch, st.tk, st.heads*st.dv)
	switch qd := q.Data().(type) {
	case []float32:
		attnBackward(st, qd, k.Data().([]float32), v.Data().([]float32), maskData[float32](d), st.probs.Data().([]float32), dout.Data().([]float32),
			st.dq.Data().([]float32), st.dk_.Data().([]float32), st.dv_.Data().([]float32))
	case []float64:
		attnBackward(st, qd, k.Data().([]float64), v.Data().([]float64), maskData[float64](d), st.probs.Data().([]float64), dout.Data().([]float64),
			st.dq.Data().([]float64), st.dk_.Data().([]float64), st.dv_.Data().([]float64))
	}
	return st.dq, nil
}

// attnBackward computes, per (batch, head),
//
//	dV = (P∘D)ᵀ·dO,  dP = (dO·Vᵀ)∘D,  dS = P∘(dP - rowsum(dP∘P))·scale,
//	dQ = dS·K,       dK = dSᵀ·Q,
//
// D the dropout (all ones when drop is nil).
func attnBackward[T float](st *attnState, q, k, v, drop, probs, dout, dq, dk, dv []T) {
	B, H, Tq, Tk, dkw, dvw := st.batch, st.heads, st.tq, st.tk, st.dk, st.dv
	ldq, ldv := H*dkw, H*dvw
	parallel.For(B*H, B*H*Tq*(Tk+dkw+dvw)*2, func(lo, hi int) {
		ds := make([]T, Tq*Tk)
		var pd []T
		if drop != nil {
			pd = make([]T, Tq*Tk)
		}
		for bh := lo; bh < hi; bh++ {
			b, h := bh/H, bh%H
			p := probs[bh*Tq*Tk : (bh+1)*Tq*Tk]
			var dr []T
			if drop != nil {
				dr = drop[bh*Tq*Tk : (bh+1)*Tq*Tk]
			}
			qo, ko, vo, oo := b*Tq*ldq+h*dkw, b*Tk*ldq+h*dkw, b*Tk*ldv+h*dvw, b*Tq*ldv+h*dvw
			if st.grads[2] {
				pv := p
				if dr != nil {
					pv = dropped(p, dr, pd)
				}
				gemmA(blas.Trans, blas.NoTrans, Tk, dvw, Tq, 1, pv, Tk, dout[oo:], ldv, 0, dv[vo:], ldv)
			}
			if !st.grads[0] && !st.grads[1] {
				continue
			}
			gemmA(blas.NoTrans, blas.Trans, Tq, Tk, dvw, 1, dout[oo:], ldv, v[vo:], ldv, 0, ds, Tk)
			if dr != nil {
				dropped(ds, dr, ds)
			}
			for i := 0; i < Tq; i++ {
				pr, dr := p[i*Tk:(i+1)*Tk], ds[i*Tk:(i+1)*Tk]
				var dot float64
				for j, x := range pr {
					dot += float64(x) * float64(dr[j])
				}
				for j, x := range pr {
					dr[j] = T(float64(x) * (float64(dr[j]) - dot) * st.scale)
				}
			}
			if st.grads[0] {
				gemmA(blas.NoTrans, blas.NoTrans, Tq, dkw, Tk, 1, ds, Tk, k[ko:], ldq, 0, dq[qo:], ldq)
			}
			if st.grads[1] {
				gemmA(blas.Trans, blas.NoTrans, Tk, dkw, Tq, 1, ds, Tk, q[qo:], ldq, 0, dk[ko:], ldq)
			}
		}
	})
}

// attnGradPartOp returns the key's (part 1) or the value's (part 2)
// gradient that attnGradOp computed; its inputs are attnGradOp's output,
// for order, and the input whose gradient it is, for the shape.
type attnGradPartOp struct {
	st   *attnState
	part int
}

func (op *attnGradPartOp) name() string {
	if op.part == 1 {
		return "attention_key_grad"
	}
	return "attention_value_grad"
}
func (op *attnGradPartOp) Arity() int { return 2 }
func (op *attnGradPartOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(3), tensorType(3))
}
func (op *attnGradPartOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name(), in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, errors.Errorf("%s: needs 2 inputs", op.name())
	}
	return s[1].Clone(), nil
}
func (op *attnGradPartOp) ReturnsPtr() bool      { return false }
func (op *attnGradPartOp) CallsExtern() bool     { return false }
func (op *attnGradPartOp) OverwritesInput() int  { return -1 }
func (op *attnGradPartOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.st.id) }
func (op *attnGradPartOp) Hashcode() uint32      { return hashOf(op.name(), op.st.id) }
func (op *attnGradPartOp) String() string        { return op.name() }

func (op *attnGradPartOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("%s: %d inputs, want 2", op.name(), len(vals))
	}
	res := op.st.dk_
	if op.part == 2 {
		res = op.st.dv_
	}
	if res == nil {
		return nil, errors.Errorf("%s: the attention gradient has not run", op.name())
	}
	return res, nil
}

// attnScoresOp copies out the probabilities of the forward op.
type attnScoresOp struct{ st *attnState }

func (op *attnScoresOp) Arity() int { return 1 }
func (op *attnScoresOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(4))
}
func (op *attnScoresOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	st := op.st
	return tensor.Shape{st.batch, st.heads, st.tq, st.tk}, nil
}
func (op *attnScoresOp) ReturnsPtr() bool      { return false }
func (op *attnScoresOp) CallsExtern() bool     { return false }
func (op *attnScoresOp) OverwritesInput() int  { return -1 }
func (op *attnScoresOp) WriteHash(h hash.Hash) { writeHash(h, "attention_scores", op.st.id) }
func (op *attnScoresOp) Hashcode() uint32      { return hashOf("attention_scores", op.st.id) }
func (op *attnScoresOp) String() string        { return "attention_scores" }

func (op *attnScoresOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	st := op.st
	if st.probs == nil {
		return nil, errors.New("attention scores: the attention has not run")
	}
	st.scores = reuse(st.scores, st.probs.Dtype(), st.batch, st.heads, st.tq, st.tk)
	switch d := st.scores.Data().(type) {
	case []float32:
		copy(d, st.probs.Data().([]float32))
	case []float64:
		copy(d, st.probs.Data().([]float64))
	}
	return st.scores, nil
}

var (
	_ gorgonia.SDOp = (*attnOp)(nil)
	_ Buffered      = (*attnOp)(nil)
)
