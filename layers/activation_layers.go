package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// The activation layers with parameters, Keras's ReLU, LeakyReLU, ELU and
// PReLU layers. Their Go names end in Activation where the bare name is
// already the Activator of the same function (layers.ReLU is "relu").

// ReLUActivation is Keras's ReLU layer: any shape to the same shape,
//
//	f(x) = min(x, MaxValue)             for x > Threshold
//	f(x) = NegativeSlope (x - Threshold) otherwise
//
// with no upper bound when MaxValue is nil. The zero value is relu. The
// derivative at a kink follows Keras's TensorFlow backend: 0 at x =
// Threshold (NegativeSlope at 0 when Threshold is 0 and MaxValue nil, as
// leaky_relu), 1 at x = MaxValue except for relu6.
type ReLUActivation struct {
	// Name is the layer's name; empty means the model names it relu, relu_1...
	Name string `json:"name,omitempty"`
	// MaxValue, >= 0, caps the output; nil means no cap.
	MaxValue *float64 `json:"max_value,omitempty"`
	// NegativeSlope, >= 0, is the slope below Threshold; zero means 0.
	NegativeSlope float64 `json:"negative_slope,omitempty"`
	// Threshold, >= 0, is where the output starts to follow x; zero means 0.
	Threshold float64 `json:"threshold,omitempty"`
}

// LeakyReLUActivation is Keras's LeakyReLU layer: x for x > 0 and
// NegativeSlope x otherwise, any shape to the same shape; the derivative at
// 0 is NegativeSlope (TensorFlow's LeakyReluGrad).
type LeakyReLUActivation struct {
	// Name is the layer's name; empty means the model names it
	// leaky_relu, leaky_relu_1...
	Name string `json:"name,omitempty"`
	// NegativeSlope, >= 0, is the slope below 0; nil means 0.3, the Keras
	// layer's default (0 is plain relu).
	NegativeSlope *float64 `json:"negative_slope,omitempty"`
}

// ELUActivation is Keras's ELU layer: x for x > 0 and Alpha (exp(x) - 1)
// otherwise, any shape to the same shape; the derivative at 0 is Alpha (1
// by default, as TensorFlow's EluGrad).
type ELUActivation struct {
	// Name is the layer's name; empty means the model names it elu, elu_1...
	Name string `json:"name,omitempty"`
	// Alpha is the scale of the negative part; nil means 1.
	Alpha *float64 `json:"alpha,omitempty"`
}

var (
	_ Layer = (*ReLUActivation)(nil)
	_ Layer = (*LeakyReLUActivation)(nil)
	_ Layer = (*ELUActivation)(nil)
)

// Kind is "relu".
func (l *ReLUActivation) Kind() string { return "relu" }

// LayerName is the layer's name.
func (l *ReLUActivation) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *ReLUActivation) SetLayerName(name string) { l.Name = name }

// Build checks the options; the output shape is the input shape.
func (l *ReLUActivation) Build(_ *Builder, in Shape) (Shape, error) {
	if l.MaxValue != nil {
		if err := nonNegative(*l.MaxValue); err != nil {
			return nil, errors.Wrapf(err, "relu %q: max_value", l.Name)
		}
	}
	if err := nonNegative(l.NegativeSlope); err != nil {
		return nil, errors.Wrapf(err, "relu %q: negative_slope", l.Name)
	}
	if err := nonNegative(l.Threshold); err != nil {
		return nil, errors.Wrapf(err, "relu %q: threshold", l.Name)
	}
	return in.Clone(), nil
}

// Forward applies the function.
func (l *ReLUActivation) Forward(_ *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	var (
		y   *gorgonia.Node
		err error
	)
	if l.MaxValue == nil && l.NegativeSlope == 0 && l.Threshold == 0 {
		y, err = ops.ReLU(x)
	} else {
		y, err = ops.Elementwise(x, ops.ThresholdedReLU(l.NegativeSlope, l.MaxValue, l.Threshold))
	}
	return y, errors.Wrapf(err, "relu %q", l.Name)
}

// Weights is empty.
func (l *ReLUActivation) Weights() []*Weight { return nil }

// Kind is "leaky_relu".
func (l *LeakyReLUActivation) Kind() string { return "leaky_relu" }

// LayerName is the layer's name.
func (l *LeakyReLUActivation) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *LeakyReLUActivation) SetLayerName(name string) { l.Name = name }

func (l *LeakyReLUActivation) slope() float64 {
	if l.NegativeSlope == nil {
		return 0.3
	}
	return *l.NegativeSlope
}

// Build checks the slope; the output shape is the input shape.
func (l *LeakyReLUActivation) Build(_ *Builder, in Shape) (Shape, error) {
	if err := nonNegative(l.slope()); err != nil {
		return nil, errors.Wrapf(err, "leaky_relu %q: negative_slope", l.Name)
	}
	return in.Clone(), nil
}

