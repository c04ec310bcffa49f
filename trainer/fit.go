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
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/optimizers"
)

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
	// ValidationData is scored after each epoch instead of a split, one
	// tensor per input and output (XY makes the Data of one of each); nil
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
	// losses.SampleLoss; metrics and validation are not weighted. For a
	// model whose output is a sequence [n, steps, ...], [n, steps] weights
	// each step (Keras's temporal sample weights).
	SampleWeight *tensor.Dense
	// Comm, when set, trains data-parallel, one process per rank (run
	// under mpirun; see package distributed): rank 0's initial weights go
	// to every rank, each rank trains on its shard of every global batch
	// of BatchSize samples, the gradients are averaged over the ranks
	// before each solver step (one fused buffer, summed in pieces of
	// FusedPieceBytes), so the ranks' weights stay identical (checked
	// every 100 steps and at each epoch's end against a hash of rank 0's).
	// The logs are reduced over the ranks; only rank 0 shows progress, and
	// callbacks that write files do so on rank 0 alone (Event.Rank). The
	// ranks must run the same program on the same data with the same
	// seed. Nil means one process.
	Comm Communicator
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
	if cfg.Comm != nil {
		return fitDataParallel(ctx, m, solver, mets, data, cfg, hist)
	}
	sc := newScores(m, mets)
	used := graphSet{}
	defer used.release()
	r := &loopRun{
		names: sc.names(),
		begin: sc.reset,
		step: func(_, _ int, d Data, rows []int, rng func() *rand.Rand) error {
			_, err := trainStep(m, solver, sc, d, rows, rng, used)
			return err
		},
		logs: func() Logs { return sc.logs("") },
		validate: func(ctx context.Context, v Data) (Logs, error) {
			return Evaluate(ctx, m, mets, v, cfg.BatchSize)
		},
		model:  m,
		solver: solver,
	}
	return runLoop(ctx, r, data, cfg, hist)
}

// loopRun is what one kind of training (Fit's, a Stepper's) plugs into the
// loop they share.
type loopRun struct {
	names    []string                                                                // training logs, in display order
	begin    func()                                                                  // at each epoch's start
	step     func(epoch, batch int, d Data, rows []int, rng func() *rand.Rand) error // one batch
	logs     func() Logs                                                             // the epoch's running results
	validate func(ctx context.Context, v Data) (Logs, error)                         // nil: cannot validate
	endEpoch func(logs Logs) (Logs, error)                                           // nil: the logs as they are
	model    any
	solver   optimizers.Solver
	rank     int // this process's rank in data-parallel training
}

// runLoop runs the epochs and batches of cfg over data: shuffling,
// validation, callbacks and the progress display.
func runLoop(ctx context.Context, r *loopRun, data Data, cfg FitConfig, hist *History) (*History, error) {
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
		if r.validate == nil {
			return hist, errors.New("fit: validation data given, but the training step cannot validate (it is no trainer.Validator)")
		}
		if err := val.check("fit: validation data"); err != nil {
			return hist, err
		}
	}

	callbacks := cfg.Callbacks
	if !cfg.Silent && r.rank == 0 {
		w := cfg.Progress
		if w == nil {
			w = os.Stdout
		}
		callbacks = append([]Callback{NewProgress(w)}, callbacks...)
	}
	names := append([]string(nil), r.names...)
	if val != nil {
		for _, n := range r.names {
			names = append(names, "val_"+n)
		}
	}

	n := train.Len()
	batches, err := datasets.NewBatcher(n, cfg.BatchSize, !cfg.NoShuffle, cfg.Seed)
	if err != nil {
		return hist, errors.Wrap(err, "fit")
	}
	steps := batches.Steps()
	if cfg.InitialBatch < 0 || cfg.InitialBatch >= steps {
		return hist, errors.Errorf("fit: initial batch must be in [0, %d), got %d", steps, cfg.InitialBatch)
	}
	ev := &Event{Epochs: cfg.Epochs, Steps: steps, TotalSamples: n, Names: names, Model: r.model, Solver: r.solver, Rank: r.rank}
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
	// finalize lets the solver set the weights training ends with (the
	// moving averages of optimizers.Options.UseEMA), as Keras's fit calls
	// finalize_variable_values, before the callbacks hear of the end.
	finalize := func() error {
		if f, ok := r.solver.(optimizers.Finalizer); ok {
			if err := f.FinalizeWeights(); err != nil {
				return errors.Wrap(err, "fit: finalize the weights")
			}
		}
		return nil
	}
	// end ends training after a callback's error: a stop asked for is clean,
	// and the callbacks are told training ended.
	end := func(err error) error {
		if !errors.Is(err, ErrStop) {
			return err
		}
		if err := finalize(); err != nil {
			return err
		}
		return stopped(notify(TrainEnd))
	}
	if err := notify(TrainBegin); err != nil {
		return hist, end(err)
	}

	for epoch := cfg.InitialEpoch; epoch < cfg.Epochs; epoch++ {
		first := 0
		if epoch == cfg.InitialEpoch {
			first = cfg.InitialBatch
		}
		r.begin()
		start := time.Now()
		*ev = Event{Epoch: epoch, Epochs: cfg.Epochs, Steps: steps, TotalSamples: n, Names: names, Samples: min(first*batches.Size(), n),
			Model: r.model, Solver: r.solver, Step: ev.Step, Rank: r.rank}
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
			stream := func() *rand.Rand { return rand.New(rand.NewSource(datasets.StreamSeed(cfg.Seed, epoch, b))) }
			if err := r.step(epoch, b, train, rows, stream); err != nil {
				return hist, errors.Wrapf(err, "fit: epoch %d, batch %d", epoch+1, b+1)
			}
			ev.Step++
			ev.Samples, ev.Elapsed = ev.Samples+len(rows), time.Since(start)
			ev.Logs = r.logs()
			if err := notify(BatchEnd); err != nil {
				return hist, end(err)
			}
		}
		logs := r.logs()
		if r.endEpoch != nil {
			var err error
			if logs, err = r.endEpoch(logs); err != nil {
				return hist, errors.Wrapf(err, "fit: epoch %d", epoch+1)
			}
		}
		if val != nil {
			vl, err := r.validate(ctx, *val)
			if cerr := ctx.Err(); err != nil && cerr != nil {
				// Stopped while validating: the epoch is trained, and a
				// resumed run starts with the next one.
				return hist, &Interrupted{Epoch: epoch + 1, Err: cerr}
			}
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
	if err := finalize(); err != nil {
		return hist, err
	}
	return hist, stopped(notify(TrainEnd))
}

