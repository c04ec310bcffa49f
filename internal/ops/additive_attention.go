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

// AdditiveAttention is Bahdanau-style attention as one op, Keras's
// AdditiveAttention: with q [batch, Tq, d], k [batch, Tk, d] and v
// [batch, Tk, dv],
//
//	score[i, j] = Σ_c scale[c]·tanh(q[i, c] + k[j, c])
//	out = softmax(score + M)·v                        [batch, Tq, dv]
//
// scale, [d], may be nil (all ones: Keras's use_scale=False). The masks
// and the dropout of p are as for Attention (p.Heads, p.Scale and p.Mask
// are not used; p.Dropout is [batch, 1, Tq, Tk]). The gradients of q, k, v
// and scale come from one op.
func AdditiveAttention(q, k, v, scale *gorgonia.Node, p AttentionParams) (*gorgonia.Node, error) {
	if q == nil || k == nil || v == nil {
		return nil, errors.New("additive attention: nil query, key or value")
	}
	qs, ks, vs := q.Shape(), k.Shape(), v.Shape()
	if len(qs) != 3 || len(ks) != 3 || len(vs) != 3 || qs[0] != ks[0] || qs[0] != vs[0] || ks[1] != vs[1] || qs[2] != ks[2] {
		return nil, errors.Errorf("additive attention: query %v, key %v and value %v do not fit", qs, ks, vs)
	}
	if q.Dtype() != k.Dtype() || q.Dtype() != v.Dtype() {
		return nil, errors.Errorf("additive attention: dtypes %v, %v, %v", q.Dtype(), k.Dtype(), v.Dtype())
	}
	st := &attnState{id: opID.Add(1), batch: qs[0], tq: qs[1], tk: ks[1], heads: 1, dk: qs[2], dv: vs[2], causal: p.Causal, grads: p.Grads}
	in := gorgonia.Nodes{q, k, v}
	for i, n := range []*gorgonia.Node{nil, p.QueryMask, p.KeyMask, p.Dropout} {
		if n == nil {
			continue
		}
		if want := st.extraShape(i); !n.Shape().Eq(want) || n.Dtype() != q.Dtype() {
			return nil, errors.Errorf("additive attention: %s %v, want %v", extraNames[i], n.Shape(), want)
		}
		st.extras = append(st.extras, i)
		in = append(in, n)
	}
	op := &addAttnOp{st: st}
	if scale != nil {
		if scale.Dims() != 1 || scale.Shape()[0] != qs[2] || scale.Dtype() != q.Dtype() {
			return nil, errors.Errorf("additive attention: scale %v, want [%d]", scale.Shape(), qs[2])
		}
		op.scale = true
		in = append(in, scale)
	}
	return gorgonia.ApplyOp(op, in...)
}

type addAttnOp struct {
	st     *attnState
	scale  bool
	dscale *tensor.Dense
}

func (op *addAttnOp) Arity() int {
	n := op.st.arity()
	if op.scale {
		n++
	}
	return n
}
func (op *addAttnOp) types() []hm.Type {
	ts := op.st.types()
	if op.scale {
		ts = append(ts, tensorType(1))
	}
	return ts
}
func (op *addAttnOp) Type() hm.Type { return hm.NewFnType(append(op.types(), tensorType(3))...) }
func (op *addAttnOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.st.batch, op.st.tq, op.st.dv}, nil
}
func (op *addAttnOp) ReturnsPtr() bool      { return false }
func (op *addAttnOp) CallsExtern() bool     { return false }
func (op *addAttnOp) OverwritesInput() int  { return -1 }
func (op *addAttnOp) WriteHash(h hash.Hash) { writeHash(h, "additive_attention", op.st.id) }
func (op *addAttnOp) Hashcode() uint32      { return hashOf("additive_attention", op.st.id) }
func (op *addAttnOp) String() string        { return "AdditiveAttention" }

// split reads the op's values: the attention's and the scale (nil when
// absent).
func (op *addAttnOp) split(what string, vals []gorgonia.Value) (attnValues, *tensor.Dense, error) {
	n := op.st.arity()
	if len(vals) < n {
		return attnValues{}, nil, errors.Errorf("%s: %d inputs, want %d", what, len(vals), op.Arity())
	}
	a, err := op.st.values(what, vals[:n])
	if err != nil {
		return a, nil, err
	}
	var s *tensor.Dense
	if op.scale {
		if s, err = dense(what, vals[n]); err != nil {
			return a, nil, err
		}
	}
	return a, s, nil
}

func scaleData[T float](s *tensor.Dense, d int) []T {
	if s == nil {
		out := make([]T, d)
		for i := range out {
			out[i] = 1
		}
		return out
	}
	return s.Data().([]T)
}

