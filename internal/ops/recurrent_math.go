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
			n := vectorPart(v, tanhConsts)
			for i, x := range v[n:] {
				v[n+i] = tanh32(x)
			}
		case ActSigmoid:
			n := vectorPart(v, sigmoidConsts)
			for i, x := range v[n:] {
				v[n+i] = sigmoid32(x)
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

// vectorPart runs activate8 with c on the first multiple of 8 values of
// v, where the CPU runs it, and returns how many it did.
func vectorPart(v []float32, c *[constRows][8]float32) int {
	n := len(v) &^ 7
	if !hasActivate8 || n == 0 {
		return 0
	}
	activate8(&v[0], n, c)
	return n
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

// sigmoid32 is 1/(1+exp(-x)) in float32; exp32 saturates, so it does
// not overflow.
func sigmoid32(x float32) float32 { return 1 / (1 + exp32(-x)) }

// sigmoid64 is 1/(1+exp(-x)) in float64, computed without overflow.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// exp32 is e^x in float32 for x in [-87.3, 88.3] (x is clamped there),
// within about 2 ulp: Cephes's expf (x = n ln 2 + r with n rounded by
// adding 1.5·2^23, r in two parts, a degree-5 polynomial, 2^n from the
// bits). It has no branch that depends on the data but the clamps, so
// that loops over gates run without mispredictions.
func exp32(x float32) float32 {
	if x > 88.3 {
		x = 88.3
	}
	if x < -87.3 {
		x = -87.3
	}
	const magic = 12582912 // 1.5·2^23: adding it rounds to an integer
	t := x*1.44269504088896341 + magic
	n := t - magic
	r := x - n*0.693359375 - n*-2.12194440e-4
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	y := p*r*r + r + 1
	// The low bits of t hold n + 2^22; the exponent of 2^n is n + 127.
	e := (math.Float32bits(t) - 0x4B400000 + 127) << 23
	return y * math.Float32frombits(e)
}

// tanh32 is tanh in float32, as 1 - 2/(e^2x + 1): within 2e-7 of tanh
// (absolute), without a branch on the data.
func tanh32(x float32) float32 { return 1 - 2/(exp32(2*x)+1) }
