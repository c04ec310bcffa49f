package ops

import "math"

// constRows is the number of constants activate8 reads.
const constRows = 17

// activationConsts returns activate8's constants for y = a + b/(1 +
// exp(s·x)): rows s, the clamps of s·x (88.3 and -87.3), log2(e), the
// rounding constant 1.5·2^23, ln 2 in two parts, exp32's six polynomial
// coefficients, 1, the exponent's offset (as bits), a and b.
func activationConsts(s, a, b float32) *[constRows][8]float32 {
	vals := [constRows]float32{
		s, 88.3, -87.3, 1.44269504088896341, 12582912, 0.693359375, -2.12194440e-4,
		1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
		1, math.Float32frombits(0x4B400000 - 127), a, b,
	}
	var c [constRows][8]float32
	for i, v := range vals {
		for j := range c[i] {
			c[i][j] = v
		}
	}
	return &c
}

// The constants of sigmoid, 1/(1 + exp(-x)), and of tanh, 1 - 2/(1 +
// exp(2x)); read only.
var (
	sigmoidConsts = activationConsts(-1, 0, 1)
	tanhConsts    = activationConsts(2, 1, -2)
)