func (op *addAttnOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	a, s, err := op.split("additive attention", vals)
	if err != nil {
		return nil, err
	}
	st := op.st
	dt := a.q.Dtype()
	st.out = reuse(st.out, dt, st.batch, st.tq, st.dv)
	st.probs = reuse(st.probs, dt, st.batch, 1, st.tq, st.tk)
	switch qd := a.q.Data().(type) {
	case []float32:
		addForward(st, qd, a.k.Data().([]float32), a.v.Data().([]float32), scaleData[float32](s, st.dk), masksOf[float32](a), st.probs.Data().([]float32), st.out.Data().([]float32))
	case []float64:
		addForward(st, qd, a.k.Data().([]float64), a.v.Data().([]float64), scaleData[float64](s, st.dk), masksOf[float64](a), st.probs.Data().([]float64), st.out.Data().([]float64))
	}
	return st.out, nil
}

func addForward[T float](st *attnState, q, k, v, scale []T, ms attnMasks[T], probs, out []T) {
	B, Tq, Tk, D, Dv := st.batch, st.tq, st.tk, st.dk, st.dv
	parallel.For(B, B*Tq*Tk*D, func(lo, hi int) {
		var pd []T
		if ms.drop != nil {
			pd = make([]T, Tq*Tk)
		}
		for b := lo; b < hi; b++ {
			p := probs[b*Tq*Tk : (b+1)*Tq*Tk]
			for i := 0; i < Tq; i++ {
				qi := q[(b*Tq+i)*D : (b*Tq+i+1)*D]
				for j := 0; j < Tk; j++ {
					kj := k[(b*Tk+j)*D : (b*Tk+j+1)*D]
					var s float64
					for c, x := range qi {
						s += float64(scale[c]) * math.Tanh(float64(x+kj[c]))
					}
					p[i*Tk+j] = T(s)
				}
				var krow []T
				if ms.kmask != nil {
					krow = ms.kmask[b*Tk : (b+1)*Tk]
				}
				all := ms.qmask != nil && ms.qmask[b*Tq+i] == 0
				softmaxRow(p[i*Tk:(i+1)*Tk], nil, krow, all, st.causal, i)
			}
			pv := p
			if ms.drop != nil {
				pv = dropped(p, ms.drop[b*Tq*Tk:(b+1)*Tq*Tk], pd)
			}
			gemmA(blas.NoTrans, blas.NoTrans, Tq, Dv, Tk, 1, pv, Tk, v[b*Tk*Dv:], Dv, 0, out[b*Tq*Dv:], Dv)
		}
	})
}

func (op *addAttnOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	copy(out, op.st.grads[:])
	if op.scale {
		out[n-1] = true
	}
	return out
}

