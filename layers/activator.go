package layers

import (
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// Activator names an activation function, the way Keras names them:
// Dense{Activation: ReLU}. The empty Activator is Linear. Being a name, it is
// what gets saved.
type Activator string

// The activations Profundo knows. Each is element-wise except Softmax, which
// normalizes over the last axis.
const (
	// Linear is the identity.
	Linear Activator = "linear"
	// ReLU is max(x, 0).
	ReLU Activator = "relu"
	// LeakyReLU is x for x > 0 and 0.2x otherwise, Keras 3's default negative
	// slope for the activation function (the LeakyReLU layer sets another).
	LeakyReLU Activator = "leaky_relu"
	// ELU is x for x > 0 and exp(x) - 1 otherwise (alpha 1; the ELU layer
	// sets another).
	ELU Activator = "elu"
	// SELU is scale * (x for x > 0, alpha * (exp(x) - 1) otherwise), with
	// Keras's constants to float64 precision (ops.SELUScale, ops.SELUAlpha).
	SELU Activator = "selu"
	// GELU is Keras's default (exact) gelu, x/2 * (1 + erf(x/√2)), exact to
	// float64 rounding.
	GELU Activator = "gelu"
	// GELUApproximate is Keras's gelu(approximate=True), the tanh form
	// x/2 * (1 + tanh(sqrt(2/π) (x + 0.044715 x³))).
	GELUApproximate Activator = "gelu_approximate"
	// Swish is x * sigmoid(x).
	Swish Activator = "swish"
	// SiLU is another name for Swish.
	SiLU Activator = "silu"
	// Sigmoid is 1 / (1 + exp(-x)).
	Sigmoid Activator = "sigmoid"
	// Tanh is the hyperbolic tangent.
	Tanh Activator = "tanh"
	// Softmax is exp(x) normalized to sum to 1 over the last axis.
	Softmax Activator = "softmax"
	// Softplus is log(1 + exp(x)).
	Softplus Activator = "softplus"
)

// leakyReLUSlope is the negative slope of Keras's leaky_relu activation
// function.
const leakyReLUSlope = 0.2

// activators lists the known activators, in the order errors list them.
func activators() []Activator {
	return []Activator{Linear, ReLU, LeakyReLU, ELU, SELU, GELU, GELUApproximate, Swish, SiLU, Sigmoid, Tanh, Softmax, Softplus}
}

// Validate returns an error if a is not empty and not one of the known
// activations.
func (a Activator) Validate() error {
	if a == "" {
		return nil
	}
	for _, k := range activators() {
		if a == k {
			return nil
		}
	}
	names := make([]string, 0, 13)
	for _, k := range activators() {
		names = append(names, string(k))
	}
	return errors.Errorf("unknown activation %q (known: %s)", string(a), strings.Join(names, ", "))
}

// Apply adds the activation of x to x's graph and returns its node, of x's
// shape. x must be float32 or float64; the empty Activator and Linear return
// x itself. The element-wise activations are ops of Profundo's own
// (internal/ops), exact to float64 rounding, whose gradients at a kink take
// TensorFlow's side (Keras's backend): elu'(0) = 1, selu'(0) = scale,
// leaky_relu'(0) = slope, relu'(0) = 0.
func (a Activator) Apply(x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, errors.Errorf("activation %q: input node is nil", string(a))
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("activation %q: dtype must be float32 or float64, got %v", string(a), dt)
	}
	var (
		y   *gorgonia.Node
		err error
	)
	switch a {
	case "", Linear:
		return x, nil
	case ReLU:
		y, err = ops.ReLU(x)
	case LeakyReLU:
		y, err = ops.Elementwise(x, ops.LeakyReLU(leakyReLUSlope))
	case ELU:
		y, err = ops.Elementwise(x, ops.ELU(1))
	case SELU:
		y, err = ops.Elementwise(x, ops.SELU())
	case GELU:
		y, err = ops.Elementwise(x, ops.GELU())
	case GELUApproximate:
		y, err = ops.Elementwise(x, ops.GELUApproximate())
	case Swish, SiLU:
		y, err = ops.Elementwise(x, ops.Swish())
	case Sigmoid:
		y, err = ops.Elementwise(x, ops.Sigmoid())
	case Tanh:
		y, err = gorgonia.Tanh(x)
	case Softmax:
		y, err = softmax(x)
	case Softplus:
		y, err = ops.Elementwise(x, ops.Softplus())
	}
	if err != nil {
		return nil, errors.Wrapf(err, "activation %q", string(a))
	}
	return y, nil
}

// softmax normalizes over the last axis.
func softmax(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x.Dims() == 0 {
		return nil, errors.New("softmax needs at least one axis, got a scalar")
	}
	return ops.Softmax(x, x.Dims()-1)
}
