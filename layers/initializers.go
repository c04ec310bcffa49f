package layers

import (
	"math"
	"math/rand"
	"strings"

	"github.com/pkg/errors"
)

// truncatedNormalStddev is the standard deviation of a standard normal
// truncated to [-2, 2]. Keras's variance-scaling initializers divide their
// target standard deviation by it, so that the truncated draw has the target
// variance.
const truncatedNormalStddev = .87962566103423978

// Compile-time checks that every initializer satisfies the contract.
var (
	_ Initializer = GlorotUniform{}
	_ Initializer = GlorotNormal{}
	_ Initializer = HeUniform{}
	_ Initializer = HeNormal{}
	_ Initializer = LecunUniform{}
	_ Initializer = LecunNormal{}
	_ Initializer = Orthogonal{}
	_ Initializer = Zeros{}
	_ Initializer = Ones{}
	_ Initializer = Constant{}
	_ Initializer = RandomNormal{}
	_ Initializer = RandomUniform{}
	_ Initializer = TruncatedNormal{}
)

// GlorotUniform draws from U(-limit, limit), limit = sqrt(6 / (fanIn + fanOut)):
// Keras's glorot_uniform, the default kernel initializer of Dense.
type GlorotUniform struct{}

// Fill implements Initializer.
func (GlorotUniform) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return varianceScaling(rng, shape, dst, 1, fanAvg, false)
}

// GlorotNormal draws from a normal truncated at two standard deviations,
// stddev = sqrt(2 / (fanIn + fanOut)) / .87962566103423978 (the correction
// that gives the truncated draw the target variance): Keras's glorot_normal.
type GlorotNormal struct{}

// Fill implements Initializer.
func (GlorotNormal) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return varianceScaling(rng, shape, dst, 1, fanAvg, true)
}

// HeUniform draws from U(-limit, limit), limit = sqrt(6 / fanIn): Keras's
// he_uniform, suited to ReLU layers.
type HeUniform struct{}

// Fill implements Initializer.
func (HeUniform) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return varianceScaling(rng, shape, dst, 2, fanIn, false)
}

// HeNormal draws from a normal truncated at two standard deviations,
// stddev = sqrt(2 / fanIn) / .87962566103423978: Keras's he_normal.
type HeNormal struct{}

// Fill implements Initializer.
func (HeNormal) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return varianceScaling(rng, shape, dst, 2, fanIn, true)
}

// LecunUniform draws from U(-limit, limit), limit = sqrt(3 / fanIn): Keras's
// lecun_uniform.
type LecunUniform struct{}

// Fill implements Initializer.
func (LecunUniform) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return varianceScaling(rng, shape, dst, 1, fanIn, false)
}

// LecunNormal draws from a normal truncated at two standard deviations,
// stddev = sqrt(1 / fanIn) / .87962566103423978: Keras's lecun_normal, the
// one to use with SELU.
type LecunNormal struct{}

// Fill implements Initializer.
func (LecunNormal) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return varianceScaling(rng, shape, dst, 1, fanIn, true)
}

type fanMode int

const (
	fanIn fanMode = iota
	fanAvg
)

// Fans returns the fans of a weight of the given shape, as Keras computes
// them: for [..., in, out], fanIn = in * r and fanOut = out * r, r being the
// product of the leading dimensions (the receptive field of a convolution
// kernel); a 1-D shape [n] has fanIn = fanOut = n. A 3x3 convolution kernel
// from 8 to 16 channels, [3, 3, 8, 16], has fanIn 72 and fanOut 144. The
// shape must have at least one dimension, all > 0.
func Fans(shape []int) (in, out int, err error) {
	if _, err := checkShape(shape); err != nil {
		return 0, 0, err
	}
	if len(shape) == 1 {
		return shape[0], shape[0], nil
	}
	r := 1
	for _, d := range shape[:len(shape)-2] {
		r *= d
	}
	return shape[len(shape)-2] * r, shape[len(shape)-1] * r, nil
}

// checkShape returns the number of elements of shape, or an error if shape
// is empty or has a dimension <= 0.
func checkShape(shape []int) (int, error) {
	if len(shape) == 0 {
		return 0, errors.New("shape is empty, want at least one dimension")
	}
	n := 1
	for _, d := range shape {
		if d <= 0 {
			return 0, errors.Errorf("shape %v has a dimension <= 0", shape)
		}
		n *= d
	}
	return n, nil
}

