package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// seqDense is a projection of the last axis of a sequence, x·W + b on
// [batch, steps, in] -> [batch, steps, out], as Keras's EinsumDense in
// MultiHeadAttention and the Dense layers of the Transformer blocks. It is
// a weight pair that attention and Transformer layers own, named
// "<layer>/<prefix>/kernel" and "<layer>/<prefix>/bias".
type seqDense struct {
	kernel, bias *Weight
	in, out      int
}

// build creates the kernel [in, out] (init, or GlorotUniform when nil)
// and, unless noBias, the bias [out] (Zeros).
func (d *seqDense) build(b *Builder, prefix string, in, out int, init Initializer, noBias bool) error {
	if in <= 0 || out <= 0 {
		return errors.Errorf("%s: sizes must be > 0, got %d -> %d", prefix, in, out)
	}
	if init == nil {
		init = GlorotUniform{}
	}
	var err error
	if d.kernel, err = b.NewWeight(prefix+"/kernel", []int{in, out}, init); err != nil {
		return err
	}
	d.bias = nil
	if !noBias {
		if d.bias, err = b.NewWeight(prefix+"/bias", []int{out}, Zeros{}); err != nil {
			return err
		}
	}
	d.in, d.out = in, out
	return nil
}

// weights lists the kernel and the bias, when there is one.
func (d *seqDense) weights() []*Weight {
	if d.kernel == nil {
		return nil
	}
	if d.bias == nil {
		return []*Weight{d.kernel}
	}
	return []*Weight{d.kernel, d.bias}
}

// forward projects x, [batch, steps, in] (or [batch, in]), to [batch,
// steps, out]: one Dense op over the batch·steps rows.
func (d *seqDense) forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if d.kernel == nil {
		return nil, errors.New("forward before build")
	}
	s := x.Shape()
	if s[len(s)-1] != d.in {
		return nil, errors.Errorf("input %v, want last dimension %d", s, d.in)
	}
	rows := s.TotalSize() / d.in
	flat := x
	var err error
	if len(s) != 2 {
		if flat, err = ops.CopyReshape(x, tensor.Shape{rows, d.in}); err != nil {
			return nil, err
		}
	}
	var bias *gorgonia.Node
	if d.bias != nil {
		bias = c.Node(d.bias)
	}
	y, err := ops.Dense(flat, c.Node(d.kernel), bias, c.NeedsGrad(x))
	if err != nil {
		return nil, err
	}
	if len(s) == 2 {
		return y, nil
	}
	to := append(s[:len(s)-1:len(s)-1], d.out)
	return ops.CopyReshape(y, to)
}
