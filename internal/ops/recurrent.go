package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RecurrentCell is the cell a fused recurrent op runs at each step.
type RecurrentCell int

// The cells, with Keras's weight layouts (the gates side by side in the
// columns of the kernel [F, G*U] and of the recurrent kernel [U, G*U]):
const (
	// CellSimple is SimpleRNN's h' = φ(x·W + h·U + b): one gate.
	CellSimple RecurrentCell = iota
	// CellLSTM is LSTM's, gates i, f, c, o; states h and c.
	CellLSTM
	// CellGRU is GRU's with reset_after=True, gates z, r, h; its bias is
	// [2, 3U], the input bias then the recurrent one.
	CellGRU
	// CellGRUResetBefore is GRU's with reset_after=False, where the reset
	// gate multiplies h before U_h; its bias is [3U].
	CellGRUResetBefore
)

func (c RecurrentCell) gates() int {
	switch c {
	case CellLSTM:
		return 4
	case CellGRU, CellGRUResetBefore:
		return 3
	}
	return 1
}

func (c RecurrentCell) states() int {
	if c == CellLSTM {
		return 2
	}
	return 1
}

func (c RecurrentCell) String() string {
	switch c {
	case CellSimple:
		return "simple_rnn"
	case CellLSTM:
		return "lstm"
	case CellGRU:
		return "gru"
	case CellGRUResetBefore:
		return "gru_reset_before"
	}
	return "unknown"
}

// RecurrentConfig is the configuration of a fused recurrent op.
type RecurrentConfig struct {
	Cell RecurrentCell
	// Activation is φ; RecurrentActivation σ, the gates' (unused by
	// CellSimple).
	Activation, RecurrentActivation RecurrentActivation
	// Backwards processes the steps from the last to the first.
	Backwards bool
	// Sequences puts every step's output in the op's output; false puts
	// only the final states there.
	Sequences bool
	// ZeroMasked makes the output of a padded step zeros; false repeats
	// the kept state there.
	ZeroMasked bool
	// InputGrad computes the gradient of the input; false leaves it out,
	// for an input that depends on nothing trainable.
	InputGrad bool
}

// RecurrentInputs are the nodes a fused recurrent op reads.
type RecurrentInputs struct {
	// X is [B, S, F]; Kernel [F, G*U]; Recurrent [U, G*U].
	X, Kernel, Recurrent *gorgonia.Node
	// Bias is [G*U] ([2, 3U] for CellGRU), or nil for none.
	Bias *gorgonia.Node
	// Initial holds the initial states, [B, U] each (h, then LSTM's c),
	// or is nil for zeros.
	Initial []*gorgonia.Node
	// Mask is [B, S], 1 at valid steps and 0 at padded ones, or nil: a
	// padded step keeps the sample's states.
	Mask *gorgonia.Node
	// RecurrentDropout is [B, U], multiplied into h where it enters the
	// recurrent kernel, or nil.
	RecurrentDropout *gorgonia.Node
	// Keep, when not nil, holds one [B, U] tensor per state, into which
	// each forward pass copies the final states (for a stateful layer,
	// whose next batch starts from them).
	Keep []*tensor.Dense
}