// Forward applies the function.
func (l *LeakyReLUActivation) Forward(_ *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := ops.Elementwise(x, ops.LeakyReLU(l.slope()))
	return y, errors.Wrapf(err, "leaky_relu %q", l.Name)
}

// Weights is empty.
func (l *LeakyReLUActivation) Weights() []*Weight { return nil }

// Kind is "elu".
func (l *ELUActivation) Kind() string { return "elu" }

// LayerName is the layer's name.
func (l *ELUActivation) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *ELUActivation) SetLayerName(name string) { l.Name = name }

func (l *ELUActivation) alpha() float64 {
	if l.Alpha == nil {
		return 1
	}
	return *l.Alpha
}

// Build checks alpha; the output shape is the input shape.
func (l *ELUActivation) Build(_ *Builder, in Shape) (Shape, error) {
	if a := l.alpha(); math.IsNaN(a) || math.IsInf(a, 0) {
		return nil, errors.Errorf("elu %q: alpha must be finite, got %v", l.Name, a)
	}
	return in.Clone(), nil
}

// Forward applies the function.
func (l *ELUActivation) Forward(_ *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := ops.Elementwise(x, ops.ELU(l.alpha()))
	return y, errors.Wrapf(err, "elu %q", l.Name)
}

// Weights is empty.
func (l *ELUActivation) Weights() []*Weight { return nil }

// nonNegative returns an error unless v is finite and >= 0.
func nonNegative(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return errors.Errorf("must be >= 0 and finite, got %v", v)
	}
	return nil
}

// PReLU is Keras's PReLU layer, a leaky relu whose slopes are learned:
// relu(x) - alpha relu(-x), any shape to the same shape, with one slope per
// input value (alpha has the per-sample input shape; Keras's shared_axes
// left out) starting at 0, Keras's default alpha_initializer. Its
// derivative with respect to x at 0 is 0, as relu's.
type PReLU struct {
	// Name is the layer's name; empty means the model names it prelu, prelu_1...
	Name string `json:"name,omitempty"`

	alpha *Weight
}

var _ Layer = (*PReLU)(nil)

// Kind is "prelu".
func (l *PReLU) Kind() string { return "prelu" }

// LayerName is the layer's name.
func (l *PReLU) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *PReLU) SetLayerName(name string) { l.Name = name }

// Build creates alpha, of the input shape, filled with zeros.
func (l *PReLU) Build(b *Builder, in Shape) (Shape, error) {
	if len(in) == 0 {
		return nil, errors.Errorf("prelu %q: input shape %v has no axes", l.Name, in)
	}
	var err error
	if l.alpha, err = b.NewWeight("alpha", in.Clone(), Zeros{}); err != nil {
		return nil, errors.Wrapf(err, "prelu %q", l.Name)
	}
	return in.Clone(), nil
}

// Forward adds relu(x) - alpha relu(-x) to the graph.
func (l *PReLU) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if l.alpha == nil {
		return nil, errors.Errorf("prelu %q: forward before build", l.Name)
	}
	wrap := func(err error, what string) error { return errors.Wrapf(err, "prelu %q: %s", l.Name, what) }
	full := x.Shape().Clone()
	features := full.TotalSize() / full[0]
	x2, alpha := x, c.Node(l.alpha)
	var err error
	if x.Dims() != 2 {
		if x2, err = ops.CopyReshape(x, tensor.Shape{full[0], features}); err != nil {
			return nil, wrap(err, "flatten input")
		}
	}
	if alpha.Dims() != 1 {
		if alpha, err = ops.CopyReshape(alpha, tensor.Shape{features}); err != nil {
			return nil, wrap(err, "flatten alpha")
		}
	}
	pos, err := ops.ReLU(x2)
	if err != nil {
		return nil, wrap(err, "relu(x)")
	}
	nx, err := gorgonia.Neg(x2)
	if err != nil {
		return nil, wrap(err, "-x")
	}
	neg, err := ops.ReLU(nx)
	if err != nil {
		return nil, wrap(err, "relu(-x)")
	}
	if neg, err = gorgonia.BroadcastHadamardProd(neg, alpha, nil, []byte{0}); err != nil {
		return nil, wrap(err, "alpha relu(-x)")
	}
	y, err := gorgonia.Sub(pos, neg)
	if err != nil {
		return nil, wrap(err, "relu(x) - alpha relu(-x)")
	}
	if x.Dims() != 2 {
		if y, err = ops.CopyReshape(y, full); err != nil {
			return nil, wrap(err, "reshape output")
		}
	}
	return y, nil
}

// Weights returns alpha.
func (l *PReLU) Weights() []*Weight {
	if l.alpha == nil {
		return nil
	}
	return []*Weight{l.alpha}
}
