package layers

import (
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// Conv2DTranspose is the transposed convolution (sometimes called
// deconvolution) of Keras's Conv2DTranspose: the gradient of a Conv2D with
// respect to its input, used to upsample in decoders and generators.
// [batch, h, w, c] -> [batch, oh, ow, Filters], channels last, where along
// each axis, for a kernel of k taps dilated by d (ek = (k-1)·d + 1) and
// stride s,
//
//	valid: out = (in-1)·s + max(ek, s)      (with OutputPadding p: (in-1)·s + ek + p)
//	same:  out = in·s                        (with OutputPadding p: (in-1)·s + ek%2 + p)
//
// as keras.src.utils.conv_utils and the padding Keras gives its JAX and
// PyTorch backends (keras/src/backend/common/backend_utils.py).
//
// The kernel is [kh, kw, Filters, c], as in Keras, so weights can be
// exchanged; it starts from KernelInitializer (nil means GlorotUniform) and
// the bias, [Filters], from BiasInitializer (nil means Zeros). It runs on
// the convolution's own kernels (im2col, one GEMM, col2im).
type Conv2DTranspose struct {
	// Name is the layer's name; empty means the model names it
	// conv2d_transpose, conv2d_transpose_1...
	Name string `json:"name,omitempty"`
	// Filters is the number of output channels; it must be > 0.
	Filters int `json:"filters"`
	// KernelSize is [k] for a k×k kernel or [kh, kw].
	KernelSize []int `json:"kernel_size"`
	// Strides is [s] or [sh, sw]; nil means 1.
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`
	// OutputPadding is [p] or [ph, pw], the rows and columns added at the
	// end of the output, each in [0, stride); nil means Keras's None (the
	// sizes above).
	OutputPadding []int `json:"output_padding,omitempty"`
	// DilationRate is [d] or [dh, dw]; nil means 1.
	DilationRate []int `json:"dilation_rate,omitempty"`
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

	core convTCore
}

var _ Layer = (*Conv2DTranspose)(nil)

// Kind is "conv2d_transpose".
func (l *Conv2DTranspose) Kind() string { return "conv2d_transpose" }

// LayerName is the layer's name.
func (l *Conv2DTranspose) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Conv2DTranspose) SetLayerName(name string) { l.Name = name }

// Build checks the configuration against input (h, w, c) and creates the
// kernel and the bias.
func (l *Conv2DTranspose) Build(b *Builder, in Shape) (Shape, error) {
	what := "conv2d_transpose " + strconv.Quote(l.Name)
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
	var op *[2]int
	if l.OutputPadding != nil {
		p, err := outputPadding(l.OutputPadding)
		if err != nil {
			return nil, errors.Wrap(err, what)
		}
		op = &p
	}
	l.core = convTCore{
		kind: "conv2d_transpose", name: l.Name, filters: l.Filters, activation: l.Activation, noBias: l.NoBias,
		opts: l.weightOpts(),
	}
	return l.core.build(b, in, k, s, d, op, l.Padding)
}

// Forward adds the transposed convolution, the bias and the activation.
func (l *Conv2DTranspose) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.core.forward(c, x)
}

// Weights are the kernel and, unless NoBias, the bias.
func (l *Conv2DTranspose) Weights() []*Weight { return l.core.weights() }

// Conv1DTranspose is the transposed convolution of sequences, Keras's
// Conv1DTranspose: [batch, steps, c] -> [batch, out steps, Filters], with
// the output length of Conv2DTranspose along one axis. The kernel is
// [KernelSize, Filters, c], as in Keras.
type Conv1DTranspose struct {
	// Name is the layer's name; empty means the model names it
	// conv1d_transpose, conv1d_transpose_1...
	Name string `json:"name,omitempty"`
	// Filters is the number of output channels; it must be > 0.
	Filters int `json:"filters"`
	// KernelSize is the kernel's length in steps; it must be > 0.
	KernelSize int `json:"kernel_size"`
	// Strides is the step between windows; 0 means 1.
	Strides int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`
	// OutputPadding, when not nil, is the number of steps added at the end
	// of the output, in [0, Strides); nil means Keras's None.
	OutputPadding *int `json:"output_padding,omitempty"`
	// DilationRate spaces the kernel's taps; 0 means 1.
	DilationRate int `json:"dilation_rate,omitempty"`
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

	core convTCore
}

var _ Layer = (*Conv1DTranspose)(nil)

// Kind is "conv1d_transpose".
func (l *Conv1DTranspose) Kind() string { return "conv1d_transpose" }

// LayerName is the layer's name.
func (l *Conv1DTranspose) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Conv1DTranspose) SetLayerName(name string) { l.Name = name }

// Build checks the configuration against input (steps, c) and creates the
// kernel and the bias.
func (l *Conv1DTranspose) Build(b *Builder, in Shape) (Shape, error) {
	what := "conv1d_transpose " + strconv.Quote(l.Name)
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
	var op *[2]int
	if l.OutputPadding != nil {
		if *l.OutputPadding < 0 {
			return nil, errors.Errorf("%s: output padding must be >= 0, got %d", what, *l.OutputPadding)
		}
		op = &[2]int{0, *l.OutputPadding}
	}
	l.core = convTCore{
		kind: "conv1d_transpose", name: l.Name, filters: l.Filters, activation: l.Activation, noBias: l.NoBias, oneD: true,
		opts: l.weightOpts(),
	}
	out, err := l.core.build(b, Shape{1, in[0], in[1]}, [2]int{1, l.KernelSize}, [2]int{1, s}, [2]int{1, d}, op, l.Padding)
	if err != nil {
		return nil, err
	}
	return Shape{out[1], out[2]}, nil
}

