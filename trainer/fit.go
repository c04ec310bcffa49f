package trainer

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/tensors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/optimizers"
)

// Data is a set of samples: features X, [n, in...], targets Y as the user
// gave them (what metrics read) and Target as the loss is fed (nil means Y;
// one-hot rows for sparse labels). All three have the model's dtype.
type Data struct {
	X, Y, Target *tensor.Dense
	// Weights, [n], weights each sample's loss in training; nil means
	// every sample counts alike. Fit sets it from FitConfig's SampleWeight
	// and ClassWeight.
	Weights *tensor.Dense
}

func (d Data) target() *tensor.Dense {
	if d.Target != nil {
		return d.Target
	}
	return d.Y
}

// Len is the number of samples.
func (d Data) Len() int { return tensors.Rows(d.X) }

func (d Data) check(what string) error {
	if d.X == nil || d.Y == nil {
		return errors.Errorf("%s: x and y are required", what)
	}
	n := tensors.Rows(d.X)
	if n == 0 {
		return errors.Errorf("%s: the dataset is empty", what)
	}
	if m := tensors.Rows(d.Y); m != n {
		return errors.Errorf("%s: x has %d rows but y has %d", what, n, m)
	}
	if m := tensors.Rows(d.target()); m != n {
		return errors.Errorf("%s: x has %d rows but the encoded targets have %d", what, n, m)
	}
	return nil
}

// rows returns a copy of rows [from, to) of d.
func (d Data) rows(from, to int) Data {
	cut := func(t *tensor.Dense) *tensor.Dense {
		if t == nil {
			return nil
		}
		shape := t.Shape().Clone()
		shape[0] = to - from
		out := tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(shape...))
		tensors.CopyRange(out, t, from, to)
		return out
	}
	out := Data{X: cut(d.X), Y: cut(d.Y), Weights: cut(d.Weights)}
	if d.Target != nil {
		out.Target = cut(d.Target)
	}
	return out
}

// FitConfig says how Fit trains. Its zero value trains one epoch in batches
// of 32, shuffled from seed 0, with no validation, showing progress on
// standard output.
type FitConfig struct {
	// Epochs is the number of passes over the data; zero means 1.
	Epochs int
	// BatchSize is the number of samples per step; zero means 32. The last
	// batch of an epoch may be smaller: it is trained, never dropped.
	BatchSize int
	// ValidationSplit, in (0, 1), holds out that fraction of the samples, the
	// last ones before shuffling as in Keras, to report val_ metrics each
	// epoch. Zero means none.
	ValidationSplit float64
	// ValidationData is scored after each epoch instead of a split; nil
	// means none.
	ValidationData *Data
	// NoShuffle keeps the sample order; false shuffles every epoch.
	NoShuffle bool
	// Seed drives the shuffling and the dropout masks; the same seed, data
	// and model give the same run bit for bit. Each epoch's order and each
	// batch's masks derive from (Seed, epoch, batch) alone, so a run resumed
	// from a checkpoint continues exactly as the uninterrupted one would.
	Seed int64
	// InitialEpoch is the epoch to start at, counting from 0, as Keras's
	// initial_epoch: training runs epochs InitialEpoch to Epochs-1. Zero
	// starts at the beginning.
	InitialEpoch int
	// InitialBatch skips the first InitialBatch batches of InitialEpoch, to
	// resume a run interrupted within an epoch. Zero skips none.
	InitialBatch int
	// Silent turns off the progress display.
	Silent bool
	// Progress receives the progress display; nil means standard output. On
	// a terminal it is a live bar; otherwise one line per epoch.
	Progress io.Writer
	// Callbacks are told of each event, after the progress display.
	Callbacks []Callback
	// SampleWeight, [n] or [n, 1], weights each training sample's loss, as
	// Keras's sample_weight: a batch's loss is sum(w_i * loss_i) / batch.
	// Nil means all 1. Weights must be finite and >= 0. The loss must be a
	// losses.SampleLoss; metrics and validation are not weighted.
	SampleWeight *tensor.Dense
	// ClassWeight maps a class id to the weight of its samples, as Keras's
	// class_weight (a class it leaves out weighs 1); the class of a sample
	// is its label for [n] or [n, 1] targets, the argmax of its row for
	// one-hot targets. It multiplies SampleWeight. Nil means none.
	ClassWeight map[int]float64
}

