package layers

import (
	"math"
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
	// LeakyReLU is x for x >= 0 and 0.2x below, Keras 3's default negative
	// slope for the activation function.
	LeakyReLU Activator = "leaky_relu"
	// ELU is x for x >= 0 and exp(x) - 1 below (alpha 1).
	ELU Activator = "elu"
	// SELU is 1.05070098 * (x for x >= 0, 1.67326324 * (exp(x) - 1) below).
	SELU Activator = "selu"
	// GELU is Keras's default (exact) gelu, x/2 * (1 + erf(x/√2)), with erf
	// computed by Abramowitz and Stegun's formula 7.1.26 (absolute error
	// below 1.5e-7), which puts gelu within 2.2e-7 of the exact value for
	// every x. It is not the tanh approximation (approximate=True).
	GELU Activator = "gelu"
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

// Keras's constants.
const (
	leakyReLUSlope = 0.2
	seluAlpha      = 1.67326324
	seluScale      = 1.05070098
)

// activators lists the known activators, in the order errors list them.
func activators() []Activator {
	return []Activator{Linear, ReLU, LeakyReLU, ELU, SELU, GELU, Swish, SiLU, Sigmoid, Tanh, Softmax, Softplus}
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
	names := make([]string, 0, 12)
	for _, k := range activators() {
		names = append(names, string(k))
	}
	return errors.Errorf("unknown activation %q (known: %s)", string(a), strings.Join(names, ", "))
}

// Apply adds the activation of x to x's graph and returns its node, of x's
// shape. x must be float32 or float64; the empty Activator and Linear return
// x itself. Every activation is built from Gorgonia ops that differentiate.
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
		y, err = leakyReLU(x)
	case ELU:
		y, err = elu(x, 1)
	case SELU:
		y, err = elu(x, seluAlpha)
		if err == nil {
			y, err = gorgonia.HadamardProd(y, constant(x, seluScale))
		}
	case GELU:
		y, err = gelu(x)
	case Swish, SiLU:
		y, err = swish(x)
	case Sigmoid:
		y, err = gorgonia.Sigmoid(x)
	case Tanh:
		y, err = gorgonia.Tanh(x)
	case Softmax:
		y, err = softmax(x)
	case Softplus:
		y, err = gorgonia.Softplus(x)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "activation %q", string(a))
	}
	return y, nil
}

// constant returns the scalar constant v in x's dtype.
func constant(x *gorgonia.Node, v float64) *gorgonia.Node {
	if x.Dtype() == tensor.Float32 {
		return gorgonia.NewConstant(float32(v))
	}
	return gorgonia.NewConstant(v)
}

// negRelu returns relu(-x) = max(-x, 0).
func negRelu(x *gorgonia.Node) (*gorgonia.Node, error) {
	n, err := gorgonia.Neg(x)
	if err != nil {
		return nil, err
	}
	return gorgonia.Rectify(n)
}

// leakyReLU returns relu(x) - 0.2 relu(-x).
func leakyReLU(x *gorgonia.Node) (*gorgonia.Node, error) {
	pos, err := gorgonia.Rectify(x)
	if err != nil {
		return nil, err
	}
	neg, err := negRelu(x)
	if err != nil {
		return nil, err
	}
	neg, err = gorgonia.HadamardProd(neg, constant(x, leakyReLUSlope))
	if err != nil {
		return nil, err
	}
	return gorgonia.Sub(pos, neg)
}

// elu returns relu(x) + alpha (exp(-relu(-x)) - 1), which is x above 0 and
// alpha (exp(x) - 1) below, built without a select so it differentiates.
func elu(x *gorgonia.Node, alpha float64) (*gorgonia.Node, error) {
	pos, err := gorgonia.Rectify(x)
	if err != nil {
		return nil, err
	}
	neg, err := negRelu(x)
	if err != nil {
		return nil, err
	}
	if neg, err = gorgonia.Neg(neg); err != nil {
		return nil, err
	}
	if neg, err = gorgonia.Expm1(neg); err != nil {
		return nil, err
	}
	if alpha != 1 {
		if neg, err = gorgonia.HadamardProd(neg, constant(x, alpha)); err != nil {
			return nil, err
		}
	}
	return gorgonia.Add(pos, neg)
}

// swish returns x sigmoid(x).
func swish(x *gorgonia.Node) (*gorgonia.Node, error) {
	s, err := gorgonia.Sigmoid(x)
	if err != nil {
		return nil, err
	}
	return gorgonia.HadamardProd(x, s)
}

// Abramowitz and Stegun 7.1.26: for u >= 0,
// erf(u) = 1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) exp(-u²),
// t = 1 / (1 + p u), with an absolute error below 1.5e-7.
const (
	erfP  = 0.3275911
	erfA1 = 0.254829592
	erfA2 = -0.284496736
	erfA3 = 1.421413741
	erfA4 = -1.453152027
	erfA5 = 1.061405429
)

// gelu returns x/2 (1 + erf(x/√2)). As erf is odd, x erf(x/√2) equals
// |x| erf(|x|/√2), so gelu(x) = x/2 + |x|/2 erf(|x|/√2) needs erf only for
// non-negative arguments, where 7.1.26 holds, and no sign.
func gelu(x *gorgonia.Node) (*gorgonia.Node, error) {
	c := func(v float64) *gorgonia.Node { return constant(x, v) }
	ax, err := gorgonia.Abs(x)
	if err != nil {
		return nil, err
	}
	u, err := gorgonia.HadamardProd(ax, c(1/math.Sqrt2))
	if err != nil {
		return nil, err
	}
	// t = 1 / (1 + p u)
	t, err := gorgonia.HadamardProd(u, c(erfP))
	if err != nil {
		return nil, err
	}
	if t, err = gorgonia.Add(t, c(1)); err != nil {
		return nil, err
	}
	if t, err = gorgonia.Inverse(t); err != nil {
		return nil, err
	}
	// poly = t (a1 + t (a2 + t (a3 + t (a4 + t a5))))
	poly, err := gorgonia.HadamardProd(t, c(erfA5))
	if err != nil {
		return nil, err
	}
	for _, a := range []float64{erfA4, erfA3, erfA2, erfA1} {
		if poly, err = gorgonia.Add(poly, c(a)); err != nil {
			return nil, err
		}
		if poly, err = gorgonia.HadamardProd(poly, t); err != nil {
			return nil, err
		}
	}
	// erf(u) = 1 - poly exp(-u²)
	e, err := gorgonia.Square(u)
	if err != nil {
		return nil, err
	}
	if e, err = gorgonia.Neg(e); err != nil {
		return nil, err
	}
	if e, err = gorgonia.Exp(e); err != nil {
		return nil, err
	}
	if e, err = gorgonia.HadamardProd(poly, e); err != nil {
		return nil, err
	}
	erf, err := gorgonia.Sub(c(1), e)
	if err != nil {
		return nil, err
	}
	// x/2 + |x|/2 erf(u)
	odd, err := gorgonia.HadamardProd(ax, erf)
	if err != nil {
		return nil, err
	}
	sum, err := gorgonia.Add(x, odd)
	if err != nil {
		return nil, err
	}
	return gorgonia.HadamardProd(sum, c(0.5))
}

// softmax normalizes over the last axis.
func softmax(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x.Dims() == 0 {
		return nil, errors.New("softmax needs at least one axis, got a scalar")
	}
	return ops.Softmax(x, x.Dims()-1)
}
