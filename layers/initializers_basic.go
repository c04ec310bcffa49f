package layers

import (
	"math/rand"

	"github.com/pkg/errors"
)

// Zeros fills with 0: Keras's zeros, the default bias initializer.
type Zeros struct{}

// Fill implements Initializer; it draws nothing from rng, which may be nil.
func (Zeros) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return Constant{}.Fill(rng, shape, dst)
}

// Ones fills with 1: Keras's ones.
type Ones struct{}

// Fill implements Initializer; it draws nothing from rng, which may be nil.
func (Ones) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	return Constant{Value: 1}.Fill(rng, shape, dst)
}

// Constant fills with Value: Keras's constant. The zero value fills with 0.
type Constant struct {
	// Value is the value of every element.
	Value float64
}

// Fill implements Initializer; it draws nothing from rng, which may be nil.
func (c Constant) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	if _, err := checkFill(rng, shape, dst, false); err != nil {
		return err
	}
	for i := range dst {
		dst[i] = c.Value
	}
	return nil
}

// RandomNormal draws from N(Mean, Stddev²): Keras's random_normal.
type RandomNormal struct {
	// Mean is the mean; zero means 0.
	Mean float64
	// Stddev is the standard deviation; zero means 0.05, Keras's default.
	// It must not be negative.
	Stddev float64
}

// Fill implements Initializer.
func (r RandomNormal) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	sd, err := stddevOrDefault(r.Stddev)
	if err != nil {
		return err
	}
	if _, err := checkFill(rng, shape, dst, true); err != nil {
		return err
	}
	for i := range dst {
		dst[i] = r.Mean + sd*rng.NormFloat64()
	}
	return nil
}

// TruncatedNormal draws from N(Mean, Stddev²), drawing again every value
// more than two standard deviations from the mean: Keras's truncated_normal.
// The values it gives have a standard deviation of about 0.88 Stddev.
type TruncatedNormal struct {
	// Mean is the mean; zero means 0.
	Mean float64
	// Stddev is the standard deviation before truncation; zero means 0.05,
	// Keras's default. It must not be negative.
	Stddev float64
}

// Fill implements Initializer.
func (r TruncatedNormal) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	sd, err := stddevOrDefault(r.Stddev)
	if err != nil {
		return err
	}
	if _, err := checkFill(rng, shape, dst, true); err != nil {
		return err
	}
	fillTruncated(rng, dst, r.Mean, sd)
	return nil
}

func stddevOrDefault(sd float64) (float64, error) {
	switch {
	case sd == 0:
		return 0.05, nil
	case sd < 0 || sd != sd:
		return 0, errors.Errorf("stddev must be >= 0, got %v", sd)
	}
	return sd, nil
}

// RandomUniform draws from U(Min, Max): Keras's random_uniform. When both
// are zero the range is Keras's default, [-0.05, 0.05); otherwise Min must
// be less than Max.
type RandomUniform struct {
	// Min is the lower bound, included.
	Min float64
	// Max is the upper bound, excluded.
	Max float64
}

// Fill implements Initializer.
func (r RandomUniform) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	lo, hi := r.Min, r.Max
	if lo == 0 && hi == 0 {
		lo, hi = -0.05, 0.05
	}
	if !(lo < hi) {
		return errors.Errorf("random uniform: min must be < max, got min %v, max %v", r.Min, r.Max)
	}
	if _, err := checkFill(rng, shape, dst, true); err != nil {
		return err
	}
	fillUniform(rng, dst, lo, hi)
	return nil
}