// Recurrent runs a recurrent layer over every step of X as one op: the
// input projection of all steps is one GEMM, each step one GEMM with the
// recurrent kernel and the gates computed in one pass; its gradient is
// one op that runs backpropagation through time (one GEMM per step, then
// one GEMM per weight over all steps). Time and memory are linear in the
// number of steps, and the op keeps its buffers from run to run.
//
// The output is [B, n+s, U]: with Sequences, n = S and its first S rows
// per sample are the outputs of the steps in the order processed (reversed
// in time when Backwards); then come the s final states (h, and LSTM's c).
// SequencePart takes them apart.
func Recurrent(cfg RecurrentConfig, in RecurrentInputs) (*gorgonia.Node, error) {
	name := cfg.Cell.String()
	if in.X == nil || in.Kernel == nil || in.Recurrent == nil {
		return nil, errors.Errorf("%s: nil input, kernel or recurrent kernel", name)
	}
	xs, ks, rs := in.X.Shape(), in.Kernel.Shape(), in.Recurrent.Shape()
	if in.X.Dims() != 3 || in.Kernel.Dims() != 2 || in.Recurrent.Dims() != 2 {
		return nil, errors.Errorf("%s: input %v, kernel %v, recurrent kernel %v: want [batch, steps, features], [features, gates*units], [units, gates*units]", name, xs, ks, rs)
	}
	G := cfg.Cell.gates()
	B, S, F, U := xs[0], xs[1], xs[2], rs[0]
	if ks[0] != F || ks[1] != G*U || rs[1] != G*U {
		return nil, errors.Errorf("%s: kernel %v and recurrent kernel %v do not fit input %v with %d gates", name, ks, rs, xs, G)
	}
	dt := in.X.Dtype()
	st := &rnnState{id: opID.Add(1), cfg: cfg, dt: dt, bias: -1, h0: -1, c0: -1, mask: -1, rdrop: -1}
	st.geom = rnnGeom{cell: cfg.Cell, act: cfg.Activation, ract: cfg.RecurrentActivation,
		b: B, s: S, f: F, u: U, g: G, nStates: cfg.Cell.states(), backwards: cfg.Backwards, zeroMasked: cfg.ZeroMasked}
	if cfg.Sequences {
		st.geom.nOut = S
	}
	nodes := []*gorgonia.Node{in.X, in.Kernel, in.Recurrent}
	add := func(n *gorgonia.Node, want tensor.Shape, what string) (int, error) {
		if n.Dtype() != dt {
			return -1, errors.Errorf("%s: %s is %v, input %v", name, what, n.Dtype(), dt)
		}
		if !n.Shape().Eq(want) || n.Dims() != len(want) {
			return -1, errors.Errorf("%s: %s has shape %v, want %v", name, what, n.Shape(), want)
		}
		nodes = append(nodes, n)
		return len(nodes) - 1, nil
	}
	var err error
	if in.Kernel.Dtype() != dt || in.Recurrent.Dtype() != dt {
		return nil, errors.Errorf("%s: mixed dtypes %v, %v and %v", name, dt, in.Kernel.Dtype(), in.Recurrent.Dtype())
	}
	if in.Bias != nil {
		want := tensor.Shape{G * U}
		if cfg.Cell == CellGRU {
			want = tensor.Shape{2, G * U}
		}
		if st.bias, err = add(in.Bias, want, "bias"); err != nil {
			return nil, err
		}
	}
	if in.Initial != nil {
		if len(in.Initial) != st.geom.nStates {
			return nil, errors.Errorf("%s: %d initial states, want %d", name, len(in.Initial), st.geom.nStates)
		}
		for k, s := range in.Initial {
			if s == nil {
				return nil, errors.Errorf("%s: initial state %d is nil", name, k)
			}
			i, err := add(s, tensor.Shape{B, U}, fmt.Sprintf("initial state %d", k))
			if err != nil {
				return nil, err
			}
			if k == 0 {
				st.h0 = i
			} else {
				st.c0 = i
			}
		}
	}
	if in.Mask != nil {
		if st.mask, err = add(in.Mask, tensor.Shape{B, S}, "mask"); err != nil {
			return nil, err
		}
	}
	if in.RecurrentDropout != nil {
		if st.rdrop, err = add(in.RecurrentDropout, tensor.Shape{B, U}, "recurrent dropout mask"); err != nil {
			return nil, err
		}
	}
	if in.Keep != nil {
		if len(in.Keep) != st.geom.nStates {
			return nil, errors.Errorf("%s: %d kept states, want %d", name, len(in.Keep), st.geom.nStates)
		}
		for k, t := range in.Keep {
			if t == nil || t.Dtype() != dt || !t.Shape().Eq(tensor.Shape{B, U}) {
				return nil, errors.Errorf("%s: kept state %d must be %v [%d, %d]", name, k, dt, B, U)
			}
		}
		st.keep = in.Keep
	}
	for _, n := range nodes {
		st.shapes = append(st.shapes, n.Shape().Clone())
	}
	return gorgonia.ApplyOp(&recurrentOp{st}, nodes...)
}

