package trainer

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/tensors"
	"github.com/profundo/profundo/metrics"
)

// Data is a set of samples, one tensor per input and per output, in the
// model's order: features X, each [n, in_i...], targets Y as the user gave
// them (what metrics read) and Target as the losses are fed (nil, or a nil
// entry, means Y's; one-hot rows for sparse labels). All have the model's
// dtype. A model of one input and one output has one tensor in each: XY
// makes that Data.
type Data struct {
	X, Y, Target []*tensor.Dense
	// Weights, [n], weights each sample's loss in training; nil means
	// every sample counts alike. Fit sets it from FitConfig's SampleWeight
	// and ClassWeight.
	Weights *tensor.Dense
}

// XY returns the Data of one input x and, when y is not nil, one output's
// targets y: the one-tensor case of ValidationData and FitSteps.
func XY(x, y *tensor.Dense) *Data {
	d := &Data{X: []*tensor.Dense{x}}
	if y != nil {
		d.Y = []*tensor.Dense{y}
	}
	return d
}

// targets lists the targets as fed, the first output's first.
func (d Data) targets() []*tensor.Dense {
	out := make([]*tensor.Dense, len(d.Y))
	for i, y := range d.Y {
		if i < len(d.Target) && d.Target[i] != nil {
			y = d.Target[i]
		}
		out[i] = y
	}
	return out
}

// Len is the number of samples.
func (d Data) Len() int {
	if len(d.X) == 0 || d.X[0] == nil {
		return 0
	}
	return tensors.Rows(d.X[0])
}

func (d Data) check(what string) error {
	if len(d.X) == 0 || len(d.Y) == 0 {
		return errors.Errorf("%s: x and y are required", what)
	}
	for i, x := range d.X {
		if x == nil {
			return errors.Errorf("%s: input %d is nil", what, i)
		}
	}
	n := tensors.Rows(d.X[0])
	if n == 0 {
		return errors.Errorf("%s: the dataset is empty", what)
	}
	for i, x := range d.X {
		if m := tensors.Rows(x); m != n {
			return errors.Errorf("%s: input 0 has %d rows but input %d has %d", what, n, i, m)
		}
	}
	if len(d.Target) > len(d.Y) {
		return errors.Errorf("%s: %d encoded targets for %d outputs", what, len(d.Target), len(d.Y))
	}
	for i, y := range d.Y {
		if y == nil {
			return errors.Errorf("%s: the targets of output %d are nil", what, i)
		}
		if m := tensors.Rows(y); m != n {
			return errors.Errorf("%s: x has %d rows but the targets of output %d have %d", what, n, i, m)
		}
	}
	for i, t := range d.targets() {
		if m := tensors.Rows(t); m != n {
			return errors.Errorf("%s: x has %d rows but the encoded targets of output %d have %d", what, n, i, m)
		}
	}
	return nil
}

// rows returns a copy of rows [from, to) of d.
func (d Data) rows(from, to int) Data {
	idx := make([]int, to-from)
	for i := range idx {
		idx[i] = from + i
	}
	return d.gather(idx, map[int]*Data{})
}

// gather returns the given rows of d, in order, in tensors kept in buf for
// the next batch of the same size.
func (d Data) gather(rows []int, buf map[int]*Data) Data {
	b := buf[len(rows)]
	if b == nil {
		like := func(t *tensor.Dense) *tensor.Dense {
			if t == nil {
				return nil
			}
			shape := t.Shape().Clone()
			shape[0] = len(rows)
			return tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(shape...))
		}
		likeAll := func(ts []*tensor.Dense) []*tensor.Dense {
			if ts == nil {
				return nil
			}
			out := make([]*tensor.Dense, len(ts))
			for i, t := range ts {
				out[i] = like(t)
			}
			return out
		}
		b = &Data{X: likeAll(d.X), Y: likeAll(d.Y), Target: likeAll(d.Target), Weights: like(d.Weights)}
		buf[len(rows)] = b
	}
	copyIn := func(dst, src *tensor.Dense) {
		if src != nil {
			tensors.CopyRows(dst, src, rows)
		}
	}
	for i := range d.X {
		copyIn(b.X[i], d.X[i])
	}
	for i := range d.Y {
		copyIn(b.Y[i], d.Y[i])
	}
	for i := range d.Target {
		copyIn(b.Target[i], d.Target[i])
	}
	copyIn(b.Weights, d.Weights)
	return *b
}