// trainStep runs one batch, rows of d, forward and backward and steps the
// solver; it adds the batch's results to sc and returns its mean loss.
func trainStep(m Model, solver optimizers.Solver, sc *scores, d Data, rows []int, stream func() *rand.Rand, used graphSet) (float64, error) {
	return trainStepWith(m, solver, sc, d, rows, stream, used, nil)
}

// trainStepWith is trainStep with reduce, when not nil, called on the
// graph between the backward run and the solver step.
func trainStepWith(m Model, solver optimizers.Solver, sc *scores, d Data, rows []int, stream func() *rand.Rand, used graphSet, reduce func(g *Graph) error) (float64, error) {
	mode := TrainMode
	if d.Weights != nil {
		mode = WeightedTrainMode
	}
	g, err := graphFor(m, mode, len(rows), d)
	if err != nil {
		return 0, err
	}
	used[g] = true
	defer g.reset()
	if err := g.feed(d, rows); err != nil {
		return 0, err
	}
	g.fillFeeds(stream)
	if err := g.run(); err != nil {
		return 0, err
	}
	loss, err := sc.add(g, d, rows, g.WeightsValue)
	if err != nil {
		return loss, err
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
	if reduce != nil {
		if err := reduce(g); err != nil {
			return loss, err
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

// TrainOnBatch trains m on all of data as one batch, as Keras's
// train_on_batch: one forward and backward run and one solver step. It
// returns the batch's logs: the loss, each output's loss and mets on this
// batch alone. stream gives the random numbers of the graph's feeds
// (dropout masks, sampling noise); nil means a stream seeded by 0. It is
// the building block of a Stepper's TrainStep.
func TrainOnBatch(m Model, solver optimizers.Solver, mets []metrics.Metric, data Data, stream *rand.Rand) (Logs, error) {
	if err := data.check("train on batch"); err != nil {
		return nil, err
	}
	if solver == nil {
		return nil, errors.New("train on batch: no solver")
	}
	if stream == nil {
		stream = rand.New(rand.NewSource(0))
	}
	sc := newScores(m, mets)
	sc.reset()
	rows := make([]int, data.Len())
	for i := range rows {
		rows[i] = i
	}
	used := graphSet{}
	defer used.release()
	if _, err := trainStep(m, solver, sc, data, rows, func() *rand.Rand { return stream }, used); err != nil {
		return nil, errors.Wrap(err, "train on batch")
	}
	return sc.logs(""), nil
}

// Interrupted is the error Fit returns when its context is cancelled: it
// says where training stopped. Epoch and Batch (from 0) are the first batch
// not trained, which is where a resumed run starts (InitialEpoch,
// InitialBatch). Cancelled during an epoch's validation, Fit stops with
// that epoch trained: Epoch is the next one, Batch 0, and Epoch equals
// Epochs when it was the last (then nothing is left to train).
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