func (op *addAttnOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(&addAttnGradOp{op}, append(append(gorgonia.Nodes(nil), inputs...), grad)...)
	if err != nil {
		return nil, errors.Wrap(err, "additive attention gradient")
	}
	out := make(gorgonia.Nodes, len(inputs))
	if op.st.grads[0] {
		out[0] = g
	}
	for i := 1; i < 3; i++ {
		if op.st.grads[i] {
			if out[i], err = gorgonia.ApplyOp(&addAttnPartOp{op, i}, g, inputs[i]); err != nil {
				return nil, err
			}
		}
	}
	if op.scale {
		n := len(inputs) - 1
		if out[n], err = gorgonia.ApplyOp(&addAttnPartOp{op, 3}, g, inputs[n]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addAttnGradOp computes every gradient and returns q's.
type addAttnGradOp struct{ fwd *addAttnOp }

func (op *addAttnGradOp) Arity() int { return op.fwd.Arity() + 1 }
func (op *addAttnGradOp) Type() hm.Type {
	return hm.NewFnType(append(op.fwd.types(), tensorType(3), tensorType(3))...)
}
func (op *addAttnGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("additive attention gradient", in[:1])
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *addAttnGradOp) ReturnsPtr() bool     { return false }
func (op *addAttnGradOp) CallsExtern() bool    { return false }
func (op *addAttnGradOp) OverwritesInput() int { return -1 }
func (op *addAttnGradOp) WriteHash(h hash.Hash) {
	writeHash(h, "additive_attention_grad", op.fwd.st.id)
}
func (op *addAttnGradOp) Hashcode() uint32 { return hashOf("additive_attention_grad", op.fwd.st.id) }
func (op *addAttnGradOp) String() string   { return "additive_attention_grad" }

func (op *addAttnGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	f := op.fwd
	st := f.st
	n := len(vals) - 1
	a, s, err := f.split("additive attention gradient", vals[:n])
	if err != nil {
		return nil, err
	}
	dout, err := dense("additive attention gradient", vals[n])
	if err != nil {
		return nil, err
	}
	if !dout.Shape().Eq(tensor.Shape{st.batch, st.tq, st.dv}) {
		return nil, errors.Errorf("additive attention gradient: output gradient %v", dout.Shape())
	}
	if _, err := f.Do(vals[:n]...); err != nil { // the probabilities, for these inputs
		return nil, err
	}
	dt := a.q.Dtype()
	st.dq = reuse(st.dq, dt, st.batch, st.tq, st.dk)
	st.dk_ = reuse(st.dk_, dt, st.batch, st.tk, st.dk)
	st.dv_ = reuse(st.dv_, dt, st.batch, st.tk, st.dv)
	f.dscale = reuse(f.dscale, dt, st.dk)
	switch qd := a.q.Data().(type) {
	case []float32:
		addBackward(st, qd, a.k.Data().([]float32), a.v.Data().([]float32), scaleData[float32](s, st.dk), maskData[float32](a.optional[extraDropout]),
			st.probs.Data().([]float32), dout.Data().([]float32), st.dq.Data().([]float32), st.dk_.Data().([]float32), st.dv_.Data().([]float32), f.dscale.Data().([]float32))
	case []float64:
		addBackward(st, qd, a.k.Data().([]float64), a.v.Data().([]float64), scaleData[float64](s, st.dk), maskData[float64](a.optional[extraDropout]),
			st.probs.Data().([]float64), dout.Data().([]float64), st.dq.Data().([]float64), st.dk_.Data().([]float64), st.dv_.Data().([]float64), f.dscale.Data().([]float64))
	}
	return st.dq, nil
}

// addBackward: dV = (P∘D)ᵀ·dO, dP = (dO·Vᵀ)∘D, dS = P∘(dP - rowsum(dP∘P)),
// and through score = Σ scale·tanh(q + k): with t = tanh(q_i + k_j),
// dq_i += dS_ij·scale·(1-t²), dk_j likewise, dscale += dS_ij·t. It runs on
// one goroutine: the key and scale gradients sum over the batch.
func addBackward[T float](st *attnState, q, k, v, scale, drop, probs, dout, dq, dk, dv, dscale []T) {
	B, Tq, Tk, D, Dv := st.batch, st.tq, st.tk, st.dk, st.dv
	clear(dq)
	clear(dk)
	clear(dscale)
	ds := make([]T, Tq*Tk)
	var pd []T
	if drop != nil {
		pd = make([]T, Tq*Tk)
	}
	for b := 0; b < B; b++ {
		p := probs[b*Tq*Tk : (b+1)*Tq*Tk]
		var dr []T
		if drop != nil {
			dr = drop[b*Tq*Tk : (b+1)*Tq*Tk]
		}
		pv := p
		if dr != nil {
			pv = dropped(p, dr, pd)
		}
		gemmA(blas.Trans, blas.NoTrans, Tk, Dv, Tq, 1, pv, Tk, dout[b*Tq*Dv:], Dv, 0, dv[b*Tk*Dv:], Dv)
		gemmA(blas.NoTrans, blas.Trans, Tq, Tk, Dv, 1, dout[b*Tq*Dv:], Dv, v[b*Tk*Dv:], Dv, 0, ds, Tk)
		if dr != nil {
			dropped(ds, dr, ds)
		}
		for i := 0; i < Tq; i++ {
			pr, drow := p[i*Tk:(i+1)*Tk], ds[i*Tk:(i+1)*Tk]
			var dot float64
			for j, x := range pr {
				dot += float64(x) * float64(drow[j])
			}
			qi := q[(b*Tq+i)*D : (b*Tq+i+1)*D]
			dqi := dq[(b*Tq+i)*D : (b*Tq+i+1)*D]
			for j, x := range pr {
				g := float64(x) * (float64(drow[j]) - dot)
				if g == 0 {
					continue
				}
				kj := k[(b*Tk+j)*D : (b*Tk+j+1)*D]
				dkj := dk[(b*Tk+j)*D : (b*Tk+j+1)*D]
				for c := range qi {
					t := math.Tanh(float64(qi[c] + kj[c]))
					h := g * float64(scale[c]) * (1 - t*t)
					dqi[c] += T(h)
					dkj[c] += T(h)
					dscale[c] += T(g * t)
				}
			}
		}
	}
}

// addAttnPartOp returns the key's (1), the value's (2) or the scale's (3)
// gradient addAttnGradOp computed.
type addAttnPartOp struct {
	fwd  *addAttnOp
	part int
}

func (op *addAttnPartOp) Arity() int { return 2 }
func (op *addAttnPartOp) Type() hm.Type {
	if op.part == 3 {
		return hm.NewFnType(tensorType(3), tensorType(1), tensorType(1))
	}
	return hm.NewFnType(tensorType(3), tensorType(3), tensorType(3))
}
func (op *addAttnPartOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("additive attention gradient", in)
	if err != nil {
		return nil, err
	}
	return s[1].Clone(), nil
}
func (op *addAttnPartOp) ReturnsPtr() bool     { return false }
func (op *addAttnPartOp) CallsExtern() bool    { return false }
func (op *addAttnPartOp) OverwritesInput() int { return -1 }
func (op *addAttnPartOp) name() string {
	return [...]string{"", "additive_attention_key_grad", "additive_attention_value_grad", "additive_attention_scale_grad"}[op.part]
}
func (op *addAttnPartOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.fwd.st.id) }
func (op *addAttnPartOp) Hashcode() uint32      { return hashOf(op.name(), op.fwd.st.id) }
func (op *addAttnPartOp) String() string        { return op.name() }

func (op *addAttnPartOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	res := [...]*tensor.Dense{nil, op.fwd.st.dk_, op.fwd.st.dv_, op.fwd.dscale}[op.part]
	if res == nil {
		return nil, errors.Errorf("%s: the gradient has not run", op.name())
	}
	return res, nil
}

var _ gorgonia.SDOp = (*addAttnOp)(nil)
