package trainer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// Each callback checks its configuration and what it monitors when Fit
// starts, with an error naming the field and the value.
func TestCallbackConfigErrors(t *testing.T) {
	names := []string{"loss", "accuracy", "val_loss", "val_accuracy"}
	f := func(v float64) *float64 { return &v }
	solver, err := optimizers.Adam{}.NewSolver()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		cb    trainer.Callback
		model trainer.Model
		want  string
	}{
		{"early stopping: negative patience", &trainer.EarlyStopping{Patience: -1}, nil, "early stopping: patience must be >= 0, got -1"},
		{"early stopping: negative start", &trainer.EarlyStopping{StartFromEpoch: -2}, nil, "early stopping: start from epoch must be >= 0, got -2"},
		{"early stopping: negative min delta", &trainer.EarlyStopping{MinDelta: -0.1}, nil, "early stopping: min delta must be >= 0, got -0.1"},
		{"early stopping: NaN baseline", &trainer.EarlyStopping{Baseline: f(nan())}, nil, "early stopping: baseline must be a number, got NaN"},
		{"early stopping: bad mode", &trainer.EarlyStopping{Mode: 7}, nil, "early stopping: mode must be ModeAuto, ModeMin or ModeMax, got 7"},
		{"early stopping: unknown monitor", &trainer.EarlyStopping{Monitor: "val_acc"}, nil,
			`early stopping: monitor "val_acc" is not logged; the logs hold loss, accuracy, val_loss, val_accuracy`},
		{"early stopping: restore without weights", &trainer.EarlyStopping{RestoreBestWeights: true}, bareModel{},
			"early stopping: restore best weights needs a model with a Weights method, got trainer_test.bareModel"},
		{"reduce lr: factor 1", &trainer.ReduceLROnPlateau{Factor: 1}, nil, "reduce lr on plateau: factor must be in (0, 1), got 1"},
		{"reduce lr: negative factor", &trainer.ReduceLROnPlateau{Factor: -0.5}, nil, "reduce lr on plateau: factor must be in (0, 1), got -0.5"},
		{"reduce lr: NaN factor", &trainer.ReduceLROnPlateau{Factor: nan()}, nil, "reduce lr on plateau: factor must be in (0, 1), got NaN"},
		{"reduce lr: negative patience", &trainer.ReduceLROnPlateau{Patience: -3}, nil, "reduce lr on plateau: patience must be >= 0, got -3"},
		{"reduce lr: negative cooldown", &trainer.ReduceLROnPlateau{Cooldown: -1}, nil, "reduce lr on plateau: cooldown must be >= 0, got -1"},
		{"reduce lr: negative min lr", &trainer.ReduceLROnPlateau{MinLR: -1e-3}, nil, "reduce lr on plateau: min lr must be a finite rate >= 0, got -0.001"},
		{"reduce lr: unknown monitor", &trainer.ReduceLROnPlateau{Monitor: "acc"}, nil,
			`reduce lr on plateau: monitor "acc" is not logged; the logs hold loss, accuracy, val_loss, val_accuracy`},
		{"scheduler: no schedule", &trainer.LearningRateScheduler{}, nil, "learning rate scheduler: schedule is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model := c.model
			if model == nil {
				model = newFakeModel()
			}
			err := c.cb.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names, Model: model, Solver: solver})
			if err == nil || err.Error() != c.want {
				t.Errorf("error %v\nwant %s", err, c.want)
			}
		})
	}
}

// A name whose direction cannot be told needs a mode, as in Keras 3.
func TestMonitorDirectionUnknown(t *testing.T) {
	names := []string{"loss", "val_loss", "val_iou"}
	err := (&trainer.EarlyStopping{Monitor: "val_iou"}).On(&trainer.Event{Kind: trainer.TrainBegin, Names: names, Model: newFakeModel()})
	want := `early stopping: cannot tell whether "val_iou" improves by falling or rising; set Mode to ModeMin or ModeMax`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	if err := (&trainer.EarlyStopping{Monitor: "val_iou", Mode: trainer.ModeMax}).On(&trainer.Event{Kind: trainer.TrainBegin, Names: names, Model: newFakeModel()}); err != nil {
		t.Errorf("with ModeMax: %v", err)
	}
}

// Monitoring a name Fit does not log stops Fit before the first epoch,
// with the names it does log.
func TestUnknownMonitorStopsFitAtStart(t *testing.T) {
	d := digitsSlices(t, 32)[0]
	cases := []struct {
		name string
		cb   trainer.Callback
		want string
	}{
		{"val_loss without validation data", &trainer.EarlyStopping{},
			`early stopping: monitor "val_loss" is not logged; the logs hold loss, accuracy; val_ values are logged only with validation data`},
		{"a metric not compiled", &trainer.ReduceLROnPlateau{Monitor: "f1_score"},
			`reduce lr on plateau: monitor "f1_score" is not logged; the logs hold loss, accuracy`},
		{"a checkpoint's monitor", &trainer.ModelCheckpoint{Path: "m.zip", SaveBestOnly: true, Monitor: "acc"},
			`model checkpoint: monitor "acc" is not logged; the logs hold loss, accuracy`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := classifier(t, 8, 0.01, 1)
			hist, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 3, Silent: true, Callbacks: []trainer.Callback{c.cb}})
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v\nwant %s", err, c.want)
			}
			if hist != nil && len(hist.Epochs) != 0 {
				t.Errorf("%d epochs ran", len(hist.Epochs))
			}
		})
	}
}
