package ops

import "math"

// The activations below follow Keras 3 on its TensorFlow backend, values
// and gradients, including the side a kink's derivative takes (TensorFlow's
// kernels in tensorflow/core/kernels/relu_op_functor.h).

// SELU's constants, to float64 precision (keras/src/activations/activations.py).
const (
	SELUAlpha = 1.6732632423543772848170429916717
	SELUScale = 1.0507009873554804934193349852946
)

// sigmoid is 1/(1+exp(-x)), accurate to float64 rounding for every x: for
// x < 0 it is exp(x)/(1+exp(x)), so tiny values keep their digits.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// sigmoidD is sigmoid(x) sigmoid(-x), which keeps its digits where
// 1 - sigmoid(x) would round to 0.
func sigmoidD(x float64) float64 { return sigmoid(x) * sigmoid(-x) }

// softplus is log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), accurate for
// every x (it is not cut off to x above a threshold).
func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// Sigmoid is 1/(1+exp(-x)), accurate to float64 rounding for every x.
func Sigmoid() Func { return Func{Name: "sigmoid", F: sigmoid, D: sigmoidD} }

// Softplus is log(1+exp(x)), accurate to float64 rounding for every x; its
// derivative is sigmoid(x).
func Softplus() Func { return Func{Name: "softplus", F: softplus, D: sigmoid} }

// Swish is x sigmoid(x) (also called silu).
func Swish() Func {
	return Func{
		Name: "swish",
		F:    func(x float64) float64 { return x * sigmoid(x) },
		D:    func(x float64) float64 { return sigmoid(x) * (1 + x*sigmoid(-x)) },
	}
}

// ELU is x for x > 0 and alpha (exp(x) - 1) otherwise. Its derivative at
// 0 is alpha, which is TensorFlow's 1 for alpha = 1 (EluGrad) and Keras's
// tf.where(x > 0, ...) for any other alpha.
func ELU(alpha float64) Func {
	return Func{
		Name: "elu",
		F: func(x float64) float64 {
			if x > 0 {
				return x
			}
			return alpha * math.Expm1(x)
		},
		D: func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return alpha * math.Exp(x)
		},
	}
}

// SELU is SELUScale * ELU(SELUAlpha). Its derivative at 0 is SELUScale, as
// TensorFlow's SeluGrad (the negative branch is taken only below 0).
func SELU() Func {
	return Func{
		Name: "selu",
		F: func(x float64) float64 {
			if x > 0 {
				return SELUScale * x
			}
			return SELUScale * SELUAlpha * math.Expm1(x)
		},
		D: func(x float64) float64 {
			if x >= 0 {
				return SELUScale
			}
			return SELUScale * SELUAlpha * math.Exp(x)
		},
	}
}

// LeakyReLU is x for x > 0 and slope x otherwise; its derivative at 0 is
// slope, as TensorFlow's LeakyReluGrad.
func LeakyReLU(slope float64) Func {
	return Func{
		Name: "leaky_relu",
		F: func(x float64) float64 {
			if x > 0 {
				return x
			}
			return slope * x
		},
		D: func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return slope
		},
	}
}

// ThresholdedReLU is Keras 3's relu(x, negative_slope, max_value,
// threshold), threshold >= 0: x where x > threshold, else 0; clipped to
// [0, maxValue] when maxValue is not nil; minus slope * relu(threshold - x).
// Derivatives follow the ops Keras composes: x > threshold passes, the clip
// passes on its closed range (relu6's open one when maxValue is 6 and
// threshold 0), and with no clip or threshold the whole is leaky_relu.
func ThresholdedReLU(slope float64, maxValue *float64, threshold float64) Func {
	if slope != 0 && maxValue == nil && threshold == 0 {
		f := LeakyReLU(slope)
		f.Name = "relu"
		return f
	}
	relu6 := maxValue != nil && *maxValue == 6 && threshold == 0
	return Func{
		Name: "relu",
		F: func(x float64) float64 {
			y := 0.0
			if x > threshold {
				y = x
			}
			if maxValue != nil {
				y = math.Min(math.Max(y, 0), *maxValue)
			}
			if slope != 0 && x < threshold {
				y -= slope * (threshold - x)
			}
			return y
		},
		D: func(x float64) float64 {
			d := 0.0
			if x > threshold {
				d = 1
				if maxValue != nil && (x > *maxValue || (relu6 && x == *maxValue)) {
					d = 0
				}
			}
			if slope != 0 && x < threshold {
				d += slope
			}
			return d
		},
	}
}

// GELU is x/2 (1 + erf(x/√2)) = x/2 erfc(-x/√2), exact to float64
// rounding, Keras's default (approximate=False).
func GELU() Func {
	return Func{
		Name: "gelu",
		F:    func(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) },
		D: func(x float64) float64 {
			return 0.5*math.Erfc(-x/math.Sqrt2) + x*math.Exp(-x*x/2)/math.Sqrt(2*math.Pi)
		},
	}
}

// geluTanhK is sqrt(2/π).
const geluTanhK = 0.7978845608028654

// GELUApproximate is Keras's gelu(approximate=True):
// x/2 (1 + tanh(sqrt(2/π) (x + 0.044715 x³))).
func GELUApproximate() Func {
	return Func{
		Name: "gelu_approximate",
		F: func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(geluTanhK*(x+0.044715*x*x*x)))
		},
		D: func(x float64) float64 {
			t := math.Tanh(geluTanhK * (x + 0.044715*x*x*x))
			return 0.5*(1+t) + 0.5*x*(1-t*t)*geluTanhK*(1+3*0.044715*x*x)
		},
	}
}
