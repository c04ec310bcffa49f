package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layoutOpID numbers the layout ops (Pad2D, Crop2D, Upsample2D, BlockSum2D,
// CopyReshape), so that each has a hash of its own: Gorgonia merges nodes
// whose op and children hash alike, and each of these ops owns its output
// buffer. It is only ever incremented; nothing reads it but the
// constructors.
var layoutOpID atomic.Uint64

// layoutFloat is the element type of the layout kernels.
type layoutFloat interface{ float32 | float64 }

// layoutType is a tensor type of dims dimensions over the type variable a.
func layoutType(dims int) gorgonia.TensorType {
	return gorgonia.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
}

func layoutWriteHash(h hash.Hash, name string, id uint64, params ...int) {
	fmt.Fprintf(h, "%s#%d%v", name, id, params)
}

func layoutHash(name string, id uint64, params ...int) uint32 {
	h := fnv.New32a()
	layoutWriteHash(h, name, id, params...)
	return h.Sum32()
}

// layoutShape reads the shape of an op's only input, which must have dims
// dimensions.
func layoutShape(what string, dims int, in []gorgonia.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", what, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s: input has no shape", what)
	}
	if len(s) != dims {
		return nil, errors.Errorf("%s: input must have %d dimensions, got shape %v", what, dims, s)
	}
	return s, nil
}

// layoutInput returns an op's only value as a contiguous float tensor of
// dims dimensions.
func layoutInput(what string, dims int, vals []gorgonia.Value) (*tensor.Dense, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", what, len(vals))
	}
	d, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("%s: expected a dense tensor, got %T", what, vals[0])
	}
	if d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
		return nil, errors.Errorf("%s: dtype %v, want float32 or float64", what, d.Dtype())
	}
	if !d.IsNativelyAccessible() || d.RequiresIterator() {
		return nil, errors.Errorf("%s: tensor is not contiguous", what)
	}
	if dims > 0 && d.Dims() != dims {
		return nil, errors.Errorf("%s: input must have %d dimensions, got shape %v", what, dims, d.Shape())
	}
	return d, nil
}

// layoutBuffer returns buf, given back the shape, if it has dtype dt and
// as many values, else a new tensor: an op's output, reused from run to run.
// (A later op may have reshaped it in place.)
func layoutBuffer(buf *tensor.Dense, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if buf != nil && buf.Dtype() == dt && !buf.IsView() && buf.Shape().TotalSize() == tensor.Shape(shape).TotalSize() {
		if buf.Shape().Eq(tensor.Shape(shape)) || buf.Reshape(shape...) == nil {
			return buf
		}
	}
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
}
