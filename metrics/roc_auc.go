package metrics

import "gorgonia.org/tensor"

// ROCAUC is the area under the receiver operating characteristic curve,
// computed exactly as sklearn's roc_auc_score: the trapezoidal area through
// every distinct threshold (equal to the probability that a random positive
// row scores above a random negative one, ties counting half). For
// [batch, k] predictions it scores each class one-vs-rest and averages as
// Average says (sklearn's multi_class="ovr"); AverageMicro pools every
// (row, class) pair into one curve, which is what Keras's AUC does with
// one-hot inputs. Keras's AUC approximates the curve with 200 thresholds;
// this one is exact.
//
// The area is undefined when a scored class is on every row or on none:
// Result is then 0 and Err says which class. It keeps every probability
// (see PRAUC for the memory), so Result costs a sort per class. Inputs are
// described on the package. Its zero value is ready to use. Name: "auc", as
// in Keras.
type ROCAUC struct {
	// Average folds the per-class areas into Result. Zero (AverageAuto)
	// means binary (class 1 against 0) for one-column predictions, macro
	// otherwise.
	Average Average
	// PosLabel is the positive class for AverageBinary. Nil means class 1.
	PosLabel *int
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int

	s     scores
	cache rankCache
}

var _ Checker = (*ROCAUC)(nil)

func (m *ROCAUC) config() rankConfig {
	return rankConfig{m.Name(), m.Average, m.PosLabel, m.Classes}
}

// Name is "auc".
func (*ROCAUC) Name() string { return "auc" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes), a target row that is not one-hot, or a bad configuration.
func (m *ROCAUC) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.config(), yTrue, yPred)
}

// Result is the averaged area since the last Reset; 0 when Err is not nil.
func (m *ROCAUC) Result() float64 { return resultOf(m.value()) }

// Err is nil when Result is defined, and says why it is not: no samples, or
// a class on every row or on none.
func (m *ROCAUC) Err() error { return errOf(m.value()) }

// PerClass is the one-vs-rest area of each class, [classes]; an error when
// any is undefined.
func (m *ROCAUC) PerClass() ([]float64, error) { return m.s.perClass(m.Name(), rocAUC) }

// Reset forgets every batch; the configuration is kept.
func (m *ROCAUC) Reset() { m.s.reset() }

func (m *ROCAUC) value() (float64, error) {
	c := m.config()
	return m.cache.get(&m.s, c, func() (float64, error) { return m.s.value(c, rocAUC) })
}

// PRAUC is the area under the precision-recall curve as sklearn's
// average_precision_score computes it: AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the
// distinct thresholds, precision weighted by each step in recall, with no
// interpolation. It is neither Keras's AUC(curve="PR"), which interpolates
// between 200 thresholds, nor the trapezoidal area of sklearn's
// auc(recall, precision), which overestimates. For [batch, k] predictions
// it scores each class one-vs-rest and averages as Average says. A class
// with no positive row scores 0 (sklearn 1.2).
//
// It keeps every row's class and probabilities, 8·(k + 1) bytes per row for
// k prediction columns (k = 1 for binary predictions): about 88 MB for a
// million rows of ten classes. Result costs a sort per class. Inputs are
// described on the package. Its zero value is ready to use. Name: "pr_auc".
type PRAUC struct {
	// Average folds the per-class values into Result. Zero (AverageAuto)
	// means binary (class 1 against 0) for one-column predictions, macro
	// otherwise.
	Average Average
	// PosLabel is the positive class for AverageBinary. Nil means class 1.
	PosLabel *int
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int

	s     scores
	cache rankCache
}

var _ Checker = (*PRAUC)(nil)

func (m *PRAUC) config() rankConfig {
	return rankConfig{m.Name(), m.Average, m.PosLabel, m.Classes}
}

// Name is "pr_auc".
func (*PRAUC) Name() string { return "pr_auc" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes), a target row that is not one-hot, or a bad configuration.
func (m *PRAUC) Update(yTrue, yPred *tensor.Dense) error { return m.s.update(m.config(), yTrue, yPred) }

// Result is the averaged average precision since the last Reset; 0 when Err
// is not nil.
func (m *PRAUC) Result() float64 { return resultOf(m.value()) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *PRAUC) Err() error { return errOf(m.value()) }

// PerClass is the one-vs-rest average precision of each class, [classes].
func (m *PRAUC) PerClass() ([]float64, error) { return m.s.perClass(m.Name(), averagePrecision) }

// Reset forgets every batch; the configuration is kept.
func (m *PRAUC) Reset() { m.s.reset() }

func (m *PRAUC) value() (float64, error) {
	c := m.config()
	return m.cache.get(&m.s, c, func() (float64, error) { return m.s.value(c, averagePrecision) })
}

// rankCache holds the last value of a ranking metric, so Result and Err
// after an epoch sort once.
type rankCache struct {
	ok       bool
	version  int
	average  Average
	posLabel int
	v        float64
	err      error
}

func (c *rankCache) get(s *scores, cfg rankConfig, compute func() (float64, error)) (float64, error) {
	pos := 1
	if cfg.posLabel != nil {
		pos = *cfg.posLabel
	}
	if !c.ok || c.version != s.version || c.average != cfg.average || c.posLabel != pos {
		v, err := compute()
		*c = rankCache{true, s.version, cfg.average, pos, v, err}
	}
	return c.v, c.err
}
