package ops

import (
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CacheWrite writes rows, [batch, 1, f], into step pos (a scalar node) of
// cache, [batch, max steps, f], the keys or values a decoder has cached,
// in place, and returns the cache: a step costs the row it writes, not a
// copy of the cache. The cache must be an input node whose tensor the
// generation loop keeps from step to step. It has no gradient (generation
// does not train); a pos outside the cache is an error at run time.
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

type cacheWriteOp struct{ id int64 }

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
func (op *cacheWriteOp) OverwritesInput() int  { return 0 }
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
	if !rows.Shape().Eq(tensor.Shape{b, 1, f}) || rows.Dtype() != cache.Dtype() {
		return nil, errors.Errorf("cache write: rows %v for a cache %v", rows.Shape(), cache.Shape())
	}
	at := int(p)
	switch c := cache.Data().(type) {
	case []float32:
		writeRows(c, rows.Data().([]float32), b, steps, f, at)
	case []float64:
		writeRows(c, rows.Data().([]float64), b, steps, f, at)
	}
	return cache, nil
}

func writeRows[T float](cache, rows []T, b, steps, f, at int) {
	for n := 0; n < b; n++ {
		copy(cache[(n*steps+at)*f:(n*steps+at+1)*f], rows[n*f:(n+1)*f])
	}
}

var _ gorgonia.Op = (*cacheWriteOp)(nil)
