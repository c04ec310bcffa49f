package ops

import (
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TokenCrossentropy is, for each token of ids, [batch, steps] (float
// ids), -log softmax(logits)[id], logits [batch, steps, vocab], and 0 where
// the id is ignore (padding): [batch, steps], the loss of a language model
// or a translator token by token. It is one op whose gradient, into logits
// only, is (softmax - onehot)·g at the counted tokens. An id outside the
// vocabulary is an error at run time.
func TokenCrossentropy(logits, ids *gorgonia.Node, ignore int) (*gorgonia.Node, error) {
	if logits == nil || ids == nil {
		return nil, errors.New("token crossentropy: nil input")
	}
	ls, is := logits.Shape(), ids.Shape()
	if len(ls) != 3 || len(is) != 2 || is[0] != ls[0] || is[1] != ls[1] {
		return nil, errors.Errorf("token crossentropy: logits %v and ids %v, want [batch, steps, vocab] and [batch, steps]", ls, is)
	}
	if logits.Dtype() != ids.Dtype() {
		return nil, errors.Errorf("token crossentropy: logits are %v, ids %v", logits.Dtype(), ids.Dtype())
	}
	return gorgonia.ApplyOp(&tokenXentOp{id: opID.Add(1), ignore: ignore}, logits, ids)
}

type tokenXentOp struct {
	id        int64
	ignore    int
	out, grad *tensor.Dense
}

func (op *tokenXentOp) Arity() int { return 2 }
func (op *tokenXentOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(2), tensorType(2))
}
func (op *tokenXentOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("token crossentropy", in[:1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0], s[0][1]}, nil
}
func (op *tokenXentOp) ReturnsPtr() bool      { return false }
func (op *tokenXentOp) CallsExtern() bool     { return false }
func (op *tokenXentOp) OverwritesInput() int  { return -1 }
func (op *tokenXentOp) WriteHash(h hash.Hash) { writeHash(h, "token_xent", op.id) }
func (op *tokenXentOp) Hashcode() uint32      { return hashOf("token_xent", op.id) }
func (op *tokenXentOp) String() string        { return "TokenCrossentropy" }

func (op *tokenXentOp) inputs(vals []gorgonia.Value) (l, ids *tensor.Dense, err error) {
	if len(vals) < 2 {
		return nil, nil, errors.Errorf("token crossentropy: %d inputs, want 2", len(vals))
	}
	if l, err = dense("token crossentropy", vals[0]); err != nil {
		return nil, nil, err
	}
	if ids, err = dense("token crossentropy", vals[1]); err != nil {
		return nil, nil, err
	}
	return l, ids, nil
}

// tokenXent writes each token's loss into out or, when grad is not nil,
// its gradient (times g, the output's gradient) into grad.
func tokenXent[T float](logits, ids []T, vocab, ignore int, g, out, grad []T) error {
	rows := len(ids)
	if grad != nil {
		clear(grad)
	}
	for r := 0; r < rows; r++ {
		id := int(ids[r])
		if out != nil {
			out[r] = 0
		}
		if id == ignore {
			continue
		}
		if float64(id) != float64(ids[r]) || id < 0 || id >= vocab {
			return errors.Errorf("token crossentropy: id %v at token %d is outside the vocabulary of %d", ids[r], r, vocab)
		}
		row := logits[r*vocab : (r+1)*vocab]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, float64(v))
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - mx)
		}
		lse := mx + math.Log(sum)
		if out != nil {
			out[r] = T(lse - float64(row[id]))
		}
		if grad != nil {
			gr := grad[r*vocab : (r+1)*vocab]
			scale := float64(g[r])
			for j, v := range row {
				gr[j] = T(math.Exp(float64(v)-lse) * scale)
			}
			gr[id] -= T(scale)
		}
	}
	return nil
}

func (op *tokenXentOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	l, ids, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	s := l.Shape()
	if !ids.Shape().Eq(tensor.Shape{s[0], s[1]}) || ids.Dtype() != l.Dtype() {
		return nil, errors.Errorf("token crossentropy: ids %v, want (%d, %d)", ids.Shape(), s[0], s[1])
	}
	op.out = reuse(op.out, l.Dtype(), s[0], s[1])
	switch ld := l.Data().(type) {
	case []float32:
		err = tokenXent(ld, ids.Data().([]float32), s[2], op.ignore, nil, op.out.Data().([]float32), nil)
	case []float64:
		err = tokenXent(ld, ids.Data().([]float64), s[2], op.ignore, nil, op.out.Data().([]float64), nil)
	}
	if err != nil {
		return nil, err
	}
	return op.out, nil
}

func (op *tokenXentOp) DiffWRT(n int) []bool { return []bool{true, false}[:n] }

func (op *tokenXentOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(&tokenXentGradOp{op}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, errors.Wrap(err, "token crossentropy gradient")
	}
	return gorgonia.Nodes{g, nil}, nil
}

func (op *tokenXentOp) BufferBytes() int { return denseBytes(op.out, op.grad) }
func (op *tokenXentOp) Release()         { op.out, op.grad = nil, nil }

type tokenXentGradOp struct{ fwd *tokenXentOp }

func (op *tokenXentGradOp) Arity() int { return 3 }
func (op *tokenXentGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(2), tensorType(2), tensorType(3))
}
func (op *tokenXentGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("token crossentropy gradient", in[:1])
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *tokenXentGradOp) ReturnsPtr() bool      { return false }
func (op *tokenXentGradOp) CallsExtern() bool     { return false }
func (op *tokenXentGradOp) OverwritesInput() int  { return -1 }
func (op *tokenXentGradOp) WriteHash(h hash.Hash) { writeHash(h, "token_xent_grad", op.fwd.id) }
func (op *tokenXentGradOp) Hashcode() uint32      { return hashOf("token_xent_grad", op.fwd.id) }
func (op *tokenXentGradOp) String() string        { return "token_xent_grad" }

func (op *tokenXentGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	l, ids, err := op.fwd.inputs(vals)
	if err != nil {
		return nil, err
	}
	dy, err := dense("token crossentropy gradient", vals[2])
	if err != nil {
		return nil, err
	}
	if s := l.Shape(); !dy.Shape().Eq(tensor.Shape{s[0], s[1]}) || dy.Dtype() != l.Dtype() {
		return nil, errors.Errorf("token crossentropy gradient: output gradient %v", dy.Shape())
	}
	f := op.fwd
	f.grad = reuse(f.grad, l.Dtype(), l.Shape()...)
	vocab := l.Shape()[2]
	switch ld := l.Data().(type) {
	case []float32:
		err = tokenXent(ld, ids.Data().([]float32), vocab, f.ignore, dy.Data().([]float32), nil, f.grad.Data().([]float32))
	case []float64:
		err = tokenXent(ld, ids.Data().([]float64), vocab, f.ignore, dy.Data().([]float64), nil, f.grad.Data().([]float64))
	}
	if err != nil {
		return nil, err
	}
	return f.grad, nil
}

var (
	_ gorgonia.SDOp = (*tokenXentOp)(nil)
	_ Buffered      = (*tokenXentOp)(nil)
)
