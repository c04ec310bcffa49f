package tuner

import (
	"context"
	"io"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/trainer"
)

// Final says how TrainBest trains the best configuration again. Its zero
// value trains on the training split alone and saves nothing.
type Final struct {
	// Full trains on the training and validation splits together, with no
	// validation (a callback that watches a val_ metric then fails); false
	// trains on the training split and scores the validation split, as the
	// trial did, to the same weights.
	Full bool
	// Path, when set, is where the model is saved (Model.Save: a
	// directory, or a zip when it ends in ".zip"); empty saves nothing.
	Path string
	// Progress receives the training's progress display; nil means none.
	Progress io.Writer
}

// Best is the best configuration of a search, trained again.
type Best struct {
	// Trial is the best trial.
	Trial *Trial
	// Model is the model trained again.
	Model Model
	// History is its training history.
	History *trainer.History
	// Test holds its scores on the test split, as Model.Evaluate names
	// them ("loss", "accuracy"); nil without a test split.
	Test trainer.Logs
}

// TrainBest builds the best trial's configuration again with its first
// execution's seed, trains it for the trial's epochs (on train and
// validation together when f.Full), saves it to f.Path, and scores it once
// on data.Test. It is an error when no trial completed.
func (s *Search) TrainBest(ctx context.Context, res *Results, data Data, f Final) (*Best, error) {
	if res == nil {
		return nil, errors.New("tuner: train best: no results")
	}
	best, ok := res.Best()
	if !ok {
		return nil, errors.Errorf("tuner: train best: none of the %d trials completed", len(res.Trials))
	}
	if s.Build == nil {
		return nil, errors.New("tuner: train best: no build function")
	}
	if data.Train == nil {
		return nil, errors.New("tuner: train best: no training data")
	}
	seed := int64(0)
	if len(best.Seeds) > 0 {
		seed = best.Seeds[0]
	}
	hp := best.Values.forRun(best.ID, 0, seed)
	model, cfg, err := s.build(hp)
	if err != nil {
		return nil, errors.Wrapf(err, "tuner: train best: trial %d", best.ID)
	}
	r := &runner{search: s, data: data, objective: res.Objective}
	train := data.Train
	if f.Full {
		cfg = r.fitConfig(cfg, seed, false)
		cfg.ValidationSplit, cfg.ValidationData = 0, nil
		if data.Validation != nil {
			if train, err = concat(data.Train, data.Validation); err != nil {
				return nil, errors.Wrap(err, "tuner: train best: train and validation")
			}
		}
	} else {
		cfg = r.fitConfig(cfg, seed, true)
	}
	cfg.Epochs, cfg.InitialEpoch, cfg.InitialBatch = best.Epochs, 0, 0
	if f.Progress != nil {
		cfg.Silent, cfg.Progress = false, f.Progress
	}
	hist, err := model.Model().Fit(ctx, train.X, train.Y, cfg)
	if err != nil {
		return nil, errors.Wrapf(err, "tuner: train best: trial %d", best.ID)
	}
	out := &Best{Trial: best, Model: model, History: hist}
	if f.Path != "" {
		if err := model.Model().Save(f.Path); err != nil {
			return nil, errors.Wrap(err, "tuner: train best")
		}
	}
	if data.Test != nil {
		if out.Test, err = model.Model().Evaluate(ctx, data.Test.X, data.Test.Y); err != nil {
			return nil, errors.Wrap(err, "tuner: train best: test")
		}
	}
	return out, nil
}

// concat returns the rows of a then b as one data set.
func concat(a, b *datasets.Dataset) (*datasets.Dataset, error) {
	join := func(x, y *tensor.Dense, what string) (*tensor.Dense, error) {
		if x == nil || y == nil {
			return nil, errors.Errorf("%s is missing", what)
		}
		if x.Dtype() != y.Dtype() {
			return nil, errors.Errorf("%s: %v and %v", what, x.Dtype(), y.Dtype())
		}
		if !x.Shape()[1:].Eq(y.Shape()[1:]) {
			return nil, errors.Errorf("%s: shapes %v and %v", what, x.Shape(), y.Shape())
		}
		t, err := tensor.Concat(0, x, y)
		if err != nil {
			return nil, errors.Wrap(err, what)
		}
		d, ok := t.(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("%s: concatenation is a %T", what, t)
		}
		return d, nil
	}
	x, err := join(a.X, b.X, "x")
	if err != nil {
		return nil, err
	}
	y, err := join(a.Y, b.Y, "y")
	if err != nil {
		return nil, err
	}
	return &datasets.Dataset{X: x, Y: y, ClassNames: a.ClassNames, Name: a.Name}, nil
}