// Fit trains m with solver, reporting the loss and mets, and returns the
// history of every epoch run. When ctx is cancelled, training stops between
// batches and Fit returns the history so far with ctx's error.
func Fit(ctx context.Context, m Model, solver optimizers.Solver, mets []metrics.Metric, data Data, cfg FitConfig) (*History, error) {
	hist := newHistory()
	if err := data.check("fit"); err != nil {
		return hist, err
	}
	if cfg.Epochs < 0 {
		return hist, errors.Errorf("fit: epochs must be >= 0, got %d", cfg.Epochs)
	}
	if cfg.Epochs == 0 {
		cfg.Epochs = 1
	}
	if cfg.BatchSize < 0 {
		return hist, errors.Errorf("fit: batch size must be > 0, got %d", cfg.BatchSize)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 32
	}
	if cfg.InitialEpoch < 0 || cfg.InitialEpoch >= cfg.Epochs {
		return hist, errors.Errorf("fit: initial epoch must be in [0, %d), got %d", cfg.Epochs, cfg.InitialEpoch)
	}
	if s := cfg.ValidationSplit; s != 0 && (s <= 0 || s >= 1 || math.IsNaN(s)) {
		return hist, errors.Errorf("fit: validation split must be in (0, 1), got %v", s)
	}
	if solver == nil {
		return hist, errors.New("fit: no solver")
	}
	if cfg.SampleWeight != nil || cfg.ClassWeight != nil {
		w, err := sampleWeights(data, cfg.SampleWeight, cfg.ClassWeight)
		if err != nil {
			return hist, errors.Wrap(err, "fit")
		}
		data.Weights = w
	}
	train, val := data, cfg.ValidationData
	if cfg.ValidationSplit > 0 {
		n := data.Len()
		at := int(float64(n) * (1 - cfg.ValidationSplit))
		if at <= 0 || at >= n {
			return hist, errors.Errorf("fit: validation split %v of %d samples leaves an empty part", cfg.ValidationSplit, n)
		}
		train, val = data.rows(0, at), nil
		v := data.rows(at, n)
		v.Weights = nil
		val = &v
	}
	if val != nil {
		if err := val.check("fit: validation data"); err != nil {
			return hist, err
		}
	}

	callbacks := cfg.Callbacks
	if !cfg.Silent {
		w := cfg.Progress
		if w == nil {
			w = os.Stdout
		}
		callbacks = append([]Callback{NewProgress(w)}, callbacks...)
	}
	names := logNames(mets, val != nil)

	n := train.Len()
	batches, err := datasets.NewBatcher(n, cfg.BatchSize, !cfg.NoShuffle, cfg.Seed)
	if err != nil {
		return hist, errors.Wrap(err, "fit")
	}
	steps := batches.Steps()
	if cfg.InitialBatch < 0 || cfg.InitialBatch >= steps {
		return hist, errors.Errorf("fit: initial batch must be in [0, %d), got %d", steps, cfg.InitialBatch)
	}
	ev := &Event{Epochs: cfg.Epochs, Steps: steps, TotalSamples: n, Names: names, Model: m, Solver: solver}
	// notify tells every callback of the event; when one asks to stop, the
	// others still hear of it, then ErrStop is returned.
	notify := func(kind EventKind) error {
		ev.Kind = kind
		stop := false
		for _, c := range callbacks {
			if err := c.On(ev); errors.Is(err, ErrStop) {
				stop = true
			} else if err != nil {
				return err
			}
		}
		if stop {
			return ErrStop
		}
		return nil
	}
	// end ends training after a callback's error: a stop asked for is clean,
	// and the callbacks are told training ended.
	end := func(err error) error {
		if !errors.Is(err, ErrStop) {
			return err
		}
		return stopped(notify(TrainEnd))
	}
	if err := notify(TrainBegin); err != nil {
		return hist, end(err)
	}

	yBufs := map[int]*tensor.Dense{}
	used := graphSet{}
	defer used.release()
	var lossMean metrics.Mean
	for epoch := cfg.InitialEpoch; epoch < cfg.Epochs; epoch++ {
		first := 0
		if epoch == cfg.InitialEpoch {
			first = cfg.InitialBatch
		}
		lossMean.Reset()
		for _, m := range mets {
			m.Reset()
		}
		start := time.Now()
		*ev = Event{Epoch: epoch, Epochs: cfg.Epochs, Steps: steps, TotalSamples: n, Names: names, Samples: min(first*batches.Size(), n),
			Model: m, Solver: solver, Step: ev.Step}
		if err := notify(EpochBegin); err != nil {
			return hist, end(err)
		}
		for b, rows := range batches.Epoch(epoch, first) {
			if err := ctx.Err(); err != nil {
				return hist, &Interrupted{Epoch: epoch, Batch: b, Err: err}
			}
			ev.Batch = b
			if err := notify(BatchBegin); err != nil {
				return hist, end(err)
			}
			dropout := func() *rand.Rand { return rand.New(rand.NewSource(datasets.StreamSeed(cfg.Seed, epoch, b))) }
			loss, err := trainStep(m, solver, mets, train, rows, dropout, yBufs, used)
			if err != nil {
				return hist, errors.Wrapf(err, "fit: epoch %d, batch %d", epoch+1, b+1)
			}
			lossMean.Add(loss, float64(len(rows)))
			ev.Step++
			ev.Samples, ev.Elapsed = ev.Samples+len(rows), time.Since(start)
			ev.Logs = results(&lossMean, mets, "")
			if err := notify(BatchEnd); err != nil {
				return hist, end(err)
			}
		}
		logs := results(&lossMean, mets, "")
		if val != nil {
			vl, err := Evaluate(ctx, m, mets, *val, cfg.BatchSize)
			if err != nil {
				return hist, errors.Wrapf(err, "fit: epoch %d: validation", epoch+1)
			}
			for k, v := range vl {
				logs["val_"+k] = v
			}
		}
		hist.add(epoch, names, logs)
		ev.Logs, ev.Elapsed = logs, time.Since(start)
		if err := notify(EpochEnd); err != nil {
			return hist, end(err)
		}
	}
	return hist, stopped(notify(TrainEnd))
}

