package layers

import (
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// BatchNormalization normalizes each feature (the values along Axis, by
// default the last axis) over every other axis, as Keras's
// BatchNormalization: any shape (..., C) to the same shape, so it follows a
// Dense layer (F), a convolution (H, W, C) or a sequence (T, F); Axis 1
// normalizes channels-first images (C, H, W).
//
// Training graphs compute gamma*(x-mean)/sqrt(var+Epsilon)+beta with the
// batch's mean and biased variance over the batch and every axis but the
// last, and differentiate through them; after each training run the moving
// statistics move toward the batch's:
//
//	moving = moving*Momentum + batch*(1-Momentum)
//
// Inference graphs use the moving statistics instead and change nothing.
//
// Its weights, each [C], are gamma (trainable, ones; absent with NoScale),
// beta (trainable, zeros; absent with NoCenter), and the non-trainable
// moving_mean (zeros) and moving_variance (ones), in that order.
type BatchNormalization struct {
	// Name is the layer's name; empty means the model names it
	// batch_normalization, batch_normalization_1...
	Name string `json:"name,omitempty"`
	// Momentum is the weight of the old value in the moving averages, in
	// [0, 1); zero means 0.99, Keras's default (so momentum 0, moving
	// statistics that are the last batch's, cannot be asked for).
	Momentum float64 `json:"momentum,omitempty"`
	// Epsilon is added to the variance before its square root; zero means
	// 1e-3, Keras's default. It must not be negative.
	Epsilon float64 `json:"epsilon,omitempty"`
	// NoCenter leaves out beta (Keras's center=False); false means a beta.
	NoCenter bool `json:"no_center,omitempty"`
	// NoScale leaves out gamma (Keras's scale=False); false means a gamma.
	NoScale bool `json:"no_scale,omitempty"`
	// Axis is the feature axis, as Keras counts it: the batch is axis 0,
	// 1 the first axis of a sample, -1 the last. Zero (the batch, which
	// cannot be the feature axis) means -1, Keras's default.
	Axis int `json:"axis,omitempty"`

	in                    Shape
	perm                  []int // moves the feature axis to the end
	moved                 Shape // the input after perm
	gamma, beta           *Weight
	movingMean, movingVar *Weight
	momentum, epsilon     float64
}

var _ Layer = (*BatchNormalization)(nil)

// Kind is "batch_normalization".
func (b *BatchNormalization) Kind() string { return "batch_normalization" }

// LayerName is the layer's name.
func (b *BatchNormalization) LayerName() string { return b.Name }

// SetLayerName sets the layer's name.
func (b *BatchNormalization) SetLayerName(name string) { b.Name = name }

// Build checks Momentum and Epsilon and creates the [C] weights for input
// (..., C); the output shape is the input shape.
func (b *BatchNormalization) Build(bld *Builder, in Shape) (Shape, error) {
	m := b.Momentum
	if m == 0 {
		m = 0.99
	}
	if !(m >= 0 && m < 1) {
		return nil, errors.Errorf("batch_normalization %q: momentum must be in [0, 1), got %v", b.Name, b.Momentum)
	}
	eps := b.Epsilon
	if eps == 0 {
		eps = 1e-3
	}
	if !(eps > 0) || math.IsInf(eps, 0) {
		return nil, errors.Errorf("batch_normalization %q: epsilon must be > 0, got %v", b.Name, b.Epsilon)
	}
	if len(in) == 0 {
		return nil, errors.Errorf("batch_normalization %q: input has no dimensions besides the batch; expected (None, ..., features)", b.Name)
	}
	for _, d := range in {
		if d <= 0 {
			return nil, errors.Errorf("batch_normalization %q: input shape %v has a dimension <= 0", b.Name, in)
		}
	}
	axis := b.Axis
	if axis == 0 {
		axis = -1
	}
	axes, err := normAxes("batch_normalization "+strconv.Quote(b.Name), in, []int{axis})
	if err != nil {
		return nil, err
	}
	ch := []int{in[axes[0]]}
	b.perm, b.moved = toEnd(in, axes)
	b.gamma, b.beta = nil, nil
	if !b.NoScale {
		if b.gamma, err = bld.NewWeight("gamma", ch, Ones{}); err != nil {
			return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
		}
	}
	if !b.NoCenter {
		if b.beta, err = bld.NewWeight("beta", ch, Zeros{}); err != nil {
			return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
		}
	}
	if b.movingMean, err = bld.NewState("moving_mean", ch, Zeros{}); err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
	}
	if b.movingVar, err = bld.NewState("moving_variance", ch, Ones{}); err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
	}
	b.in, b.momentum, b.epsilon = in.Clone(), m, eps
	return in.Clone(), nil
}