// rnnState is what a fused recurrent op shares with its gradient ops.
type rnnState struct {
	id                        int64
	cfg                       RecurrentConfig
	geom                      rnnGeom
	dt                        tensor.Dtype
	bias, h0, c0, mask, rdrop int // the inputs' positions, -1 if absent
	shapes                    []tensor.Shape
	f32                       rnnBufs[float32]
	f64                       rnnBufs[float64]
	out                       *tensor.Dense
	grads                     []*tensor.Dense // by input
	keep                      []*tensor.Dense // where the final states go, or nil
	ran                       bool            // the forward pass ran since the last backward one
}

func (st *rnnState) name() string { return st.cfg.Cell.String() }

// diff reports whether input i has a gradient.
func (st *rnnState) diff(i int) bool {
	switch {
	case i == 0:
		return st.cfg.InputGrad
	case i == st.mask || i == st.rdrop:
		return false
	}
	return true
}

// values checks the inputs' values against the shapes the graph was built
// with.
func (st *rnnState) values(vals []gorgonia.Value) ([]*tensor.Dense, error) {
	if len(vals) < len(st.shapes) {
		return nil, errors.Errorf("%s: %d inputs, want %d", st.name(), len(vals), len(st.shapes))
	}
	ts := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		d, err := dense(st.name(), v)
		if err != nil {
			return nil, err
		}
		if d.Dtype() != st.dt {
			return nil, errors.Errorf("%s: input %d is %v, want %v", st.name(), i, d.Dtype(), st.dt)
		}
		if i < len(st.shapes) && !d.Shape().Eq(st.shapes[i]) {
			return nil, errors.Errorf("%s: input %d has shape %v, want %v", st.name(), i, d.Shape(), st.shapes[i])
		}
		ts[i] = d
	}
	return ts, nil
}

func opt[T float](ts []*tensor.Dense, i int) []T {
	if i < 0 {
		return nil
	}
	return ts[i].Data().([]T)
}

func runForward[T float](st *rnnState, k *rnnBufs[T], ts []*tensor.Dense) {
	rnnForward(&st.geom, k, ts[0].Data().([]T), ts[1].Data().([]T), ts[2].Data().([]T),
		opt[T](ts, st.bias), opt[T](ts, st.h0), opt[T](ts, st.c0), opt[T](ts, st.mask), opt[T](ts, st.rdrop),
		st.out.Data().([]T))
}

func runBackward[T float](st *rnnState, k *rnnBufs[T], ts []*tensor.Dense, dout *tensor.Dense) {
	g := func(i int) []T {
		if i < 0 || st.grads[i] == nil {
			return nil
		}
		return st.grads[i].Data().([]T)
	}
	var dx []T
	if st.cfg.InputGrad {
		dx = g(0)
	}
	rnnBackward(&st.geom, k, ts[1].Data().([]T), ts[2].Data().([]T), opt[T](ts, st.rdrop), dout.Data().([]T),
		dx, g(1), g(2), g(st.bias), g(st.h0), g(st.c0))
}

// recurrentOp is the forward pass.
type recurrentOp struct{ st *rnnState }

func (op *recurrentOp) Arity() int { return len(op.st.shapes) }

func (op *recurrentOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(op.st.shapes)+1)
	for _, s := range op.st.shapes {
		ts = append(ts, tensorType(len(s)))
	}
	return hm.NewFnType(append(ts, tensorType(3))...)
}

func (op *recurrentOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	g := op.st.geom
	return tensor.Shape{g.b, g.nOut + g.nStates, g.u}, nil
}