// feed copies the given rows of d into g's inputs (and targets, and sample
// weights, when the graph has them). It is an error for the data to have
// another number of inputs or outputs than the graph.
func (g *Graph) feed(d Data, rows []int) error {
	ins, xs := g.InputValues, d.X
	if len(xs) != len(ins) {
		return errors.Errorf("the model takes %d inputs, the data has %d", len(ins), len(xs))
	}
	for i, v := range ins {
		tensors.CopyRows(v, xs[i], rows)
	}
	if len(g.Targets) == 0 {
		return nil
	}
	tvs, ts := g.TargetValues, d.targets()
	if len(ts) != len(tvs) {
		return errors.Errorf("the model has %d outputs, the data has targets for %d", len(tvs), len(ts))
	}
	for i, v := range tvs {
		tensors.CopyRows(v, ts[i], rows)
	}
	if g.WeightsValue != nil && d.Weights != nil {
		return fillWeights(g.WeightsValue, d.Weights, rows)
	}
	return nil
}

// fillFeeds fills the graph's feeds (dropout masks, sampling noise) from
// rng.
func (g *Graph) fillFeeds(rng func() *rand.Rand) {
	if len(g.Feeds) == 0 {
		return
	}
	r := rng()
	for _, f := range g.Feeds {
		f.Fill(r, f.Value)
	}
}

// inferenceStream is the noise of an evaluation or prediction graph's feeds
// (a sampling layer's): a fixed stream per batch, so that scoring the same
// data twice gives the same numbers.
func inferenceStream(batch int) func() *rand.Rand {
	return func() *rand.Rand { return rand.New(rand.NewSource(datasets.StreamSeed(0, -1, batch))) }
}

// OutputMetric is a metric that scores one output of a model of several;
// the trainer feeds it that output and its targets. Other metrics score the
// first output.
type OutputMetric interface {
	metrics.Metric
	// Output is the index of the output scored, from 0.
	Output() int
}

// OnOutput returns m scoring output i (from 0) of a model of several
// outputs, named "<output>_<metric>" as Keras names them:
// OnOutput(metrics.Accuracy{}, 1, "label") logs "label_accuracy".
func OnOutput(m metrics.Metric, i int, output string) OutputMetric {
	return &outputMetric{Metric: m, out: i, name: output + "_" + m.Name()}
}

type outputMetric struct {
	metrics.Metric
	out  int
	name string
}

func (m *outputMetric) Name() string { return m.name }
func (m *outputMetric) Output() int  { return m.out }

// UpdateWeighted passes sample weights on when the metric takes them.
func (m *outputMetric) UpdateWeighted(y, pred, w *tensor.Dense) error {
	if wu, ok := m.Metric.(metrics.WeightedUpdater); ok {
		return wu.UpdateWeighted(y, pred, w)
	}
	return m.Metric.Update(y, pred)
}

// OutputLossNamer is a Model of several outputs that logs each output's
// loss next to the total: its graphs' OutputLosses, under these names
// ("label_loss"), in order.
type OutputLossNamer interface {
	OutputLossNames() []string
}

func outputLossNames(m Model) []string {
	if n, ok := m.(OutputLossNamer); ok {
		return n.OutputLossNames()
	}
	return nil
}

// scores accumulates a run's loss, each output's loss and the metrics over
// batches.
type scores struct {
	loss     metrics.Mean
	outNames []string
	outLoss  []metrics.Mean
	mets     []metrics.Metric
	yBufs    map[[2]int]*tensor.Dense
}

func newScores(m Model, mets []metrics.Metric) *scores {
	names := outputLossNames(m)
	return &scores{outNames: names, outLoss: make([]metrics.Mean, len(names)), mets: mets, yBufs: map[[2]int]*tensor.Dense{}}
}

