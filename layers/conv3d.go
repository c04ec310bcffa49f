package layers

import (
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// Conv3D convolves volumes (or clips of frames) with Filters kernels and
// adds a bias, then applies Activation, Keras's Conv3D with channels last:
// [batch, d, h, w, c] -> [batch, od, oh, ow, Filters]. The kernel is [kd,
// kh, kw, c, Filters], as in Keras, from KernelInitializer (nil means
// GlorotUniform); the bias, [Filters], from BiasInitializer (nil means
// Zeros). It is one op, im2col over the three axes and one GEMM.
type Conv3D struct {
	// Name is the layer's name; empty means the model names it conv3d,
	// conv3d_1...
	Name string `json:"name,omitempty"`
	// Filters is the number of output channels; it must be > 0.
	Filters int `json:"filters"`
	// KernelSize is [k] for a k×k×k kernel or [kd, kh, kw].
	KernelSize []int `json:"kernel_size"`
	// Strides is [s] or [sd, sh, sw]; nil means 1.
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`
	// DilationRate is [d] or [dd, dh, dw]; nil means 1. A dilation above 1
	// cannot be combined with a stride above 1.
	DilationRate []int `json:"dilation_rate,omitempty"`
	// Groups splits the input channels and the filters into groups
	// convolved separately, as Conv2D's Groups; the kernel is then [kd, kh,
	// kw, c/Groups, Filters]. Zero means 1.
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

	in, out      Shape
	params       ops.Conv3DParams
	kernel, bias *Weight
}

var _ Layer = (*Conv3D)(nil)

// Kind is "conv3d".
func (l *Conv3D) Kind() string { return "conv3d" }

// LayerName is the layer's name.
func (l *Conv3D) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Conv3D) SetLayerName(name string) { l.Name = name }

// triple reads a Keras 3-D size argument given as [v] or [d, h, w]; nil
// means def (which must be > 0 when nil is allowed).
func triple(v []int, def int, what string) ([3]int, error) {
	switch len(v) {
	case 0:
		if def <= 0 {
			return [3]int{}, errors.Errorf("%s is missing", what)
		}
		return [3]int{def, def, def}, nil
	case 1:
		v = []int{v[0], v[0], v[0]}
	case 3:
	default:
		return [3]int{}, errors.Errorf("%s must be [n] or [depth, height, width], got %v", what, v)
	}
	t := [3]int{v[0], v[1], v[2]}
	if t[0] <= 0 || t[1] <= 0 || t[2] <= 0 {
		return [3]int{}, errors.Errorf("%s must be > 0, got %v", what, v)
	}
	return t, nil
}

// Build checks the configuration against input (d, h, w, c) and creates
// the kernel and the bias.
func (l *Conv3D) Build(b *Builder, in Shape) (Shape, error) {
	what := "conv3d " + strconv.Quote(l.Name)
	if len(in) != 4 {
		return nil, errors.Errorf("%s: expected input shape (None, depth, height, width, channels), got %v", what, in)
	}
	for _, v := range in {
		if v <= 0 {
			return nil, errors.Errorf("%s: input shape %v has a dimension <= 0", what, in)
		}
	}
	if l.Filters <= 0 {
		return nil, errors.Errorf("%s: filters must be > 0, got %d", what, l.Filters)
	}
	if err := l.Activation.Validate(); err != nil {
		return nil, errors.Wrap(err, what)
	}
	k, err := triple(l.KernelSize, 0, "kernel size")
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	s, err := triple(l.Strides, 1, "strides")
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	d, err := triple(l.DilationRate, 1, "dilation rate")
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	if (s[0] > 1 || s[1] > 1 || s[2] > 1) && (d[0] > 1 || d[1] > 1 || d[2] > 1) {
		return nil, errors.Errorf("%s: strides %v and dilation rate %v: a dilation above 1 cannot be combined with a stride above 1", what, s, d)
	}
	groups := l.Groups
	if groups < 0 {
		return nil, errors.Errorf("%s: groups must be > 0, got %d", what, groups)
	}
	if groups == 0 {
		groups = 1
	}
	if in[3]%groups != 0 || l.Filters%groups != 0 {
		return nil, errors.Errorf("%s: input channels (%d) and filters (%d) must both be multiples of groups (%d)", what, in[3], l.Filters, groups)
	}
	p := ops.Conv3DParams{Strides: s, Dilations: d, Groups: groups}
	out := Shape{0, 0, 0, l.Filters}
	for i := 0; i < 3; i++ {
		if p.PadBefore[i], p.PadAfter[i], err = padding1(l.Padding, in[i], k[i], s[i], d[i], false); err != nil {
			return nil, errors.Wrap(err, what)
		}
		if out[i] = ops.ConvOutSize(in[i], k[i], s[i], d[i], p.PadBefore[i]+p.PadAfter[i]); out[i] <= 0 {
			return nil, errors.Errorf("%s: kernel %v (dilation %v) is larger than the padded input %v", what, k, d, in[:3])
		}
	}
	opts := l.weightOpts()
	if err := opts.validate(); err != nil {
		return nil, errors.Wrap(err, what)
	}
	if l.kernel, l.bias, err = opts.newWeights(b, []int{k[0], k[1], k[2], in[3] / groups, l.Filters}, l.Filters, l.NoBias); err != nil {
		return nil, errors.Wrap(err, what)
	}
	l.in, l.out, l.params = in.Clone(), out, p
	return out.Clone(), nil
}

// Forward adds the convolution, the bias and the activation to the graph.
func (l *Conv3D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	what := "conv3d " + strconv.Quote(l.Name)
	if l.kernel == nil {
		return nil, errors.Errorf("%s: forward before build", what)
	}
	if err := checkBuiltInput("conv3d", l.Name, c, x, l.in); err != nil {
		return nil, err
	}
	kernel := c.Node(l.kernel)
	var bias *gorgonia.Node
	if l.bias != nil {
		bias = c.Node(l.bias)
	}
	z, err := ops.Conv3D(x, kernel, bias, l.params, c.NeedsGrad(x))
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	out, err := applyActivation(c, l.Activation, z, "conv3d", l.Name)
	if err != nil {
		return nil, err
	}
	if err := l.weightOpts().addPenalties(c, kernel, bias, out); err != nil {
		return nil, errors.Wrap(err, what)
	}
	return out, nil
}

// Weights are the kernel and, unless NoBias, the bias.
func (l *Conv3D) Weights() []*Weight {
	if l.kernel == nil {
		return nil
	}
	if l.bias == nil {
		return []*Weight{l.kernel}
	}
	return []*Weight{l.kernel, l.bias}
}