func (op *recurrentOp) ReturnsPtr() bool      { return false }
func (op *recurrentOp) CallsExtern() bool     { return false }
func (op *recurrentOp) OverwritesInput() int  { return -1 }
func (op *recurrentOp) WriteHash(h hash.Hash) { writeHash(h, op.st.name(), op.st.id) }
func (op *recurrentOp) Hashcode() uint32      { return hashOf(op.st.name(), op.st.id) }
func (op *recurrentOp) String() string        { return "Recurrent(" + op.st.name() + ")" }

func (op *recurrentOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	st := op.st
	if len(vals) != len(st.shapes) {
		return nil, errors.Errorf("%s: %d inputs, want %d", st.name(), len(vals), len(st.shapes))
	}
	ts, err := st.values(vals)
	if err != nil {
		return nil, err
	}
	g := st.geom
	st.out = reuse(st.out, st.dt, g.b, g.nOut+g.nStates, g.u)
	if st.dt == tensor.Float32 {
		runForward(st, &st.f32, ts)
	} else {
		runForward(st, &st.f64, ts)
	}
	st.ran = true
	for k, t := range st.keep {
		keepState(st.out, t, g.nOut+k, g.nOut+g.nStates, g.u)
	}
	return st.out, nil
}

func (op *recurrentOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = op.st.diff(i)
	}
	return out
}

func (op *recurrentOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	st := op.st
	if len(inputs) != len(st.shapes) {
		return nil, errors.Errorf("%s gradient: %d inputs, want %d", st.name(), len(inputs), len(st.shapes))
	}
	bp, err := gorgonia.ApplyOp(&recurrentGradOp{st}, append(append(gorgonia.Nodes(nil), inputs...), grad)...)
	if err != nil {
		return nil, errors.Wrapf(err, "%s gradient", st.name())
	}
	out := make(gorgonia.Nodes, len(inputs))
	for i := range inputs {
		if !st.diff(i) {
			continue
		}
		if i == 0 {
			out[0] = bp
			continue
		}
		if out[i], err = gorgonia.ApplyOp(&recurrentPickOp{st, i}, bp); err != nil {
			return nil, errors.Wrapf(err, "%s gradient %d", st.name(), i)
		}
	}
	return out, nil
}

// recurrentGradOp runs backpropagation through time: from the inputs and
// the output's gradient it computes the gradients of every input, and
// returns the input's ([B, S, F]; zeros without InputGrad).
type recurrentGradOp struct{ st *rnnState }

func (op *recurrentGradOp) Arity() int { return len(op.st.shapes) + 1 }

func (op *recurrentGradOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(op.st.shapes)+2)
	for _, s := range op.st.shapes {
		ts = append(ts, tensorType(len(s)))
	}
	return hm.NewFnType(append(ts, tensorType(3), tensorType(3))...)
}

func (op *recurrentGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return op.st.shapes[0].Clone(), nil
}

func (op *recurrentGradOp) ReturnsPtr() bool      { return false }
func (op *recurrentGradOp) CallsExtern() bool     { return false }
func (op *recurrentGradOp) OverwritesInput() int  { return -1 }
func (op *recurrentGradOp) WriteHash(h hash.Hash) { writeHash(h, op.st.name()+"_bptt", op.st.id) }
func (op *recurrentGradOp) Hashcode() uint32      { return hashOf(op.st.name()+"_bptt", op.st.id) }
func (op *recurrentGradOp) String() string        { return "RecurrentGrad(" + op.st.name() + ")" }