// trainStep runs one batch forward and backward and steps the solver; it
// returns the batch's mean loss.
func trainStep(m Model, solver optimizers.Solver, mets []metrics.Metric, d Data, rows []int, dropout func() *rand.Rand, yBufs map[int]*tensor.Dense, used graphSet) (float64, error) {
	mode := TrainMode
	if d.Weights != nil {
		mode = WeightedTrainMode
	}
	g, err := m.Graph(mode, len(rows))
	if err != nil {
		return 0, err
	}
	used[g] = true
	defer g.reset()
	tensors.CopyRows(g.InputValue, d.X, rows)
	tensors.CopyRows(g.TargetValue, d.target(), rows)
	if d.Weights != nil {
		tensors.CopyRows(g.WeightsValue, d.Weights, rows)
	}
	if len(g.Feeds) > 0 {
		rng := dropout()
		for _, f := range g.Feeds {
			f.Fill(rng, f.Value)
		}
	}
	if err := g.run(); err != nil {
		return 0, err
	}
	loss, err := tensors.Scalar(g.Loss.Value())
	if err != nil {
		return 0, errors.Wrap(err, "loss")
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, errors.Errorf("loss is %v", loss)
	}
	if len(mets) > 0 {
		if err := updateMetrics(g, mets, d, rows, yBufs, g.WeightsValue); err != nil {
			return loss, err
		}
	}
	for i, u := range g.Updates {
		v, ok := u.Node.Value().(*tensor.Dense)
		if !ok {
			return loss, errors.Errorf("update %d (%q): node has no dense value", i, u.Node.Name())
		}
		if err := u.Apply(v); err != nil {
			return loss, errors.Wrapf(err, "update %d (%q)", i, u.Node.Name())
		}
	}
	if err := solver.Step(g.grads); err != nil {
		return loss, errors.Wrap(err, "solver step")
	}
	if wm, ok := m.(Weighted); ok {
		if err := layers.ApplyConstraints(wm.Weights()); err != nil {
			return loss, errors.Wrap(err, "constraints")
		}
	}
	return loss, nil
}

// updateMetrics feeds the last run's output and the batch's targets, as the
// user gave them, to every metric; metrics that take sample weights get the
// batch's weights w too, when there are any.
func updateMetrics(g *Graph, mets []metrics.Metric, d Data, rows []int, yBufs map[int]*tensor.Dense, w *tensor.Dense) error {
	out, err := g.outputValue()
	if err != nil {
		return err
	}
	y := g.TargetValue
	if d.Target != nil {
		if y = yBufs[len(rows)]; y == nil {
			shape := d.Y.Shape().Clone()
			shape[0] = len(rows)
			y = tensor.New(tensor.Of(d.Y.Dtype()), tensor.WithShape(shape...))
			yBufs[len(rows)] = y
		}
		tensors.CopyRows(y, d.Y, rows)
	}
	for _, m := range mets {
		var err error
		if wu, ok := m.(metrics.WeightedUpdater); ok && w != nil {
			err = wu.UpdateWeighted(y, out, w)
		} else {
			err = m.Update(y, out)
		}
		if err != nil {
			return errors.Wrapf(err, "metric %s", m.Name())
		}
	}
	return nil
}

func logNames(mets []metrics.Metric, withVal bool) []string {
	names := []string{"loss"}
	for _, m := range mets {
		names = append(names, m.Name())
	}
	if withVal {
		for _, n := range names[:len(mets)+1] {
			names = append(names, "val_"+n)
		}
	}
	return names
}

func results(loss *metrics.Mean, mets []metrics.Metric, prefix string) Logs {
	logs := Logs{prefix + "loss": loss.Result()}
	for _, m := range mets {
		logs[prefix+m.Name()] = m.Result()
	}
	return logs
}

// Interrupted is the error Fit returns when its context is cancelled: it
// says where training stopped. Epoch and Batch (from 0) are the first batch
// not trained, which is where a resumed run starts (InitialEpoch,
// InitialBatch).
type Interrupted struct {
	Epoch, Batch int
	Err          error
}

func (e *Interrupted) Error() string {
	return fmt.Sprintf("fit: stopped before epoch %d, batch %d: %v", e.Epoch+1, e.Batch+1, e.Err)
}

// Unwrap returns the context's error.
func (e *Interrupted) Unwrap() error { return e.Err }

// stopped turns a callback's ErrStop into a clean stop.
func stopped(err error) error {
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}