func (s *scores) reset() {
	s.loss.Reset()
	for i := range s.outLoss {
		s.outLoss[i].Reset()
	}
	for _, m := range s.mets {
		m.Reset()
	}
}

// names lists the keys of the logs, in display order.
func (s *scores) names() []string {
	names := append([]string{"loss"}, s.outNames...)
	for _, m := range s.mets {
		names = append(names, m.Name())
	}
	return names
}

// add reads the loss, the output losses and the metrics of g's last run on
// rows of d; w, when not nil, are the batch's sample weights. It returns the
// batch's loss.
func (s *scores) add(g *Graph, d Data, rows []int, w *tensor.Dense) (float64, error) {
	loss, err := tensors.Scalar(g.Loss.Value())
	if err != nil {
		return 0, errors.Wrap(err, "loss")
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, errors.Errorf("loss is %v", loss)
	}
	if len(g.OutputLosses) != len(s.outNames) {
		return loss, errors.Errorf("the graph has %d output losses, the model names %d", len(g.OutputLosses), len(s.outNames))
	}
	n := float64(len(rows))
	for i, o := range g.OutputLosses {
		v, err := tensors.Scalar(o.Value())
		if err != nil {
			return loss, errors.Wrapf(err, "%s", s.outNames[i])
		}
		s.outLoss[i].Add(v, n)
	}
	s.loss.Add(loss, n)
	for _, m := range s.mets {
		i := 0
		if om, ok := m.(OutputMetric); ok {
			i = om.Output()
		}
		out, err := g.outputValue(i)
		if err != nil {
			return loss, errors.Wrapf(err, "metric %s", m.Name())
		}
		y, err := s.targets(g, d, rows, i)
		if err != nil {
			return loss, errors.Wrapf(err, "metric %s", m.Name())
		}
		w := w
		if i < len(g.OutputMasks) && g.OutputMasks[i] != nil {
			mask, ok := g.OutputMasks[i].Value().(*tensor.Dense)
			if !ok {
				return loss, errors.Errorf("metric %s: the mask of output %d is %T, not a dense tensor", m.Name(), i, g.OutputMasks[i].Value())
			}
			var kept int
			if y, out, w, kept, err = maskedSteps(mask, y, out, w); err != nil {
				return loss, errors.Wrapf(err, "metric %s", m.Name())
			}
			if kept == 0 {
				continue // every step masked: nothing to score
			}
		}
		if wu, ok := m.(metrics.WeightedUpdater); ok && w != nil {
			err = wu.UpdateWeighted(y, out, w)
		} else {
			err = m.Update(y, out)
		}
		if err != nil {
			return loss, errors.Wrapf(err, "metric %s", m.Name())
		}
	}
	return loss, nil
}

// targets returns output i's targets for rows, as the user gave them: the
// graph's target tensor when the loss is fed them unchanged, else a copy.
func (s *scores) targets(g *Graph, d Data, rows []int, i int) (*tensor.Dense, error) {
	ys, ts, tvs := d.Y, d.targets(), g.TargetValues
	if i >= len(ys) || i >= len(tvs) {
		return nil, errors.Errorf("no targets for output %d", i)
	}
	if ys[i] == ts[i] {
		return tvs[i], nil
	}
	k := [2]int{i, len(rows)}
	y := s.yBufs[k]
	if y == nil {
		shape := ys[i].Shape().Clone()
		shape[0] = len(rows)
		y = tensor.New(tensor.Of(ys[i].Dtype()), tensor.WithShape(shape...))
		s.yBufs[k] = y
	}
	tensors.CopyRows(y, ys[i], rows)
	return y, nil
}

// logs returns the running results, each name prefixed.
func (s *scores) logs(prefix string) Logs {
	logs := Logs{prefix + "loss": s.loss.Result()}
	for i, n := range s.outNames {
		logs[prefix+n] = s.outLoss[i].Result()
	}
	for _, m := range s.mets {
		logs[prefix+m.Name()] = m.Result()
	}
	return logs
}