func (op *recurrentGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	st := op.st
	if len(vals) != len(st.shapes)+1 {
		return nil, errors.Errorf("%s gradient: %d inputs, want %d", st.name(), len(vals), len(st.shapes)+1)
	}
	ts, err := st.values(vals)
	if err != nil {
		return nil, err
	}
	if !st.ran {
		return nil, errors.Errorf("%s gradient: the forward pass has not run", st.name())
	}
	dout := ts[len(ts)-1]
	g := st.geom
	if !dout.Shape().Eq(tensor.Shape{g.b, g.nOut + g.nStates, g.u}) {
		return nil, errors.Errorf("%s gradient: output gradient %v, want %v", st.name(), dout.Shape(), tensor.Shape{g.b, g.nOut + g.nStates, g.u})
	}
	if st.grads == nil {
		st.grads = make([]*tensor.Dense, len(st.shapes))
	}
	for i, s := range st.shapes {
		if i == 0 || st.diff(i) {
			st.grads[i] = reuse(st.grads[i], st.dt, s...)
		}
	}
	if st.dt == tensor.Float32 {
		runBackward(st, &st.f32, ts, dout)
	} else {
		runBackward(st, &st.f64, ts, dout)
	}
	return st.grads[0], nil
}

// recurrentPickOp returns the gradient of input i that the gradient op
// computed.
type recurrentPickOp struct {
	st *rnnState
	i  int
}

func (op *recurrentPickOp) Arity() int { return 1 }
func (op *recurrentPickOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(len(op.st.shapes[op.i])))
}
func (op *recurrentPickOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return op.st.shapes[op.i].Clone(), nil
}
func (op *recurrentPickOp) ReturnsPtr() bool     { return false }
func (op *recurrentPickOp) CallsExtern() bool    { return false }
func (op *recurrentPickOp) OverwritesInput() int { return -1 }
func (op *recurrentPickOp) WriteHash(h hash.Hash) {
	writeHash(h, fmt.Sprintf("%s_grad_%d", op.st.name(), op.i), op.st.id)
}
func (op *recurrentPickOp) Hashcode() uint32 {
	return hashOf(fmt.Sprintf("%s_grad_%d", op.st.name(), op.i), op.st.id)
}
func (op *recurrentPickOp) String() string {
	return fmt.Sprintf("RecurrentGrad(%s)[%d]", op.st.name(), op.i)
}

func (op *recurrentPickOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s gradient %d: %d inputs, want 1", op.st.name(), op.i, len(vals))
	}
	if op.st.grads == nil || op.st.grads[op.i] == nil {
		return nil, errors.Errorf("%s gradient %d: not computed", op.st.name(), op.i)
	}
	return op.st.grads[op.i], nil
}

func (op *recurrentOp) BufferBytes() int {
	st := op.st
	n := denseBytes(st.out) + denseBytes(st.grads...)
	for _, k := range []*rnnBufs[float32]{&st.f32} {
		n += sliceBytes(k.xt, k.a, k.h, k.c, k.tc, k.rh, k.hin, k.rec, k.dz, k.dzr, k.dh, k.dc, k.tmp, k.tm2, k.dxt, k.ones)
	}
	for _, k := range []*rnnBufs[float64]{&st.f64} {
		n += sliceBytes(k.xt, k.a, k.h, k.c, k.tc, k.rh, k.hin, k.rec, k.dz, k.dzr, k.dh, k.dc, k.tmp, k.tm2, k.dxt, k.ones)
	}
	return n
}

func (op *recurrentOp) Release() {
	st := op.st
	st.out, st.grads = nil, nil
	st.f32, st.f64 = rnnBufs[float32]{}, rnnBufs[float64]{}
}

var (
	_ gorgonia.SDOp = (*recurrentOp)(nil)
	_ Buffered      = (*recurrentOp)(nil)
)

// keepState copies row r of every sample of out, [B, rows, U], into dst,
// [B, U].
func keepState(out, dst *tensor.Dense, r, rows, u int) {
	switch o := out.Data().(type) {
	case []float32:
		copyRow(o, dst.Data().([]float32), r, rows, u)
	case []float64:
		copyRow(o, dst.Data().([]float64), r, rows, u)
	}
}

func copyRow[T float](out, dst []T, r, rows, u int) {
	for b := 0; b*u < len(dst); b++ {
		copy(dst[b*u:(b+1)*u], out[(b*rows+r)*u:(b*rows+r+1)*u])
	}
}
