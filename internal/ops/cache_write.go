package ops

import (
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CacheWrite returns cache, [batch, max steps, f], with step pos (a scalar
// node) replaced by rows, [batch, 1, f]: the keys or values a decoder has
// cached, with the current step's written in, in a buffer the op keeps. A
// generation loop copies it back into the cache for the next step. It has
// no gradient (generation does not train); a pos outside the cache is an
// error at run time.
func CacheWrite(cache, rows, pos *gorgonia.Node) (*gorgonia.Node, error) {
	if cache == nil || rows == nil || pos == nil {
		return nil, errors.New("cache write: nil input")
	}
	cs, rs := cache.Shape(), rows.Shape()
	if len(cs) != 3 || len(rs) != 3 || rs[0] != cs[0] || rs[1] != 1 || rs[2] != cs[2] {
		return nil, errors.Errorf("cache write: cache %v and rows %v, want [batch, steps, f] and [batch, 1, f]", cs, rs)
	}
	if !pos.IsScalar() || pos.Dtype() != cache.Dtype() || rows.Dtype() != cache.Dtype() {
		return nil, errors.Errorf("cache write: cache %v, rows %v and position %v %v must be of one dtype, the position a scalar", cache.Dtype(), rows.Dtype(), pos.Shape(), pos.Dtype())
	}
	return gorgonia.ApplyOp(&cacheWriteOp{id: opID.Add(1)}, cache, rows, pos)
}

type cacheWriteOp struct {
	id  int64
	out *tensor.Dense
}

func (op *cacheWriteOp) Arity() int { return 3 }
func (op *cacheWriteOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(3), hm.TypeVariable('a'), tensorType(3))
}
func (op *cacheWriteOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("cache write", in[:1])
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *cacheWriteOp) ReturnsPtr() bool      { return false }
func (op *cacheWriteOp) CallsExtern() bool     { return false }
func (op *cacheWriteOp) OverwritesInput() int  { return -1 }
func (op *cacheWriteOp) WriteHash(h hash.Hash) { writeHash(h, "cache_write", op.id) }
func (op *cacheWriteOp) Hashcode() uint32      { return hashOf("cache_write", op.id) }
func (op *cacheWriteOp) String() string        { return "CacheWrite" }

func (op *cacheWriteOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 3 {
		return nil, errors.Errorf("cache write: %d inputs, want 3", len(vals))
	}
	cache, err := dense("cache write", vals[0])
	if err != nil {
		return nil, err
	}
	rows, err := dense("cache write", vals[1])
	if err != nil {
		return nil, err
	}
	var p float64
	switch v := vals[2].Data().(type) {
	case float32:
		p = float64(v)
	case float64:
		p = v
	default:
		return nil, errors.Errorf("cache write: position is %T, want a float scalar", v)
	}
	b, steps, f := cache.Shape()[0], cache.Shape()[1], cache.Shape()[2]
	if p < 0 || p >= float64(steps) || p != float64(int(p)) {
		return nil, errors.Errorf("cache write: position %v outside the cache of %d steps", p, steps)
	}
	at := int(p)
	op.out = reuse(op.out, cache.Dtype(), b, steps, f)
	switch o := op.out.Data().(type) {
	case []float32:
		writeRows(o, cache.Data().([]float32), rows.Data().([]float32), b, steps, f, at)
	case []float64:
		writeRows(o, cache.Data().([]float64), rows.Data().([]float64), b, steps, f, at)
	}
	return op.out, nil
}

func writeRows[T float](out, cache, rows []T, b, steps, f, at int) {
	copy(out, cache)
	for n := 0; n < b; n++ {
		copy(out[(n*steps+at)*f:(n*steps+at+1)*f], rows[n*f:(n+1)*f])
	}
}

func (op *cacheWriteOp) BufferBytes() int { return denseBytes(op.out) }
func (op *cacheWriteOp) Release()         { op.out = nil }

var (
	_ gorgonia.Op = (*cacheWriteOp)(nil)
	_ Buffered    = (*cacheWriteOp)(nil)
)
