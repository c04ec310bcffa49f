package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Upsample2D repeats each row of each image of x, [batch, h, w, c] (channels
// last), sh times and each column sw times, nearest-neighbour upsampling:
// [batch, h*sh, w*sw, c]. Its gradient is BlockSum2D.
func Upsample2D(x *gorgonia.Node, sh, sw int) (*gorgonia.Node, error) {
	return applyUpsample2D(x, sh, sw, false)
}

// BlockSum2D sums each sh x sw block of each image of x, [batch, h*sh,
// w*sw, c]: [batch, h, w, c]. It is Upsample2D's gradient, and its own
// gradient is Upsample2D.
func BlockSum2D(x *gorgonia.Node, sh, sw int) (*gorgonia.Node, error) {
	return applyUpsample2D(x, sh, sw, true)
}

func applyUpsample2D(x *gorgonia.Node, sh, sw int, sum bool) (*gorgonia.Node, error) {
	op := &upsample2DOp{id: layoutOpID.Add(1), sh: sh, sw: sw, sum: sum}
	if x == nil {
		return nil, errors.Errorf("%s: nil input", op.name())
	}
	if sh <= 0 || sw <= 0 {
		return nil, errors.Errorf("%s: size must be > 0, got %dx%d", op.name(), sh, sw)
	}
	if _, err := op.outShape(x.Shape()); err != nil {
		return nil, err
	}
	return gorgonia.ApplyOp(op, x)
}

// upsample2DOp upsamples (or, with sum, sums blocks); it owns its output
// buffer.
type upsample2DOp struct {
	id     uint64
	sh, sw int
	sum    bool
	out    *tensor.Dense
}

func (op *upsample2DOp) name() string {
	if op.sum {
		return "block_sum2d"
	}
	return "upsample2d"
}

// outShape is the output shape for input shape s.
func (op *upsample2DOp) outShape(s tensor.Shape) (tensor.Shape, error) {
	if len(s) != 4 {
		return nil, errors.Errorf("%s: input must be [batch, height, width, channels], got shape %v", op.name(), s)
	}
	if !op.sum {
		return tensor.Shape{s[0], s[1] * op.sh, s[2] * op.sw, s[3]}, nil
	}
	if s[1]%op.sh != 0 || s[2]%op.sw != 0 {
		return nil, errors.Errorf("%s: images of %dx%d are not made of %dx%d blocks", op.name(), s[1], s[2], op.sh, op.sw)
	}
	return tensor.Shape{s[0], s[1] / op.sh, s[2] / op.sw, s[3]}, nil
}

func (op *upsample2DOp) Arity() int    { return 1 }
func (op *upsample2DOp) Type() hm.Type { return hm.NewFnType(layoutType(4), layoutType(4)) }

func (op *upsample2DOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := layoutShape(op.name(), 4, in)
	if err != nil {
		return nil, err
	}
	return op.outShape(s)
}

func (op *upsample2DOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := layoutInput(op.name(), 4, vals)
	if err != nil {
		return nil, err
	}
	os, err := op.outShape(x.Shape())
	if err != nil {
		return nil, err
	}
	op.out = layoutBuffer(op.out, x.Dtype(), os...)
	small := os
	if !op.sum {
		small = x.Shape()
	}
	g := upsampleGeom{n: small[0], h: small[1], w: small[2], c: small[3], sh: op.sh, sw: op.sw}
	switch xd := x.Data().(type) {
	case []float32:
		if op.sum {
			blockSum(g, xd, op.out.Data().([]float32))
		} else {
			upsample(g, xd, op.out.Data().([]float32))
		}
	case []float64:
		if op.sum {
			blockSum(g, xd, op.out.Data().([]float64))
		} else {
			upsample(g, xd, op.out.Data().([]float64))
		}
	}
	return op.out, nil
}

func (op *upsample2DOp) ReturnsPtr() bool      { return false }
func (op *upsample2DOp) CallsExtern() bool     { return false }
func (op *upsample2DOp) OverwritesInput() int  { return -1 }
func (op *upsample2DOp) WriteHash(h hash.Hash) { layoutWriteHash(h, op.name(), op.id, op.sh, op.sw) }
func (op *upsample2DOp) Hashcode() uint32      { return layoutHash(op.name(), op.id, op.sh, op.sw) }
func (op *upsample2DOp) String() string        { return fmt.Sprintf("%s{%dx%d}", op.name(), op.sh, op.sw) }

func (op *upsample2DOp) DiffWRT(n int) []bool { return allTrue(n) }

func (op *upsample2DOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s gradient: %d inputs, want 1", op.name(), len(inputs))
	}
	d, err := applyUpsample2D(grad, op.sh, op.sw, !op.sum)
	if err != nil {
		return nil, errors.Wrapf(err, "%s gradient", op.name())
	}
	return gorgonia.Nodes{d}, nil
}

// upsampleGeom is a batch of n small images h x w x c whose large
// counterparts are h*sh x w*sw x c.
type upsampleGeom struct {
	n, h, w, c int
	sh, sw     int
}

// upsample writes each small image of src, repeated, into dst.
func upsample[T layoutFloat](g upsampleGeom, src, dst []T) {
	lrow := g.w * g.sw * g.c // one row of a large image
	for b := 0; b < g.n; b++ {
		for i := 0; i < g.h; i++ {
			s := (b*g.h + i) * g.w * g.c
			first := (b*g.h*g.sh + i*g.sh) * lrow
			d := first
			for j := 0; j < g.w; j++ {
				px := src[s+j*g.c : s+(j+1)*g.c]
				for r := 0; r < g.sw; r++ {
					copy(dst[d:d+g.c], px)
					d += g.c
				}
			}
			for r := 1; r < g.sh; r++ {
				copy(dst[first+r*lrow:first+(r+1)*lrow], dst[first:first+lrow])
			}
		}
	}
}

// blockSum writes the sum of each sh x sw block of the large images of src
// into the small images of dst.
func blockSum[T layoutFloat](g upsampleGeom, src, dst []T) {
	clear(dst)
	lrow := g.w * g.sw * g.c
	for b := 0; b < g.n; b++ {
		for i := 0; i < g.h; i++ {
			d0 := (b*g.h + i) * g.w * g.c
			for r := 0; r < g.sh; r++ {
				s := (b*g.h*g.sh + i*g.sh + r) * lrow
				for j := 0; j < g.w; j++ {
					px := dst[d0+j*g.c : d0+(j+1)*g.c]
					for q := 0; q < g.sw; q++ {
						for k, v := range src[s : s+g.c] {
							px[k] += v
						}
						s += g.c
					}
				}
			}
		}
	}
}
