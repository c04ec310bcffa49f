package ops

import "math"

// RecurrentActivation is an activation the fused recurrent ops compute
// themselves. Each has a derivative that its output gives, which is what
// backpropagation through time reads back from the stored activations.
type RecurrentActivation int

// The activations of the fused recurrent ops.
const (
	ActLinear RecurrentActivation = iota
	ActTanh
	ActSigmoid
	ActReLU
)

func (a RecurrentActivation) String() string {
	switch a {
	case ActLinear:
		return "linear"
	case ActTanh:
		return "tanh"
	case ActSigmoid:
		return "sigmoid"
	case ActReLU:
		return "relu"
	}
	return "unknown"
}

// activate applies a to every value of s in place.
func activate[T float](a RecurrentActivation, s []T) {
	switch v := any(s).(type) {
	case []float32:
		switch a {
		case ActTanh:
			for i, x := range v {
				v[i] = tanh32(x)
			}
		case ActSigmoid:
			for i, x := range v {
				v[i] = sigmoid32(x)
			}
		case ActReLU:
			reluInPlace(v)
		}
	case []float64:
		switch a {
		case ActTanh:
			for i, x := range v {
				v[i] = math.Tanh(x)
			}
		case ActSigmoid:
			for i, x := range v {
				v[i] = sigmoid64(x)
			}
		case ActReLU:
			reluInPlace(v)
		}
	}
}

func reluInPlace[T float](s []T) {
	for i, x := range s {
		if x < 0 {
			s[i] = 0
		}
	}
}

// derivative returns a'(x) from y = a(x).
func derivative[T float](a RecurrentActivation, y T) T {
	switch a {
	case ActTanh:
		return 1 - y*y
	case ActSigmoid:
		return y * (1 - y)
	case ActReLU:
		if y > 0 {
			return 1
		}
		return 0
	}
	return 1
}

// sigmoid32 is 1/(1+exp(-x)) in float32, computed without overflow.
func sigmoid32(x float32) float32 {
	if x >= 0 {
		return 1 / (1 + exp32(-x))
	}
	e := exp32(x)
	return e / (1 + e)
}

// sigmoid64 is 1/(1+exp(-x)) in float64, computed without overflow.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// exp32 is e^x in float32, within about 2 ulp: Cephes's expf (range
// reduction by ln 2 in two parts, a degree-5 polynomial, the exponent set
// from the bits).
func exp32(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654:
		return float32(math.Exp(float64(x))) // subnormal or zero
	}
	t := x*1.44269504088896341 + 0.5
	n := float32(int32(t))
	if n > t {
		n--
	}
	r := x - n*0.693359375 - n*-2.12194440e-4
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	y := p*r*r + r + 1
	return y * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// tanh32 is tanh in float32: Cephes's tanhf polynomial below |x| = 0.625,
// 1 - 2/(e^2|x| + 1) above, ±1 beyond |x| = 9.
func tanh32(x float32) float32 {
	ax := x
	if ax < 0 {
		ax = -ax
	}
	switch {
	case x != x:
		return x
	case ax > 9:
		if x < 0 {
			return -1
		}
		return 1
	case ax >= 0.625:
		y := 1 - 2/(exp32(2*ax)+1)
		if x < 0 {
			return -y
		}
		return y
	}
	z := x * x
	return ((((-5.70498872745e-3*z+2.06390887954e-2)*z-5.37397155531e-2)*z+1.33314422036e-1)*z-3.33332819422e-1)*z*x + x
}
