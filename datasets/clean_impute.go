package datasets

import (
	"fmt"
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ImputeStrategy says what value SimpleImputer puts in place of a missing
// one.
type ImputeStrategy uint8

const (
	// ImputeMean fills a feature with its training mean (the zero value).
	ImputeMean ImputeStrategy = iota
	// ImputeMedian fills a feature with its training median.
	ImputeMedian
	// ImputeMostFrequent fills a feature with its most frequent training
	// value, the smallest one on a tie (as scikit-learn does).
	ImputeMostFrequent
	// ImputeConstant fills every feature with SimpleImputer.Value.
	ImputeConstant
)

var imputeNames = [...]string{"mean", "median", "most_frequent", "constant"}

// String is "mean", "median", "most_frequent" or "constant".
func (s ImputeStrategy) String() string {
	if int(s) < len(imputeNames) {
		return imputeNames[s]
	}
	return fmt.Sprintf("ImputeStrategy(%d)", uint8(s))
}

// MarshalText writes the strategy's String.
func (s ImputeStrategy) MarshalText() ([]byte, error) {
	if int(s) >= len(imputeNames) {
		return nil, errors.Errorf("impute strategy: unknown strategy %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a strategy's String.
func (s *ImputeStrategy) UnmarshalText(b []byte) error {
	for i, n := range imputeNames {
		if string(b) == n {
			*s = ImputeStrategy(i)
			return nil
		}
	}
	return errors.Errorf("impute strategy: %q is not one of %s", b, quoteList(imputeNames[:]))
}

// SimpleImputer fills missing values, NaN, in a feature tensor [n, ...] with
// a per-feature statistic of the training rows, as scikit-learn's
// SimpleImputer does. It works on the feature matrix that Table.ToDataset
// makes, after the split, so that it is fitted on the training rows only:
// there a missing numeric cell is NaN, and a missing categorical cell is NaN
// in each of its one-hot features (or its ordinal code). ImputeMean then
// fills a one-hot block with the training frequency of each category,
// ImputeMostFrequent with the values of the most frequent category when one
// holds most rows, and ImputeConstant with 0 encodes missing as "no
// category". To make missing a category of its own instead, use
// Table.FillMissing before ToDataset. The zero value imputes means.
type SimpleImputer struct {
	// Strategy picks the statistic. Zero means ImputeMean.
	Strategy ImputeStrategy `json:"strategy"`
	// Value is the fill of ImputeConstant; it must be finite. Zero means 0.
	Value float64 `json:"value"`
	// Features is the fitted shape of one row. Set by Fit.
	Features []int `json:"features"`
	// Statistics holds each feature's fill value. Set by Fit; nil before.
	Statistics []float64 `json:"statistics"`
}

// Kind is "simple_imputer".
func (s *SimpleImputer) Kind() string { return "simple_imputer" }

// Fit learns each feature's fill value from the non-NaN values of x,
// [n, ...]. A feature whose every value is NaN is an error unless the
// strategy is ImputeConstant: there is nothing to compute its fill from.
func (s *SimpleImputer) Fit(x *tensor.Dense) error {
	if int(s.Strategy) >= len(imputeNames) {
		return errors.Errorf("%s: unknown strategy %d", s.Kind(), uint8(s.Strategy))
	}
	if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
		return errors.Errorf("%s: constant value must be finite, got %v", s.Kind(), s.Value)
	}
	m, err := fitMatrix(s.Kind(), x)
	if err != nil {
		return err
	}
	stats := make([]float64, m.size)
	col := make([]float64, 0, m.n)
	for j := range stats {
		if s.Strategy == ImputeConstant {
			stats[j] = s.Value
			continue
		}
		col = col[:0]
		for i := 0; i < m.n; i++ {
			if v := m.data[i*m.size+j]; !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		if len(col) == 0 {
			return errors.Errorf("%s: fit: feature %d has no values to take the %v of: all %d rows are NaN (drop the column, or use ImputeConstant)", s.Kind(), j, s.Strategy, m.n)
		}
		switch s.Strategy {
		case ImputeMean:
			sum := 0.0
			for _, v := range col {
				sum += v
			}
			stats[j] = sum / float64(len(col))
		case ImputeMedian:
			sort.Float64s(col)
			k := len(col)
			stats[j] = col[k/2]
			if k%2 == 0 {
				stats[j] = (col[k/2-1] + col[k/2]) / 2
			}
		case ImputeMostFrequent:
			sort.Float64s(col)
			best, bestN := col[0], 0
			for a := 0; a < len(col); {
				b := a
				for b < len(col) && col[b] == col[a] {
					b++
				}
				if b-a > bestN {
					best, bestN = col[a], b-a
				}
				a = b
			}
			stats[j] = best
		}
		if math.IsInf(stats[j], 0) {
			return errors.Errorf("%s: fit: feature %d: %v %v is not finite", s.Kind(), j, s.Strategy, stats[j])
		}
	}
	s.Features, s.Statistics = m.features(), stats
	return nil
}

// Transform returns x with each NaN replaced by its feature's fill value.
func (s *SimpleImputer) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	m, err := transformMatrix(s.Kind(), x, s.Statistics != nil, s.Features)
	if err != nil {
		return nil, err
	}
	if err := checkFitted(s.Kind(), s.Features, s.Statistics); err != nil {
		return nil, err
	}
	for i, v := range m.data {
		if math.IsNaN(v) {
			m.data[i] = s.Statistics[i%m.size]
		}
	}
	return m.dense(), nil
}
