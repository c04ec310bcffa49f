package trainer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// savingModel is a fake model that records the paths it is saved to.
type savingModel struct {
	fakeModel
	paths []string
	err   error
}

func (m *savingModel) Save(path string) error {
	if m.err != nil {
		return m.err
	}
	m.paths = append(m.paths, path)
	return nil
}

func TestModelCheckpointEveryEpoch(t *testing.T) {
	parts := digitsSlices(t, 64, 64)
	m := classifier(t, 16, 0.01, 1)
	dir := t.TempDir()
	cb := &trainer.ModelCheckpoint{Path: filepath.Join(dir, "ckpt", "m-{epoch:02d}-{val_loss:.3f}-{accuracy}.zip")}
	hist, err := m.Fit(context.Background(), parts[0].X, parts[0].Y, trainer.FitConfig{Epochs: 3, ValidationData: valData(parts[1]),
		Silent: true, Callbacks: []trainer.Callback{cb}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range hist.Epochs {
		want = append(want, filepath.Join(dir, "ckpt", fmt.Sprintf("m-%02d-%.3f-%.4f.zip", i+1, hist.Values["val_loss"][i], hist.Values["accuracy"][i])))
	}
	if got := cb.Saved(); !slices.Equal(got, want) {
		t.Fatalf("saved\n%q\nwant\n%q", got, want)
	}
	// The last save is the trained model.
	loaded, err := models.Load(want[2])
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Evaluate(context.Background(), parts[1].X, parts[1].Y)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loaded.Evaluate(context.Background(), parts[1].X, parts[1].Y)
	if err != nil {
		t.Fatal(err)
	}
	if a["loss"] != b["loss"] {
		t.Errorf("the last checkpoint scores %v, the model %v", b["loss"], a["loss"])
	}
	for _, p := range want[:2] {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

func TestModelCheckpointBestOnly(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name    string
		cb      trainer.ModelCheckpoint
		monitor string
		values  []float64
		want    []string
	}{
		{"saves when val_loss improves", trainer.ModelCheckpoint{Path: "m-{epoch}.zip"}, "val_loss",
			[]float64{3, 2, 2.5, 1, 1}, []string{"m-1.zip", "m-2.zip", "m-4.zip"}},
		{"a pattern without fields overwrites one file", trainer.ModelCheckpoint{Path: "best.zip"}, "val_loss",
			[]float64{3, 2, 2.5}, []string{"best.zip", "best.zip"}},
		{"initial value threshold", trainer.ModelCheckpoint{Path: "m-{epoch}.zip", InitialValueThreshold: f(2.5)}, "val_loss",
			[]float64{3, 2, 2.5, 1}, []string{"m-2.zip", "m-4.zip"}},
		{"auto mode maximizes accuracy", trainer.ModelCheckpoint{Path: "m-{epoch}-{val_accuracy:.2f}.zip"}, "val_accuracy",
			[]float64{0.5, 0.4, 0.75}, []string{"m-1-0.50.zip", "m-3-0.75.zip"}},
		{"min mode", trainer.ModelCheckpoint{Path: "{{m}}-{epoch:03d}.zip", Mode: trainer.ModeMin}, "val_accuracy",
			[]float64{0.5, 0.4, 0.75}, []string{"{m}-001.zip", "{m}-002.zip"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cb := c.cb
			cb.Monitor, cb.SaveBestOnly = c.monitor, true
			m := &savingModel{fakeModel: *newFakeModel()}
			if _, err := drive(&cb, m, c.monitor, c.values); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.paths, c.want) || !slices.Equal(cb.Saved(), c.want) {
				t.Errorf("saved %q (Saved %q), want %q", m.paths, cb.Saved(), c.want)
			}
		})
	}
}

func TestModelCheckpointEveryNBatches(t *testing.T) {
	m := &savingModel{fakeModel: *newFakeModel()}
	cb := &trainer.ModelCheckpoint{Path: "m-{epoch}-{batch}-{loss:.1f}.zip", SaveFreq: 3, SaveBestOnly: true, Monitor: "loss"}
	names := []string{"loss", "val_loss"}
	if err := cb.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names, Model: m}); err != nil {
		t.Fatal(err)
	}
	loss := 10.0
	for epoch := range 2 {
		for b := range 4 {
			loss -= 1
			if epoch == 1 {
				loss += 2 // the second epoch gets worse
			}
			e := &trainer.Event{Kind: trainer.BatchEnd, Epoch: epoch, Batch: b, Steps: 4, Names: names, Model: m, Logs: trainer.Logs{"loss": loss}}
			if err := cb.On(e); err != nil {
				t.Fatal(err)
			}
		}
		e := &trainer.Event{Kind: trainer.EpochEnd, Epoch: epoch, Names: names, Model: m, Logs: trainer.Logs{"loss": loss, "val_loss": 1}}
		if err := cb.On(e); err != nil {
			t.Fatal(err)
		}
	}
	// Saves fall due after batches 3 and 6 (epoch 2, batch 2); the second
	// is no improvement.
	if want := []string{"m-1-3-7.0.zip"}; !slices.Equal(m.paths, want) {
		t.Errorf("saved %q, want %q", m.paths, want)
	}
}