// Forward normalizes x, [batch, ..., C], with the batch statistics in a
// training graph (and asks for the moving statistics' updates) and with the
// moving statistics in an inference graph.
func (b *BatchNormalization) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if b.movingMean == nil {
		return nil, errors.Errorf("batch_normalization %q: forward before build", b.Name)
	}
	if err := checkBuiltInput("batch_normalization", b.Name, c, x, b.in); err != nil {
		return nil, err
	}
	if ops.IsIdentity(b.perm) {
		return b.forwardLast(c, x)
	}
	// The feature axis is moved to the end and back.
	p, err := ops.Permute(x, b.perm)
	if err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
	}
	y, err := b.forwardLast(c, p)
	if err != nil {
		return nil, err
	}
	if y, err = ops.Permute(y, inverse(b.perm)); err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
	}
	return y, nil
}

// forwardLast normalizes x, [batch, ..., C], over every axis but the last.
// A training graph normalizes with the batch's statistics (forwardTraining);
// an inference graph with the moving statistics, from Gorgonia's ops.
func (b *BatchNormalization) forwardLast(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if c.Training {
		return b.forwardTraining(c, x)
	}
	// Every axis but the last becomes one, [rows, C], where Gorgonia's
	// broadcasting and reductions are reliable (along a middle axis of a
	// 4-D tensor they are not: tensor v0.9.24's Sum gets it wrong). The
	// reshapes copy: gorgonia.Reshape shares memory that later ops may
	// overwrite in place (see ops.CopyReshape).
	full := x.Shape().Clone()
	ch := full[len(full)-1]
	x2 := x
	if x.Dims() != 2 {
		var err error
		if x2, err = ops.CopyReshape(x, tensor.Shape{full.TotalSize() / ch, ch}); err != nil {
			return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
		}
	}
	pattern := []byte{0}
	wrap := func(err error, what string) error {
		return errors.Wrapf(err, "batch_normalization %q: %s", b.Name, what)
	}

	// Inference: the moving statistics.
	mean, variance := c.Node(b.movingMean), c.Node(b.movingVar)

	// scale = gamma / sqrt(variance + epsilon), a [C] vector.
	ve, err := gorgonia.Add(variance, scalar(c, b.epsilon))
	if err != nil {
		return nil, wrap(err, "variance + epsilon")
	}
	var scale *gorgonia.Node
	if b.gamma != nil {
		std, err := gorgonia.Sqrt(ve)
		if err != nil {
			return nil, wrap(err, "sqrt")
		}
		if scale, err = gorgonia.HadamardDiv(c.Node(b.gamma), std); err != nil {
			return nil, wrap(err, "gamma / std")
		}
	} else {
		// Not gorgonia.InverseSqrt: its gradient is wrong in v0.9.18
		// (-g/(2y^3) instead of -g*y^3/2).
		std, err := gorgonia.Sqrt(ve)
		if err != nil {
			return nil, wrap(err, "sqrt")
		}
		if scale, err = gorgonia.Inverse(std); err != nil {
			return nil, wrap(err, "1 / std")
		}
	}

	// y = x*scale + (beta - mean*scale): one pass fewer over x.
	shift, err := gorgonia.HadamardProd(mean, scale)
	if err != nil {
		return nil, wrap(err, "mean * scale")
	}
	if shift, err = gorgonia.Neg(shift); err != nil {
		return nil, wrap(err, "-mean * scale")
	}
	if b.beta != nil {
		if shift, err = gorgonia.Add(c.Node(b.beta), shift); err != nil {
			return nil, wrap(err, "beta - mean * scale")
		}
	}
	y, err := gorgonia.BroadcastHadamardProd(x2, scale, nil, pattern)
	if err != nil {
		return nil, wrap(err, "x * scale")
	}
	if y, err = gorgonia.BroadcastAdd(y, shift, nil, pattern); err != nil {
		return nil, wrap(err, "+ shift")
	}
	if x.Dims() == 2 {
		return y, nil
	}
	if y, err = ops.CopyReshape(y, full); err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
	}
	return y, nil
}

