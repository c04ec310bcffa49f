package tuner

import (
	"context"
	"io"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/trainer"
)

// execution is one trained model of a trial and how it was fitted, kept
// so that a promoted trial continues it.
type execution struct {
	model Model
	cfg   trainer.FitConfig
}

// runTrial trains every execution of a trial and scores it. It runs on a
// worker goroutine and touches nothing shared but the read-only data.
func (r *runner) runTrial(ctx context.Context, j job) outcome {
	sp := j.spec
	start := time.Now()
	t := &Trial{
		ID: sp.id, Values: sp.values, Seeds: sp.seeds, Epochs: sp.epochs, InitialEpoch: sp.initial,
		Parent: sp.parent, Bracket: sp.bracket, Rung: sp.rung, Score: math.NaN(),
	}
	if ctx.Err() != nil {
		return outcome{trial: t, interrupted: true}
	}
	var (
		runs []*execution
		logs []map[string]float64
	)
	fail := func(e int, err error) outcome {
		if ctx.Err() != nil {
			return outcome{trial: t, interrupted: true}
		}
		if len(sp.seeds) > 1 {
			err = errors.Wrapf(err, "execution %d", e)
		}
		t.Status, t.Err, t.Elapsed, t.Scores = Failed, err.Error(), time.Since(start), nil
		return outcome{trial: t}
	}
	for e := range sp.seeds {
		var parent *execution
		if e < len(j.parents) {
			parent = j.parents[e]
		}
		ex, hist, err := r.execute(ctx, sp, e, parent)
		if hist != nil {
			t.EpochsRun += len(hist.Epochs)
		}
		if ex != nil && t.Epochs == 0 {
			t.Epochs = max(ex.cfg.Epochs, 1)
		}
		if err != nil {
			return fail(e, err)
		}
		score, ok := hist.Last(r.objective.Metric)
		switch {
		case !ok:
			return fail(e, errors.Errorf("objective %q is not logged; the trial logs %s", r.objective.Metric, joinNames(hist.Names)))
		case math.IsNaN(score) || math.IsInf(score, 0):
			return fail(e, errors.Errorf("objective %s is %v after epoch %d", r.objective.Metric, score, hist.Epochs[len(hist.Epochs)-1]+1))
		}
		t.Scores = append(t.Scores, score)
		last := map[string]float64{}
		for _, k := range hist.Names {
			last[k], _ = hist.Last(k)
		}
		logs = append(logs, last)
		runs = append(runs, ex)
	}
	t.Status, t.Score, t.Metrics, t.Elapsed = Completed, mean(t.Scores), meanLogs(logs), time.Since(start)
	if !sp.keep {
		runs = nil
	}
	return outcome{trial: t, runs: runs}
}

// execute trains execution e of a trial: it continues parent's model
// when there is one, else builds a model and trains it from epoch 0. A
// panic in the build function or in training is returned as an error.
func (r *runner) execute(ctx context.Context, sp *spec, e int, parent *execution) (ex *execution, hist *trainer.History, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errors.Errorf("panic: %v", p)
		}
	}()
	train := r.data.Train
	if parent != nil {
		cfg := parent.cfg
		cfg.InitialEpoch, cfg.Epochs = sp.initial, sp.epochs
		ex = &execution{model: parent.model, cfg: cfg}
		hist, err = parent.model.Model().Fit(ctx, train.X, train.Y, cfg)
		return ex, hist, err
	}
	hp := sp.values.forRun(sp.id, e, sp.seeds[e])
	model, cfg, err := r.search.build(hp)
	if err != nil {
		return nil, nil, err
	}
	cfg = r.fitConfig(cfg, hp.Seed(), true)
	if sp.epochs > 0 {
		cfg.Epochs = sp.epochs
	}
	cfg.InitialEpoch, cfg.InitialBatch = 0, 0
	ex = &execution{model: model, cfg: cfg}
	hist, err = model.Model().Fit(ctx, train.X, train.Y, cfg)
	return ex, hist, err
}

// build calls the build function and checks what it returned.
func (s *Search) build(hp *Values) (Model, trainer.FitConfig, error) {
	model, cfg, err := s.Build(hp)
	if err == nil {
		err = hp.Err()
	}
	if err == nil && isNil(model) {
		err = errors.New("it returned no model")
	}
	if err != nil {
		return nil, cfg, errors.Wrap(err, "build")
	}
	return model, cfg, nil
}

// fitConfig is cfg as the search fits it: seeded, silent, scored on the
// validation data (when withValidation and Data has some), and checking
// at its start that the objective is logged.
func (r *runner) fitConfig(cfg trainer.FitConfig, seed int64, withValidation bool) trainer.FitConfig {
	cfg.Seed, cfg.Silent, cfg.Progress = seed, true, io.Discard
	if v := r.data.Validation; v != nil && withValidation {
		cfg.ValidationData = trainer.XY(v.X, v.Y)
		cfg.ValidationSplit = 0
	}
	metric := r.objective.Metric
	check := trainer.CallbackFunc(func(ev *trainer.Event) error {
		if ev.Kind == trainer.TrainBegin && !slices.Contains(ev.Names, metric) {
			return errors.Errorf("objective %q is not logged; the trial logs %s", metric, joinNames(ev.Names))
		}
		return nil
	})
	if withValidation {
		cfg.Callbacks = append([]trainer.Callback{check}, cfg.Callbacks...)
	} else {
		cfg.Callbacks = append([]trainer.Callback(nil), cfg.Callbacks...)
	}
	return cfg
}

// isNil reports whether m is nil or a nil pointer in an interface.
func isNil(m Model) bool {
	if m == nil {
		return true
	}
	v := reflect.ValueOf(m)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return v.IsNil()
	}
	return false
}
