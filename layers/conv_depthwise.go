package layers

import (
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// DepthwiseConv2D convolves each input channel with its own
// DepthMultiplier kernels, Keras's DepthwiseConv2D: [batch, h, w, c] ->
// [batch, oh, ow, c·DepthMultiplier], output channel i·DepthMultiplier+j
// from input channel i and kernel j. The kernel is [kh, kw, c,
// DepthMultiplier], as in Keras (its depthwise_kernel, saved as "kernel"),
// from KernelInitializer (nil means GlorotUniform); the bias is
// [c·DepthMultiplier]. It runs on Conv2D's op with a group per channel.
type DepthwiseConv2D struct {
	// Name is the layer's name; empty means the model names it
	// depthwise_conv2d, depthwise_conv2d_1...
	Name string `json:"name,omitempty"`
	// KernelSize is [k] for a k×k kernel or [kh, kw].
	KernelSize []int `json:"kernel_size"`
	// Strides is [s] or [sh, sw]; nil means 1.
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`
	// DepthMultiplier is the number of kernels per input channel; zero
	// means 1.
	DepthMultiplier int `json:"depth_multiplier,omitempty"`
	// DilationRate is [d] or [dh, dw]; nil means 1. A dilation above 1
	// cannot be combined with a stride above 1.
	DilationRate []int `json:"dilation_rate,omitempty"`
	// Activation is applied to the convolution plus bias; empty means linear.
	Activation Activator `json:"activation,omitempty"`
	// NoBias leaves out the bias (Keras's use_bias=False).
	NoBias bool `json:"no_bias,omitempty"`
	// KernelInitializer fills the kernel (Keras's depthwise_initializer);
	// nil means GlorotUniform.
	KernelInitializer Initializer `json:"-"`
	// BiasInitializer fills the bias; nil means Zeros.
	BiasInitializer Initializer `json:"-"`
	// KernelRegularizer adds a penalty on the kernel to the loss; nil means none.
	KernelRegularizer Regularizer `json:"-"`
	// BiasRegularizer adds a penalty on the bias to the loss; nil means none.
	BiasRegularizer Regularizer `json:"-"`
	// ActivityRegularizer adds a penalty on the output to the loss, divided
	// by the batch size; nil means none.
	ActivityRegularizer Regularizer `json:"-"`
	// KernelConstraint projects the kernel after each optimizer step.
	KernelConstraint Constraint `json:"-"`
	// BiasConstraint projects the bias after each optimizer step.
	BiasConstraint Constraint `json:"-"`

	core convCore
}

var _ Layer = (*DepthwiseConv2D)(nil)

// Kind is "depthwise_conv2d".
func (l *DepthwiseConv2D) Kind() string { return "depthwise_conv2d" }

// LayerName is the layer's name.
func (l *DepthwiseConv2D) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *DepthwiseConv2D) SetLayerName(name string) { l.Name = name }

// Build checks the configuration against input (h, w, c) and creates the
// kernel and the bias.
func (l *DepthwiseConv2D) Build(b *Builder, in Shape) (Shape, error) {
	what := "depthwise_conv2d " + strconv.Quote(l.Name)
	core, err := depthwiseCore(what, "depthwise_conv2d", l.Name, in, l.DepthMultiplier)
	if err != nil {
		return nil, err
	}
	k, s, d, err := convPairs(what, l.KernelSize, l.Strides, l.DilationRate)
	if err != nil {
		return nil, err
	}
	core.activation, core.noBias, core.opts = l.Activation, l.NoBias, l.weightOpts()
	l.core = core
	return l.core.build(b, in, k, s, d, l.Padding)
}

// Forward adds the convolution, the bias and the activation to the graph.
func (l *DepthwiseConv2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.core.forward(c, x)
}

// Weights are the kernel and, unless NoBias, the bias.
func (l *DepthwiseConv2D) Weights() []*Weight { return l.core.weights() }

// depthwiseCore is the convCore of a depthwise convolution of input (h,
// w, c) by mult kernels per channel.
func depthwiseCore(what, kind, name string, in Shape, mult int) (convCore, error) {
	if len(in) != 3 {
		return convCore{}, errors.Errorf("%s: expected input shape (None, height, width, channels), got %v", what, in)
	}
	if mult < 0 {
		return convCore{}, errors.Errorf("%s: depth multiplier must be > 0, got %d", what, mult)
	}
	if in[2] <= 0 {
		return convCore{}, errors.Errorf("%s: input shape %v has a dimension <= 0", what, in)
	}
	return convCore{kind: kind, name: name, filters: in[2] * orOne(mult), groups: in[2], depthwise: true}, nil
}

// convPairs reads a 2-D convolution's kernel size, strides and dilation.
func convPairs(what string, kernel, strides, dilation []int) (k, s, d [2]int, err error) {
	if k, err = pair(kernel, 0, "kernel size"); err != nil {
		return k, s, d, errors.Wrap(err, what)
	}
	if s, err = pair(strides, 1, "strides"); err != nil {
		return k, s, d, errors.Wrap(err, what)
	}
	if d, err = pair(dilation, 1, "dilation rate"); err != nil {
		return k, s, d, errors.Wrap(err, what)
	}
	return k, s, d, nil
}

// SeparableConv2D is a depthwise convolution followed by a pointwise (1×1)
// one, Keras's SeparableConv2D: [batch, h, w, c] -> [batch, oh, ow,
// Filters]. Its weights, in Keras's order, are depthwise_kernel [kh, kw,
// c, DepthMultiplier], pointwise_kernel [1, 1, c·DepthMultiplier, Filters]
// and, unless NoBias, bias [Filters]; the strides, padding and dilation
// are the depthwise convolution's, and the bias and activation come after
// the pointwise one.
type SeparableConv2D struct {
	// Name is the layer's name; empty means the model names it
	// separable_conv2d, separable_conv2d_1...
	Name string `json:"name,omitempty"`
	// Filters is the number of output channels; it must be > 0.
	Filters int `json:"filters"`
	// KernelSize is [k] for a k×k kernel or [kh, kw].
	KernelSize []int `json:"kernel_size"`
	// Strides is [s] or [sh, sw]; nil means 1.
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`
	// DepthMultiplier is the number of depthwise kernels per input
	// channel; zero means 1.
	DepthMultiplier int `json:"depth_multiplier,omitempty"`
	// DilationRate is [d] or [dh, dw]; nil means 1.
	DilationRate []int `json:"dilation_rate,omitempty"`
	// Activation is applied to the output plus bias; empty means linear.
	Activation Activator `json:"activation,omitempty"`
	// NoBias leaves out the bias (Keras's use_bias=False).
	NoBias bool `json:"no_bias,omitempty"`
	// DepthwiseInitializer fills the depthwise kernel; nil means
	// GlorotUniform.
	DepthwiseInitializer Initializer `json:"-"`
	// PointwiseInitializer fills the pointwise kernel; nil means
	// GlorotUniform.
	PointwiseInitializer Initializer `json:"-"`
	// BiasInitializer fills the bias; nil means Zeros.
	BiasInitializer Initializer `json:"-"`
	// DepthwiseRegularizer, PointwiseRegularizer and BiasRegularizer add
	// penalties on the weights to the loss; nil means none.
	DepthwiseRegularizer, PointwiseRegularizer, BiasRegularizer Regularizer `json:"-"`
	// ActivityRegularizer adds a penalty on the output to the loss, divided
	// by the batch size; nil means none.
	ActivityRegularizer Regularizer `json:"-"`
	// DepthwiseConstraint, PointwiseConstraint and BiasConstraint project
	// the weights after each optimizer step; nil means none.
	DepthwiseConstraint, PointwiseConstraint, BiasConstraint Constraint `json:"-"`

	depthwise, pointwise convCore
	// unused stand in for the depthwise step's bias and activity options,
	// which it does not have.
	unusedInit Initializer
	unusedReg  Regularizer
	unusedCons Constraint
}

var _ Layer = (*SeparableConv2D)(nil)

// Kind is "separable_conv2d".
func (l *SeparableConv2D) Kind() string { return "separable_conv2d" }

// LayerName is the layer's name.
func (l *SeparableConv2D) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *SeparableConv2D) SetLayerName(name string) { l.Name = name }