// forwardTraining normalizes x, [batch, ..., C], with the batch's
// statistics in one op (ops.BatchNorm, and one for each gradient) and asks
// for the moving statistics' updates.
func (b *BatchNormalization) forwardTraining(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	var gamma, beta *gorgonia.Node
	if b.gamma != nil {
		gamma = c.Node(b.gamma)
	}
	if b.beta != nil {
		beta = c.Node(b.beta)
	}
	y, mean, variance, err := ops.BatchNorm(x, gamma, beta, b.epsilon, c.NeedsGrad(x))
	if err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q", b.Name)
	}
	if err := c.AddUpdate(mean, b.movingUpdate(b.movingMean)); err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q: moving mean", b.Name)
	}
	if err := c.AddUpdate(variance, b.movingUpdate(b.movingVar)); err != nil {
		return nil, errors.Wrapf(err, "batch_normalization %q: moving variance", b.Name)
	}
	return y, nil
}

// movingUpdate returns the update that moves w toward a batch statistic:
// w = w*momentum + batch*(1-momentum), in place.
func (b *BatchNormalization) movingUpdate(w *Weight) func(*tensor.Dense) error {
	m := b.momentum
	return func(v *tensor.Dense) error {
		if v == nil || v.Dtype() != w.Value.Dtype() || v.Shape().TotalSize() != w.Value.Shape().TotalSize() {
			return errors.Errorf("batch_normalization %q: %s: batch statistic does not match the weight (%v %v)", b.Name, w.Name, w.Value.Dtype(), w.Value.Shape())
		}
		switch dst := w.Value.Data().(type) {
		case []float32:
			src, ok := v.Data().([]float32)
			if !ok {
				// A one-feature statistic may come back as a scalar.
				f, isScalar := v.Data().(float32)
				if !isScalar {
					return errors.Errorf("batch_normalization %q: %s: batch statistic holds %T", b.Name, w.Name, v.Data())
				}
				src = []float32{f}
			}
			for i := range dst {
				dst[i] = float32(float64(dst[i])*m + float64(src[i])*(1-m))
			}
		case []float64:
			src, ok := v.Data().([]float64)
			if !ok {
				f, isScalar := v.Data().(float64)
				if !isScalar {
					return errors.Errorf("batch_normalization %q: %s: batch statistic holds %T", b.Name, w.Name, v.Data())
				}
				src = []float64{f}
			}
			for i := range dst {
				dst[i] = dst[i]*m + src[i]*(1-m)
			}
		default:
			return errors.Errorf("batch_normalization %q: %s: unsupported dtype %v", b.Name, w.Name, w.Value.Dtype())
		}
		return nil
	}
}

// Weights returns gamma (unless NoScale), beta (unless NoCenter),
// moving_mean and moving_variance; nil before Build.
func (b *BatchNormalization) Weights() []*Weight {
	if b.movingMean == nil {
		return nil
	}
	var ws []*Weight
	if b.gamma != nil {
		ws = append(ws, b.gamma)
	}
	if b.beta != nil {
		ws = append(ws, b.beta)
	}
	return append(ws, b.movingMean, b.movingVar)
}
