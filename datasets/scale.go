package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Transformer is a preprocessing step on feature tensors, [n, ...] float32
// or float64, with everything past the first axis taken as one row's
// features. Fit learns its statistics from the training rows only; Transform
// applies them to any rows (training, validation, test, new data) and
// returns a new tensor of x's shape and dtype, leaving x as it was.
// Transform before Fit, or on rows whose feature shape differs from the
// fitted one, is an error. A fitted Transformer marshals to JSON with its
// statistics (see MarshalTransformer), so a saved model keeps its
// preprocessing.
type Transformer interface {
	Fit(x *tensor.Dense) error
	Transform(x *tensor.Dense) (*tensor.Dense, error)
	// Kind names the type in saved files: "standard_scaler".
	Kind() string
}

var (
	_ Transformer = (*StandardScaler)(nil)
	_ Transformer = (*MinMaxScaler)(nil)
	_ Transformer = (*Rescale)(nil)
	_ Transformer = (*SimpleImputer)(nil)
	_ Transformer = (*Pipeline)(nil)
)

// StandardScaler standardizes each feature to mean 0 and standard deviation
// 1: (x - Mean) / Scale, with the mean and the population standard deviation
// of the training rows. A constant feature gets Scale 1, as scikit-learn
// does. NaN values (missing) are left out of the statistics and stay NaN.
// The zero value is ready to Fit.
type StandardScaler struct {
	// Features is the fitted shape of one row (x's shape past the first
	// axis). Set by Fit.
	Features []int `json:"features"`
	// Mean is each feature's training mean, 0 for a feature with no values.
	// Set by Fit; nil before.
	Mean []float64 `json:"mean"`
	// Scale is each feature's training standard deviation, 1 where it is 0
	// or the feature has no values. Set by Fit; nil before.
	Scale []float64 `json:"scale"`
}

// Kind is "standard_scaler".
func (s *StandardScaler) Kind() string { return "standard_scaler" }

// Fit learns each feature's mean and standard deviation from x, [n, ...].
func (s *StandardScaler) Fit(x *tensor.Dense) error {
	m, err := fitMatrix(s.Kind(), x)
	if err != nil {
		return err
	}
	mean := make([]float64, m.size)
	scale := make([]float64, m.size)
	for j := 0; j < m.size; j++ {
		sum, k := 0.0, 0
		for i := 0; i < m.n; i++ {
			if v := m.data[i*m.size+j]; !math.IsNaN(v) {
				sum += v
				k++
			}
		}
		if k == 0 {
			scale[j] = 1
			continue
		}
		mu := sum / float64(k)
		ss := 0.0
		for i := 0; i < m.n; i++ {
			if v := m.data[i*m.size+j]; !math.IsNaN(v) {
				ss += (v - mu) * (v - mu)
			}
		}
		mean[j], scale[j] = mu, math.Sqrt(ss/float64(k))
		if scale[j] < 10*math.SmallestNonzeroFloat64 || math.IsInf(scale[j], 0) || math.IsNaN(scale[j]) {
			scale[j] = 1
		}
		if math.IsInf(mu, 0) || math.IsNaN(mu) {
			return errors.Errorf("%s: fit: feature %d: mean %v is not finite", s.Kind(), j, mu)
		}
	}
	s.Features, s.Mean, s.Scale = m.features(), mean, scale
	return nil
}

// Transform returns (x - Mean) / Scale.
func (s *StandardScaler) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	m, err := transformMatrix(s.Kind(), x, s.Mean != nil, s.Features)
	if err != nil {
		return nil, err
	}
	if err := checkFitted(s.Kind(), s.Features, s.Mean, s.Scale); err != nil {
		return nil, err
	}
	for i, v := range m.data {
		j := i % m.size
		m.data[i] = (v - s.Mean[j]) / s.Scale[j]
	}
	return m.dense(), nil
}

// Inverse undoes Transform: x·Scale + Mean (to read scaled predictions of a
// regression target in the original units).
func (s *StandardScaler) Inverse(x *tensor.Dense) (*tensor.Dense, error) {
	m, err := transformMatrix(s.Kind()+" inverse", x, s.Mean != nil, s.Features)
	if err != nil {
		return nil, err
	}
	if err := checkFitted(s.Kind(), s.Features, s.Mean, s.Scale); err != nil {
		return nil, err
	}
	for i, v := range m.data {
		j := i % m.size
		m.data[i] = v*s.Scale[j] + s.Mean[j]
	}
	return m.dense(), nil
}