func TestModelCheckpointErrors(t *testing.T) {
	names := []string{"loss", "accuracy", "val_loss", "val_accuracy"}
	saver := &savingModel{fakeModel: *newFakeModel()}
	cases := []struct {
		name  string
		cb    trainer.ModelCheckpoint
		model trainer.Model
		want  string
	}{
		{"no path", trainer.ModelCheckpoint{}, saver, "path is empty"},
		{"a model that cannot save", trainer.ModelCheckpoint{Path: "m.zip"}, newFakeModel(), "*trainer_test.fakeModel has no Save(path string) error method"},
		{"unknown field", trainer.ModelCheckpoint{Path: "m-{val_acc}.zip"}, saver, "field {val_acc} is not logged; fields can be epoch, loss, accuracy, val_loss, val_accuracy"},
		{"batch without save freq", trainer.ModelCheckpoint{Path: "m-{batch}.zip"}, saver, "{batch} needs SaveFreq > 0"},
		{"val_ field at batch ends", trainer.ModelCheckpoint{Path: "m-{val_loss}.zip", SaveFreq: 2}, saver, "field {val_loss} is not logged; fields can be epoch, batch, loss, accuracy"},
		{"bad spec", trainer.ModelCheckpoint{Path: "m-{epoch:.2f}.zip"}, saver, `format spec ".2f" is not one of`},
		{"float spec d", trainer.ModelCheckpoint{Path: "m-{loss:d}.zip"}, saver, `format spec "d"`},
		{"unclosed brace", trainer.ModelCheckpoint{Path: "m-{epoch.zip"}, saver, "unclosed {"},
		{"stray brace", trainer.ModelCheckpoint{Path: "m-}.zip"}, saver, "unmatched }"},
		{"negative save freq", trainer.ModelCheckpoint{Path: "m.zip", SaveFreq: -1}, saver, "save freq must be >= 0 (0 saves every epoch), got -1"},
		{"unknown monitor", trainer.ModelCheckpoint{Path: "m.zip", SaveBestOnly: true, Monitor: "f1"}, saver, `monitor "f1" is not logged; the logs hold loss, accuracy, val_loss, val_accuracy`},
		{"val_ monitor at batch ends", trainer.ModelCheckpoint{Path: "m.zip", SaveBestOnly: true, SaveFreq: 5}, saver, `monitor "val_loss" is logged only at the end of an epoch`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cb := c.cb
			err := cb.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names, Model: c.model})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "model checkpoint: ") {
				t.Errorf("error %v, want one holding %q", err, c.want)
			}
		})
	}
	t.Run("save fails", func(t *testing.T) {
		m := &savingModel{fakeModel: *newFakeModel(), err: errors.New("disk full")}
		_, err := drive(&trainer.ModelCheckpoint{Path: "m.zip"}, m, "val_loss", []float64{1})
		if err == nil || err.Error() != "model checkpoint: epoch 1: disk full" {
			t.Errorf("error %v", err)
		}
	})
}
