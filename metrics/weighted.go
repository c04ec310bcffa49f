package metrics

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// SampleScorer is a metric that is the mean of a score per sample, so that
// samples can be weighted: the accuracies.
type SampleScorer interface {
	Metric
	// Scores returns each row's score.
	Scores(yTrue, yPred *tensor.Dense) ([]float64, error)
}

// WeightedUpdater is implemented by metrics that take sample weights; the
// trainer calls it when Fit is given sample or class weights.
type WeightedUpdater interface {
	UpdateWeighted(yTrue, yPred, weights *tensor.Dense) error
}

// Weighted averages a SampleScorer's per-sample scores with the samples'
// weights, sum(w*s)/sum(w), as Keras's weighted_metrics do. Without weights
// each sample weighs 1, and it equals the metric it wraps. Its name is
// "weighted_" and Of's name, so both can be logged.
type Weighted struct {
	Of SampleScorer

	sum, weight float64
}

var (
	_ Metric          = (*Weighted)(nil)
	_ WeightedUpdater = (*Weighted)(nil)
)

// Name is "weighted_" + Of.Name().
func (m *Weighted) Name() string {
	if m.Of == nil {
		return "weighted"
	}
	return "weighted_" + m.Of.Name()
}

// Update adds a batch whose samples weigh 1.
func (m *Weighted) Update(yTrue, yPred *tensor.Dense) error {
	return m.UpdateWeighted(yTrue, yPred, nil)
}

// UpdateWeighted adds a batch with weights, [batch] (nil means all 1).
func (m *Weighted) UpdateWeighted(yTrue, yPred, weights *tensor.Dense) error {
	if m.Of == nil {
		return errors.New("weighted: no metric to weigh (Of is nil)")
	}
	s, err := m.Of.Scores(yTrue, yPred)
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	var w matrix
	if weights != nil {
		if w, err = asMatrix(weights, "weights"); err != nil {
			return errors.Wrap(err, m.Name())
		}
		if w.rows*w.cols != len(s) {
			return errors.Errorf("%s: %d weights for %d samples", m.Name(), w.rows*w.cols, len(s))
		}
	}
	sum, weight := 0.0, 0.0
	for i, v := range s {
		wi := 1.0
		if weights != nil {
			wi = w.at(i/w.cols, i%w.cols)
			if math.IsNaN(wi) || math.IsInf(wi, 0) || wi < 0 {
				return errors.Errorf("%s: weight %v at row %d: weights must be finite and >= 0", m.Name(), wi, i)
			}
		}
		sum += wi * v
		weight += wi
	}
	m.sum += sum
	m.weight += weight
	return nil
}

// Result is the weighted mean score; 0 when nothing weighed anything.
func (m *Weighted) Result() float64 {
	if m.weight == 0 {
		return 0
	}
	return m.sum / m.weight
}

// Reset forgets every batch.
func (m *Weighted) Reset() { m.sum, m.weight = 0, 0 }

// Scores is 1 or 0 per row: right or not (binary targets with several
// columns score the fraction of right columns).
func (m *Accuracy) Scores(yTrue, yPred *tensor.Dense) ([]float64, error) {
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return nil, errors.Wrap(err, m.Name())
	}
	switch {
	case p.cols == 1:
		return hitScores(binaryHits(yTrue, yPred, 0.5))
	case t.cols == 1:
		return hitScores(sparseHits(yTrue, yPred))
	}
	return hitScores(categoricalHits(yTrue, yPred))
}

// Scores is the fraction of each row's columns that are right.
func (m *BinaryAccuracy) Scores(yTrue, yPred *tensor.Dense) ([]float64, error) {
	th := m.Threshold
	if th == 0 {
		th = 0.5
	}
	return hitScores(binaryHits(yTrue, yPred, th))
}

// Scores is 1 or 0 per row: right or not.
func (m *CategoricalAccuracy) Scores(yTrue, yPred *tensor.Dense) ([]float64, error) {
	return hitScores(categoricalHits(yTrue, yPred))
}

// Scores is 1 or 0 per row: right or not.
func (m *SparseCategoricalAccuracy) Scores(yTrue, yPred *tensor.Dense) ([]float64, error) {
	return hitScores(sparseHits(yTrue, yPred))
}

var (
	_ SampleScorer = (*Accuracy)(nil)
	_ SampleScorer = (*BinaryAccuracy)(nil)
	_ SampleScorer = (*CategoricalAccuracy)(nil)
	_ SampleScorer = (*SparseCategoricalAccuracy)(nil)
)