// Forward adds the transposed convolution, the bias and the activation.
func (l *Conv1DTranspose) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.core.forward(c, x)
}

// Weights are the kernel and, unless NoBias, the bias.
func (l *Conv1DTranspose) Weights() []*Weight { return l.core.weights() }

// outputPadding reads OutputPadding as [p] or [ph, pw].
func outputPadding(v []int) ([2]int, error) {
	switch len(v) {
	case 1, 2:
	default:
		return [2]int{}, errors.Errorf("output padding must be [p] or [height, width], got %v", v)
	}
	p := [2]int{v[0], v[len(v)-1]}
	if p[0] < 0 || p[1] < 0 {
		return [2]int{}, errors.Errorf("output padding must be >= 0, got %v", v)
	}
	return p, nil
}

// transposeOutput is the output length and the leading crop of a
// transposed convolution along one axis: in values, a kernel of k taps
// dilated by d, stride s, padding "valid" or "same", and an output padding
// (nil for Keras's None). before is the number of leading values of the
// full transposed convolution that the output leaves out.
func transposeOutput(in, k, s, d int, padding string, outPad *int) (out, before int, err error) {
	if in <= 0 || k <= 0 || s <= 0 || d <= 0 {
		return 0, 0, errors.Errorf("input %d, kernel %d, stride %d and dilation %d must be > 0", in, k, s, d)
	}
	if outPad != nil && (*outPad < 0 || *outPad >= s) {
		return 0, 0, errors.Errorf("output padding %d must be in [0, stride %d)", *outPad, s)
	}
	ek := (k-1)*d + 1
	switch padding {
	case "", PaddingValid:
		p := max(ek, s) - ek
		if outPad != nil {
			p = *outPad
		}
		return (in-1)*s + ek + p, 0, nil
	case PaddingSame:
		padLen := s + ek - 2
		if outPad != nil {
			padLen = ek + ek%2 - 2 + *outPad
		}
		left := min(padLen/2+padLen%2, ek-1)
		return (in-1)*s + padLen - ek + 2, ek - 1 - left, nil
	}
	return 0, 0, errors.Errorf(`unknown padding %q (want "valid" or "same")`, padding)
}

// convTCore is what Conv2DTranspose and Conv1DTranspose share once built.
type convTCore struct {
	kind, name string
	filters    int
	activation Activator
	noBias     bool
	opts       weightOpts
	oneD       bool // input [batch, steps, c] and kernel [k, filters, c]

	params       ops.ConvTransposeParams
	in, out      Shape // per-sample, as (h, w, c)
	kernel, bias *Weight
}

func (cc *convTCore) what() string { return cc.kind + " " + strconv.Quote(cc.name) }

func (cc *convTCore) build(b *Builder, in Shape, k, s, d [2]int, outPad *[2]int, padding string) (Shape, error) {
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
	p := ops.ConvTransposeParams{StrideH: s[0], StrideW: s[1], DilationH: d[0], DilationW: d[1]}
	var out, before [2]int
	for i := 0; i < 2; i++ {
		var op *int
		if outPad != nil {
			op = &outPad[i]
		}
		var err error
		if out[i], before[i], err = transposeOutput(in[i], k[i], s[i], d[i], padding, op); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	p.OutH, p.OutW, p.PadTop, p.PadLeft = out[0], out[1], before[0], before[1]
	if err := cc.opts.validate(); err != nil {
		return nil, errors.Wrap(err, what)
	}
	kshape := []int{k[0], k[1], cc.filters, in[2]}
	if cc.oneD {
		kshape = []int{k[1], cc.filters, in[2]}
	}
	var err error
	if cc.kernel, cc.bias, err = cc.opts.newWeights(b, kshape, cc.filters, cc.noBias); err != nil {
		return nil, errors.Wrap(err, what)
	}
	cc.params, cc.in, cc.out = p, in.Clone(), Shape{out[0], out[1], cc.filters}
	return cc.out.Clone(), nil
}

func (cc *convTCore) weights() []*Weight {
	if cc.kernel == nil {
		return nil
	}
	if cc.bias == nil {
		return []*Weight{cc.kernel}
	}
	return []*Weight{cc.kernel, cc.bias}
}

func (cc *convTCore) forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	what := cc.what()
	if cc.kernel == nil {
		return nil, errors.Errorf("%s: forward before build", what)
	}
	want := cc.in.WithBatch(c.Batch)
	if cc.oneD {
		want = Shape{cc.in[1], cc.in[2]}.WithBatch(c.Batch)
	}
	if x == nil || !x.Shape().Eq(want) {
		return nil, errors.Errorf("%s: built for input %v, got a node of shape %v", what, want, shapeOf(x))
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
	z, err := ops.ConvTranspose2D(x, k4, bias, cc.params, needInput)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	if cc.oneD {
		if z, err = ops.CopyReshape(z, []int{c.Batch, cc.out[1], cc.out[2]}); err != nil {
			return nil, errors.Wrapf(err, "%s: reshape output", what)
		}
	}
	out, err := applyActivation(c, cc.activation, z, cc.kind, cc.name)
	if err != nil {
		return nil, err
	}
	if err := cc.opts.addPenalties(c, kernel, bias, out); err != nil {
		return nil, errors.Wrap(err, what)
	}
	return out, nil
}

// shapeOf is n's shape, or "nil" for a nil node.
func shapeOf(n *gorgonia.Node) any {
	if n == nil {
		return "nil"
	}
	return n.Shape()
}