// checkFill checks shape, dst and rng (when random is true) and returns the
// number of elements.
func checkFill(rng *rand.Rand, shape []int, dst []float64, random bool) (int, error) {
	n, err := checkShape(shape)
	if err != nil {
		return 0, err
	}
	if len(dst) != n {
		return 0, errors.Errorf("dst has %d values, want %d for shape %v", len(dst), n, shape)
	}
	if random && rng == nil {
		return 0, errors.New("rng is nil")
	}
	return n, nil
}

// varianceScaling is Keras's VarianceScaling: values of variance scale/fan,
// from a uniform or a truncated normal.
func varianceScaling(rng *rand.Rand, shape []int, dst []float64, scale float64, mode fanMode, normal bool) error {
	if _, err := checkFill(rng, shape, dst, true); err != nil {
		return err
	}
	in, out, _ := Fans(shape)
	fan := float64(in)
	if mode == fanAvg {
		fan = float64(in+out) / 2
	}
	variance := scale / fan
	if normal {
		fillTruncated(rng, dst, 0, math.Sqrt(variance)/truncatedNormalStddev)
		return nil
	}
	limit := math.Sqrt(3 * variance)
	fillUniform(rng, dst, -limit, limit)
	return nil
}

func fillUniform(rng *rand.Rand, dst []float64, lo, hi float64) {
	for i := range dst {
		dst[i] = lo + (hi-lo)*rng.Float64()
	}
}

// fillTruncated draws from N(mean, stddev²), drawing again every value more
// than two standard deviations from the mean.
func fillTruncated(rng *rand.Rand, dst []float64, mean, stddev float64) {
	for i := range dst {
		z := rng.NormFloat64()
		for math.Abs(z) > 2 {
			z = rng.NormFloat64()
		}
		dst[i] = mean + stddev*z
	}
}

// knownInitializer returns the initializer Keras saves under name, with its
// default configuration.
func knownInitializer(name string) (Initializer, bool) {
	switch name {
	case "glorot_uniform":
		return GlorotUniform{}, true
	case "glorot_normal":
		return GlorotNormal{}, true
	case "he_uniform":
		return HeUniform{}, true
	case "he_normal":
		return HeNormal{}, true
	case "lecun_uniform":
		return LecunUniform{}, true
	case "lecun_normal":
		return LecunNormal{}, true
	case "orthogonal":
		return Orthogonal{}, true
	case "zeros":
		return Zeros{}, true
	case "ones":
		return Ones{}, true
	case "constant":
		return Constant{}, true
	case "random_normal", "normal":
		return RandomNormal{}, true
	case "random_uniform", "uniform":
		return RandomUniform{}, true
	case "truncated_normal":
		return TruncatedNormal{}, true
	}
	return nil, false
}

// initializerNames lists the names knownInitializer accepts.
func initializerNames() []string {
	return []string{"constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
		"lecun_normal", "lecun_uniform", "normal", "ones", "orthogonal", "random_normal",
		"random_uniform", "truncated_normal", "uniform", "zeros"}
}

// InitializerByName returns the initializer Keras knows by name, with its
// default configuration: "glorot_uniform", "glorot_normal", "he_uniform",
// "he_normal", "lecun_uniform", "lecun_normal", "orthogonal", "zeros",
// "ones", "constant" (0), "random_normal" (or "normal"), "random_uniform" (or
// "uniform"), "truncated_normal". Keras's class names are accepted too:
// "GlorotUniform", "RandomNormal"... Any other name is an error that lists
// the known ones.
func InitializerByName(name string) (Initializer, error) {
	if init, ok := knownInitializer(name); ok {
		return init, nil
	}
	if name != "" && name[0] >= 'A' && name[0] <= 'Z' {
		if init, ok := knownInitializer(snakeCase(name)); ok {
			return init, nil
		}
	}
	return nil, errors.Errorf("unknown initializer %q (known: %s)", name, strings.Join(initializerNames(), ", "))
}

// snakeCase turns a class name into Keras's snake-case name:
// "GlorotUniform" -> "glorot_uniform".
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