// Build checks the configuration against input (h, w, c) and creates the
// two kernels and the bias.
func (l *SeparableConv2D) Build(b *Builder, in Shape) (Shape, error) {
	what := "separable_conv2d " + strconv.Quote(l.Name)
	if l.Filters <= 0 {
		return nil, errors.Errorf("%s: filters must be > 0, got %d", what, l.Filters)
	}
	dw, err := depthwiseCore(what, "separable_conv2d", l.Name, in, l.DepthMultiplier)
	if err != nil {
		return nil, err
	}
	k, s, d, err := convPairs(what, l.KernelSize, l.Strides, l.DilationRate)
	if err != nil {
		return nil, err
	}
	dopts, popts := l.weightOpts()
	dw.noBias, dw.opts, dw.kernelName = true, dopts, "depthwise_kernel"
	l.depthwise = dw
	mid, err := l.depthwise.build(b, in, k, s, d, l.Padding)
	if err != nil {
		return nil, err
	}
	l.pointwise = convCore{
		kind: "separable_conv2d", name: l.Name, filters: l.Filters, activation: l.Activation, noBias: l.NoBias,
		opts: popts, kernelName: "pointwise_kernel",
	}
	return l.pointwise.build(b, mid, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}, PaddingValid)
}

// weightOpts are the options of the depthwise step (its kernel's) and of
// the pointwise step (its kernel's, the bias's and the output's).
func (l *SeparableConv2D) weightOpts() (depthwise, pointwise weightOpts) {
	depthwise = weightOpts{
		KernelInitializer: &l.DepthwiseInitializer, BiasInitializer: &l.unusedInit,
		KernelRegularizer: &l.DepthwiseRegularizer, BiasRegularizer: &l.unusedReg, ActivityRegularizer: &l.unusedReg,
		KernelConstraint: &l.DepthwiseConstraint, BiasConstraint: &l.unusedCons,
	}
	pointwise = weightOpts{
		KernelInitializer: &l.PointwiseInitializer, BiasInitializer: &l.BiasInitializer,
		KernelRegularizer: &l.PointwiseRegularizer, BiasRegularizer: &l.BiasRegularizer, ActivityRegularizer: &l.ActivityRegularizer,
		KernelConstraint: &l.PointwiseConstraint, BiasConstraint: &l.BiasConstraint,
	}
	return depthwise, pointwise
}

// Forward adds the depthwise convolution, the pointwise one, the bias and
// the activation to the graph.
func (l *SeparableConv2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	mid, err := l.depthwise.forward(c, x)
	if err != nil {
		return nil, err
	}
	return l.pointwise.forward(c, mid)
}

// Weights are the depthwise kernel, the pointwise kernel and, unless
// NoBias, the bias.
func (l *SeparableConv2D) Weights() []*Weight {
	return append(l.depthwise.weights(), l.pointwise.weights()...)
}
