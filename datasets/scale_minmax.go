package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MinMaxScaler maps each feature's training range [DataMin, DataMax] onto
// [Min, Max]: Min + (x - DataMin)·(Max - Min)/(DataMax - DataMin). Values
// outside the training range land outside [Min, Max] (they are not
// clipped). A constant feature is shifted to Min, as scikit-learn does. NaN
// values (missing) are left out of the statistics and stay NaN. The zero
// value maps onto [0, 1].
type MinMaxScaler struct {
	// Min and Max are the target range. Both zero means [0, 1]; otherwise
	// Max must be greater than Min.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Features is the fitted shape of one row. Set by Fit.
	Features []int `json:"features"`
	// DataMin and DataMax are each feature's training minimum and maximum
	// (both 0 for a feature with no values). Set by Fit; nil before.
	DataMin []float64 `json:"data_min"`
	DataMax []float64 `json:"data_max"`
}

// Kind is "min_max_scaler".
func (s *MinMaxScaler) Kind() string { return "min_max_scaler" }

// target returns the target range, [0, 1] for the zero value.
func (s *MinMaxScaler) target() (lo, hi float64, err error) {
	lo, hi = s.Min, s.Max
	if lo == 0 && hi == 0 {
		hi = 1
	}
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return 0, 0, errors.Errorf("%s: range [%v, %v]: Max must be greater than Min, both finite", s.Kind(), s.Min, s.Max)
	}
	return lo, hi, nil
}

// Fit learns each feature's minimum and maximum from x, [n, ...].
func (s *MinMaxScaler) Fit(x *tensor.Dense) error {
	if _, _, err := s.target(); err != nil {
		return err
	}
	m, err := fitMatrix(s.Kind(), x)
	if err != nil {
		return err
	}
	lo := make([]float64, m.size)
	hi := make([]float64, m.size)
	for j := range lo {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
		for i := 0; i < m.n; i++ {
			if v := m.data[i*m.size+j]; !math.IsNaN(v) {
				lo[j], hi[j] = math.Min(lo[j], v), math.Max(hi[j], v)
			}
		}
		if lo[j] > hi[j] { // no values
			lo[j], hi[j] = 0, 0
		}
		if math.IsInf(lo[j], 0) || math.IsInf(hi[j], 0) {
			return errors.Errorf("%s: fit: feature %d: range [%v, %v] is not finite", s.Kind(), j, lo[j], hi[j])
		}
	}
	s.Features, s.DataMin, s.DataMax = m.features(), lo, hi
	return nil
}

// Transform maps x from the training range onto [Min, Max].
func (s *MinMaxScaler) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	lo, hi, err := s.target()
	if err != nil {
		return nil, err
	}
	m, err := transformMatrix(s.Kind(), x, s.DataMin != nil, s.Features)
	if err != nil {
		return nil, err
	}
	if err := checkFitted(s.Kind(), s.Features, s.DataMin, s.DataMax); err != nil {
		return nil, err
	}
	for i, v := range m.data {
		j := i % m.size
		r := s.DataMax[j] - s.DataMin[j]
		if r == 0 {
			r = 1
		}
		m.data[i] = lo + (v-s.DataMin[j])*(hi-lo)/r
	}
	return m.dense(), nil
}

// Rescale multiplies every value by Factor and adds Offset, as Keras's
// Rescaling layer does: the pixel rescaling of images (Factor 1/255 maps
// 0..255 onto [0, 1]; Factor 1/127.5 with Offset -1 onto [-1, 1]). It learns
// nothing: Fit only checks x, and Transform works before Fit.
type Rescale struct {
	// Factor multiplies every value. Zero means 1/255.
	Factor float64 `json:"factor"`
	// Offset is added after the multiplication. Zero means none.
	Offset float64 `json:"offset"`
}

// Kind is "rescale".
func (s *Rescale) Kind() string { return "rescale" }

func (s *Rescale) factor() (float64, error) {
	f := s.Factor
	if f == 0 {
		f = 1.0 / 255
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.IsNaN(s.Offset) || math.IsInf(s.Offset, 0) {
		return 0, errors.Errorf("%s: factor %v and offset %v must be finite", s.Kind(), s.Factor, s.Offset)
	}
	return f, nil
}

// Fit checks that x is a float32 or float64 tensor [n, ...]; Rescale has
// nothing to learn.
func (s *Rescale) Fit(x *tensor.Dense) error {
	if _, err := s.factor(); err != nil {
		return err
	}
	_, err := fitMatrix(s.Kind(), x)
	return err
}

// Transform returns x·Factor + Offset.
func (s *Rescale) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	f, err := s.factor()
	if err != nil {
		return nil, err
	}
	m, err := readMatrix(x)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: transform", s.Kind())
	}
	for i, v := range m.data {
		m.data[i] = v*f + s.Offset
	}
	return m.dense(), nil
}
