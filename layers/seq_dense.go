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

// maskedPool1D pools x over the steps its mask keeps (the global 1-D
// poolings with a mask).
func maskedPool1D(x, mask *gorgonia.Node, max bool, kind, name string) (*gorgonia.Node, error) {
	out, err := ops.MaskedPool1D(x, mask, max)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	return out, nil
}

// seqNorm is the layer normalization of the Transformer blocks: over the
// last axis, of any number of steps (generation runs one at a time), with
// weights "<prefix>/gamma" (Ones) and "<prefix>/beta" (Zeros).
type seqNorm struct {
	gamma, beta *Weight
	eps         float64
}

func (n *seqNorm) build(b *Builder, prefix string, dim int, eps float64) error {
	var err error
	if n.gamma, err = b.NewWeight(prefix+"/gamma", []int{dim}, Ones{}); err != nil {
		return err
	}
	if n.beta, err = b.NewWeight(prefix+"/beta", []int{dim}, Zeros{}); err != nil {
		return err
	}
	n.eps = eps
	return nil
}

// forward normalizes x and carries its mask.
func (n *seqNorm) forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	out, err := ops.LayerNorm(x, c.Node(n.gamma), c.Node(n.beta), n.eps, c.NeedsGrad(x))
	if err != nil {
		return nil, err
	}
	if m, ok := c.MaskOf(x); ok {
		if err := c.SetMask(out, m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (n *seqNorm) weights() []*Weight { return []*Weight{n.gamma, n.beta} }
