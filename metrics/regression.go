package metrics

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// regression is the state the regression metrics share, per output column:
// the number of rows, compensated sums of the squared, absolute and
// relative errors, and the mean and the sum of squared deviations of the
// targets and of the residuals (merged batch by batch with Chan's
// formulas, so any split of the rows gives the same numbers to rounding).
//
// yTrue and yPred are [batch] or [batch, k] values of the same shape
// ([batch] and [batch, 1] are the same); every batch must have the same k.
// Each metric is computed per output column and, as sklearn's
// multioutput="uniform_average", averaged over the columns.
type regression struct {
	cols   int
	n      int
	sqErr  []ksum
	absErr []ksum
	relErr []ksum
	y, r   []moments // targets and residuals yTrue − yPred
}

// moments is a running mean and sum of squared deviations.
type moments struct {
	n, mean, m2 float64
}

// merge adds a batch of n values with mean and m2 (Chan et al.).
func (a *moments) merge(n, mean, m2 float64) {
	if n == 0 {
		return
	}
	total := a.n + n
	delta := mean - a.mean
	a.mean += delta * n / total
	a.m2 += m2 + delta*delta*a.n*n/total
	a.n = total
}

// mapeEps is sklearn's floor under |yTrue| in the percentage error: the
// float64 machine epsilon.
const mapeEps = 0x1p-52

func (s *regression) update(name string, yTrue, yPred *tensor.Dense) error {
	return errors.Wrap(s.add(yTrue, yPred), name)
}

func (s *regression) add(yTrue, yPred *tensor.Dense) error {
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return err
	}
	if t.cols != p.cols {
		return errors.Errorf("yTrue shape %v and yPred shape %v: regression metrics need targets of the predictions' shape", yTrue.Shape(), yPred.Shape())
	}
	for i := 0; i < t.rows; i++ {
		for j := 0; j < t.cols; j++ {
			if v := t.at(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return errors.Errorf("yTrue row %d column %d is %v", i, j, v)
			}
			if v := p.at(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return errors.Errorf("yPred row %d column %d is %v", i, j, v)
			}
		}
	}
	if t.rows == 0 {
		return nil
	}
	if s.cols != 0 && s.cols != t.cols {
		return errors.Errorf("yPred has %d columns, earlier batches had %d", t.cols, s.cols)
	}
	if s.cols == 0 {
		k := t.cols
		*s = regression{cols: k, sqErr: make([]ksum, k), absErr: make([]ksum, k), relErr: make([]ksum, k),
			y: make([]moments, k), r: make([]moments, k)}
	}
	nb := float64(t.rows)
	for j := 0; j < t.cols; j++ {
		var sumY, sumR float64
		for i := 0; i < t.rows; i++ {
			y, yp := t.at(i, j), p.at(i, j)
			d := y - yp
			s.sqErr[j].add(d * d)
			s.absErr[j].add(math.Abs(d))
			s.relErr[j].add(math.Abs(yp-y) / math.Max(math.Abs(y), mapeEps))
			sumY += y
			sumR += d
		}
		meanY, meanR := sumY/nb, sumR/nb
		var m2Y, m2R float64
		for i := 0; i < t.rows; i++ {
			y := t.at(i, j)
			dy, dr := y-meanY, (y-p.at(i, j))-meanR
			m2Y += dy * dy
			m2R += dr * dr
		}
		s.y[j].merge(nb, meanY, m2Y)
		s.r[j].merge(nb, meanR, m2R)
	}
	s.n += t.rows
	return nil
}

func (s *regression) reset() { *s = regression{} }

// perOutput applies f to each column, or says there are no samples.
func (s *regression) perOutput(name string, f func(j int) float64) ([]float64, error) {
	if s.n == 0 {
		return nil, errNoSamples(name)
	}
	out := make([]float64, s.cols)
	for j := range out {
		out[j] = f(j)
	}
	return out, nil
}

// average is the mean of perOutput.
func (s *regression) average(name string, f func(j int) float64) (float64, error) {
	v, err := s.perOutput(name, f)
	return mean(v), err
}

// forceFinite is 1 − num/den as sklearn's r2_score and
// explained_variance_score compute it with force_finite=True: 1 when num is
// 0 (perfect predictions, even of a constant target) and 0 when only den is
// 0 (a constant target predicted imperfectly).
func forceFinite(num, den float64) float64 {
	switch {
	case num == 0:
		return 1
	case den == 0:
		return 0
	}
	return 1 - num/den
}
