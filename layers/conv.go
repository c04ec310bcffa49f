package layers

import (
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// Padding values of the convolution and pooling layers, as Keras names them.
const (
	// PaddingValid uses only positions where the window fits in the input.
	PaddingValid = "valid"
	// PaddingSame pads with zeros so that the output has ceil(in/stride)
	// positions.
	PaddingSame = "same"
	// PaddingCausal (Conv1D only) pads the start of the sequence, so that
	// output t sees inputs up to t only.
	PaddingCausal = "causal"
)

// Conv2D convolves images with Filters kernels and adds a bias, then
// applies Activation: [batch, h, w, c] -> [batch, oh, ow, Filters], channels
// last as in Keras (tf.keras.layers.Conv2D with data_format
// "channels_last"). Every image loader in Profundo gives this layout.
//
// The kernel is [kh, kw, c, Filters], as in Keras, so weights can be
// exchanged; it starts from KernelInitializer (nil means GlorotUniform) and
// the bias, [Filters], from BiasInitializer (nil means Zeros). The
// convolution is one op: the patches are gathered into a buffer the op keeps
// (im2col), one matrix multiply gives every output at once, and its
// gradients are ops of the same kind.
type Conv2D struct {
	// Name is the layer's name; empty means the model names it conv2d, conv2d_1...
	Name string `json:"name,omitempty"`
	// Filters is the number of output channels; it must be > 0.
	Filters int `json:"filters"`
	// KernelSize is [k] for a k×k kernel or [kh, kw].
	KernelSize []int `json:"kernel_size"`
	// Strides is [s] or [sh, sw]; nil means 1.
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`
	// DilationRate is [d] or [dh, dw]; nil means 1. As in Keras, a
	// dilation above 1 cannot be combined with a stride above 1.
	DilationRate []int `json:"dilation_rate,omitempty"`
	// Groups splits the input channels and the filters into Groups groups
	// convolved separately (Keras's groups): the kernel is then [kh, kw,
	// c/Groups, Filters], and filters [i·Filters/Groups, (i+1)·Filters/Groups)
	// see input channels [i·c/Groups, (i+1)·c/Groups) only. Both c and
	// Filters must be multiples of it. Zero means 1.
	Groups int `json:"groups,omitempty"`
	// Activation is applied to the convolution plus bias; empty means linear.
	Activation Activator `json:"activation,omitempty"`
	// NoBias leaves out the bias (Keras's use_bias=False).
	NoBias bool `json:"no_bias,omitempty"`
	// KernelInitializer fills the kernel; nil means GlorotUniform.
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

var _ Layer = (*Conv2D)(nil)

// Kind is "conv2d".
func (l *Conv2D) Kind() string { return "conv2d" }

// LayerName is the layer's name.
func (l *Conv2D) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Conv2D) SetLayerName(name string) { l.Name = name }

// Build checks the configuration against input (h, w, c) and creates the
// kernel and the bias.
func (l *Conv2D) Build(b *Builder, in Shape) (Shape, error) {
	what := "conv2d " + strconv.Quote(l.Name)
	if len(in) != 3 {
		return nil, errors.Errorf("%s: expected input shape (None, height, width, channels), got %v", what, in)
	}
	k, err := pair(l.KernelSize, 0, "kernel size")
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	s, err := pair(l.Strides, 1, "strides")
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	d, err := pair(l.DilationRate, 1, "dilation rate")
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	l.core = convCore{
		kind: "conv2d", name: l.Name, filters: l.Filters, activation: l.Activation, noBias: l.NoBias,
		opts: l.weightOpts(), groups: l.Groups,
	}
	return l.core.build(b, in, k, s, d, l.Padding)
}

// Forward adds the convolution, the bias and the activation to the graph.
func (l *Conv2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.core.forward(c, x)
}

// Weights are the kernel and, unless NoBias, the bias.
func (l *Conv2D) Weights() []*Weight { return l.core.weights() }

func (l *Conv2D) weightOpts() weightOpts {
	return weightOpts{
		KernelInitializer: &l.KernelInitializer, BiasInitializer: &l.BiasInitializer,
		KernelRegularizer: &l.KernelRegularizer, BiasRegularizer: &l.BiasRegularizer, ActivityRegularizer: &l.ActivityRegularizer,
		KernelConstraint: &l.KernelConstraint, BiasConstraint: &l.BiasConstraint,
	}
}

// Conv1D convolves sequences with Filters kernels of KernelSize steps:
// [batch, steps, c] -> [batch, out steps, Filters], as Keras's Conv1D. The
// kernel is [KernelSize, c, Filters], as in Keras. It runs on the same op as
// Conv2D, over a height of 1.
type Conv1D struct {
	// Name is the layer's name; empty means the model names it conv1d, conv1d_1...
	Name string `json:"name,omitempty"`
	// Filters is the number of output channels; it must be > 0.
	Filters int `json:"filters"`
	// KernelSize is the kernel's length in steps; it must be > 0.
	KernelSize int `json:"kernel_size"`
	// Strides is the step between windows; 0 means 1.
	Strides int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty), "same" or "causal".
	Padding string `json:"padding,omitempty"`
	// DilationRate spaces the kernel's taps; 0 means 1.
	DilationRate int `json:"dilation_rate,omitempty"`
	// Groups splits the channels and the filters into groups convolved
	// separately, as Conv2D's Groups; the kernel is [KernelSize,
	// c/Groups, Filters]. Zero means 1.
	Groups int `json:"groups,omitempty"`
	// Activation is applied to the convolution plus bias; empty means linear.
	Activation Activator `json:"activation,omitempty"`
	// NoBias leaves out the bias (Keras's use_bias=False).
	NoBias bool `json:"no_bias,omitempty"`
	// KernelInitializer fills the kernel; nil means GlorotUniform.
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

var _ Layer = (*Conv1D)(nil)

// Kind is "conv1d".
func (l *Conv1D) Kind() string { return "conv1d" }

// LayerName is the layer's name.
func (l *Conv1D) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Conv1D) SetLayerName(name string) { l.Name = name }

// Build checks the configuration against input (steps, c) and creates the
// kernel and the bias.
func (l *Conv1D) Build(b *Builder, in Shape) (Shape, error) {
	what := "conv1d " + strconv.Quote(l.Name)
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected input shape (None, steps, channels), got %v", what, in)
	}
	if l.KernelSize <= 0 {
		return nil, errors.Errorf("%s: kernel size must be > 0, got %d", what, l.KernelSize)
	}
	s, d := orOne(l.Strides), orOne(l.DilationRate)
	if s <= 0 || d <= 0 {
		return nil, errors.Errorf("%s: strides and dilation rate must be > 0, got %d and %d", what, l.Strides, l.DilationRate)
	}
	l.core = convCore{
		kind: "conv1d", name: l.Name, filters: l.Filters, activation: l.Activation, noBias: l.NoBias,
		opts: l.weightOpts(), oneD: true, groups: l.Groups,
	}
	out, err := l.core.build(b, Shape{1, in[0], in[1]}, [2]int{1, l.KernelSize}, [2]int{1, s}, [2]int{1, d}, l.Padding)
	if err != nil {
		return nil, err
	}
	return Shape{out[1], out[2]}, nil
}

// Forward adds the convolution, the bias and the activation to the graph.
func (l *Conv1D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.core.forward(c, x)
}

// Weights are the kernel and, unless NoBias, the bias.
func (l *Conv1D) Weights() []*Weight { return l.core.weights() }

// convCore is what Conv2D and Conv1D share once built.
type convCore struct {
	kind, name string
	filters    int
	activation Activator
	noBias     bool
	opts       weightOpts
	oneD       bool // input [batch, steps, c] and kernel [k, c, f]
	groups     int  // 0 means 1
	// depthwise keeps the kernel as [kh, kw, c, filters/c] (Keras's
	// DepthwiseConv2D), given to the op as [kh, kw, 1, filters] with a
	// group per channel.
	depthwise bool
	// kernelName names the kernel weight; empty means "kernel".
	kernelName string

	params       ops.ConvParams
	in, out      Shape // per-sample, as (h, w, c)
	kernel, bias *Weight
}

func (cc *convCore) what() string { return cc.kind + " " + strconv.Quote(cc.name) }

// build checks the configuration for input (h, w, c) and creates the
// weights; it returns the output (oh, ow, filters).
func (cc *convCore) build(b *Builder, in Shape, k, s, d [2]int, padding string) (Shape, error) {
	what := cc.what()
	if cc.filters <= 0 {
		return nil, errors.Errorf("%s: filters must be > 0, got %d", what, cc.filters)
	}
	if err := cc.activation.Validate(); err != nil {
		return nil, errors.Wrap(err, what)
	}
	for _, v := range in {
		if v <= 0 {
			return nil, errors.Errorf("%s: input shape %v has a dimension <= 0", what, in)
		}
	}
	if (s[0] > 1 || s[1] > 1) && (d[0] > 1 || d[1] > 1) {
		return nil, errors.Errorf("%s: strides %v and dilation rate %v: a dilation above 1 cannot be combined with a stride above 1", what, s, d)
	}
	p := ops.ConvParams{StrideH: s[0], StrideW: s[1], DilationH: d[0], DilationW: d[1]}
	var err error
	if p.PadTop, p.PadBottom, err = padding1(padding, in[0], k[0], s[0], d[0], cc.oneD); err != nil {
		return nil, errors.Wrap(err, what)
	}
	if p.PadLeft, p.PadRight, err = padding1(padding, in[1], k[1], s[1], d[1], cc.oneD); err != nil {
		return nil, errors.Wrap(err, what)
	}
	oh := ops.ConvOutSize(in[0], k[0], s[0], d[0], p.PadTop+p.PadBottom)
	ow := ops.ConvOutSize(in[1], k[1], s[1], d[1], p.PadLeft+p.PadRight)
	if oh <= 0 || ow <= 0 {
		if cc.oneD {
			return nil, errors.Errorf("%s: kernel of %d steps (dilation %d) is longer than the padded input of %d steps",
				what, k[1], d[1], in[1]+p.PadLeft+p.PadRight)
		}
		return nil, errors.Errorf("%s: kernel %dx%d (dilation %dx%d) is larger than the padded input %dx%d",
			what, k[0], k[1], d[0], d[1], in[0]+p.PadTop+p.PadBottom, in[1]+p.PadLeft+p.PadRight)
	}
	if err := cc.opts.validate(); err != nil {
		return nil, errors.Wrap(err, what)
	}
	groups := cc.groups
	if groups < 0 {
		return nil, errors.Errorf("%s: groups must be > 0, got %d", what, groups)
	}
	if groups == 0 {
		groups = 1
	}
	if in[2]%groups != 0 || cc.filters%groups != 0 {
		return nil, errors.Errorf("%s: input channels (%d) and filters (%d) must both be multiples of groups (%d)", what, in[2], cc.filters, groups)
	}
	p.Groups = groups
	kshape := []int{k[0], k[1], in[2] / groups, cc.filters}
	if cc.depthwise {
		kshape = []int{k[0], k[1], in[2], cc.filters / in[2]}
	}
	if cc.oneD {
		kshape = []int{k[1], in[2] / groups, cc.filters}
	}
	kname := cc.kernelName
	if kname == "" {
		kname = "kernel"
	}
	if cc.kernel, cc.bias, err = cc.opts.newNamedWeights(b, kname, kshape, cc.filters, cc.noBias); err != nil {
		return nil, errors.Wrap(err, what)
	}
	cc.params, cc.in, cc.out = p, in.Clone(), Shape{oh, ow, cc.filters}
	return cc.out.Clone(), nil
}

// padding1 returns the zeros before and after one axis of n values for a
// kernel of k taps, stride s and dilation d, as Keras pads.
func padding1(padding string, n, k, s, d int, oneD bool) (before, after int, err error) {
	ek := (k-1)*d + 1
	switch padding {
	case "", PaddingValid:
		return 0, 0, nil
	case PaddingSame:
		out := (n + s - 1) / s
		total := max((out-1)*s+ek-n, 0)
		return total / 2, total - total/2, nil
	case PaddingCausal:
		if !oneD {
			return 0, 0, errors.New(`padding "causal" is only for Conv1D`)
		}
		return ek - 1, 0, nil
	}
	return 0, 0, errors.Errorf(`unknown padding %q (want "valid" or "same")`, padding)
}

func (cc *convCore) weights() []*Weight {
	if cc.kernel == nil {
		return nil
	}
	if cc.bias == nil {
		return []*Weight{cc.kernel}
	}
	return []*Weight{cc.kernel, cc.bias}
}

func (cc *convCore) forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	what := cc.what()
	if cc.kernel == nil {
		return nil, errors.Errorf("%s: forward before build", what)
	}
	needInput := c.NeedsGrad(x)
	kernel := c.Node(cc.kernel)
	var bias *gorgonia.Node
	if cc.bias != nil {
		bias = c.Node(cc.bias)
	}
	var err error
	k4 := kernel
	if cc.oneD {
		ks := cc.kernel.Value.Shape()
		if x, err = ops.CopyReshape(x, []int{c.Batch, 1, cc.in[1], cc.in[2]}); err != nil {
			return nil, errors.Wrapf(err, "%s: reshape input", what)
		}
		if k4, err = ops.CopyReshape(kernel, []int{1, ks[0], ks[1], ks[2]}); err != nil {
			return nil, errors.Wrapf(err, "%s: reshape kernel", what)
		}
	}
	if cc.depthwise {
		ks := cc.kernel.Value.Shape()
		if k4, err = ops.CopyReshape(kernel, []int{ks[0], ks[1], 1, ks[2] * ks[3]}); err != nil {
			return nil, errors.Wrapf(err, "%s: reshape kernel", what)
		}
	}
	p := cc.params
	act := cc.activation
	if act == ReLU {
		p.ReLU, act = true, Linear // fused into the op
	}
	z, err := ops.Conv2D(x, k4, bias, p, needInput)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	if cc.oneD {
		if z, err = ops.CopyReshape(z, []int{c.Batch, cc.out[1], cc.out[2]}); err != nil {
			return nil, errors.Wrapf(err, "%s: reshape output", what)
		}
	}
	out, err := applyActivation(c, act, z, cc.kind, cc.name)
	if err != nil {
		return nil, err
	}
	if err := cc.opts.addPenalties(c, kernel, bias, out); err != nil {
		return nil, errors.Wrap(err, what)
	}
	return out, nil
}

// pair reads a Keras size argument given as [v] or [h, w]; nil means def
// (which must be > 0 when nil is allowed).
func pair(v []int, def int, what string) ([2]int, error) {
	switch len(v) {
	case 0:
		if def <= 0 {
			return [2]int{}, errors.Errorf("%s is missing", what)
		}
		return [2]int{def, def}, nil
	case 1, 2:
	default:
		return [2]int{}, errors.Errorf("%s must be [n] or [height, width], got %v", what, v)
	}
	p := [2]int{v[0], v[len(v)-1]}
	if p[0] <= 0 || p[1] <= 0 {
		return [2]int{}, errors.Errorf("%s must be > 0, got %v", what, v)
	}
	return p, nil
}

func orOne(v int) int {
	if v == 0 {
		return 1
	}
	return v
}
