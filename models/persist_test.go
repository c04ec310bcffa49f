package models_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// trained returns a digits classifier trained for a few epochs.
func trained(t *testing.T) *models.Sequential {
	t.Helper()
	train, _ := digits(t)
	m := mlp(t, 4)
	m.ClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 3, Silent: true}); err != nil {
		t.Fatal(err)
	}
	return m
}

func predictHash(t *testing.T, m models.Model, x *tensor.Dense) string {
	t.Helper()
	ps, err := m.Model().Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, p.Data().([]float32)); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(h[:])
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := trained(t)
	_, test := digits(t)
	want := predictHash(t, m, test.X)
	for _, name := range []string{"model", "model.zip"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			back, err := models.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := predictHash(t, back, test.X); got != want {
				t.Error("the loaded model predicts other values than the saved one")
			}
			if !reflect.DeepEqual(weightsOf(back), weightsOf(m)) {
				t.Error("weights differ after the round trip")
			}
			if !reflect.DeepEqual(back.ClassNames, m.ClassNames) || back.Summary() != m.Summary() {
				t.Error("class names or architecture differ after the round trip")
			}
			train, _ := digits(t)
			if _, err := back.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 1, Silent: true}); err != nil {
				t.Errorf("the loaded model cannot go on training: %v", err)
			}
		})
	}
}

func TestSavedFilesAreReadable(t *testing.T) {
	m := trained(t)
	dir := filepath.Join(t.TempDir(), "m")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"format", "format_version", "dtype", "seed", "input_shape", "layers", "compile", "class_names", "metrics", "provenance", "weights"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("model.json lacks %q", key)
		}
	}
	prov := doc["provenance"].(map[string]any)
	if prov["go_version"] == "" || prov["data_sha256"] == nil {
		t.Errorf("provenance %v", prov)
	}
	if _, ok := doc["metrics"].(map[string]any)["val_loss"]; ok {
		t.Error("metrics has val_loss though the run had no validation")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the model directory has %d entries, want model.json and weights.safetensors", len(entries))
	}
}

// TestLoadInAnotherProcess saves a model, loads it in a child process and
// compares the predictions' hash.
func TestLoadInAnotherProcess(t *testing.T) {
	if dir := os.Getenv("PROFUNDO_TEST_LOAD_DIR"); dir != "" {
		m, err := models.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, test := digits(t)
		if err := os.WriteFile(filepath.Join(dir, "child-hash"), []byte(predictHash(t, m, test.X)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	m := trained(t)
	_, test := digits(t)
	dir := filepath.Join(t.TempDir(), "model")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLoadInAnotherProcess$")
	cmd.Env = append(os.Environ(), "PROFUNDO_TEST_LOAD_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "child-hash"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != predictHash(t, m, test.X) {
		t.Error("the model loaded in another process predicts other values")
	}
}

// A checkpoint taken mid-run, loaded and resumed, ends where the
// uninterrupted run ends, bit for bit.
func TestCheckpointResume(t *testing.T) {
	train, _ := digits(t)
	cfg := trainer.FitConfig{Epochs: 3, BatchSize: 64, Seed: 9, Silent: true}
	whole := mlp(t, 3)
	if _, err := whole.Fit(context.Background(), train.X, train.Y, cfg); err != nil {
		t.Fatal(err)
	}

	first := mlp(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	cfgStop := cfg
	cfgStop.Callbacks = []trainer.Callback{trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd {
			if n++; n == 40 {
				cancel()
			}
		}
		return nil
	})}
	_, err := first.Fit(ctx, train.X, train.Y, cfgStop)
	var stop *trainer.Interrupted
	if !errors.As(err, &stop) {
		t.Fatalf("err = %v", err)
	}
	path := filepath.Join(t.TempDir(), "ckpt.zip")
	if err := first.SaveCheckpoint(path, models.Checkpoint{Epoch: stop.Epoch, Batch: stop.Batch, Seed: cfg.Seed}); err != nil {
		t.Fatal(err)
	}
	resumed, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	at := resumed.Checkpoint()
	if at == nil || at.Epoch != stop.Epoch || at.Batch != stop.Batch || at.Seed != 9 {
		t.Fatalf("checkpoint %+v, stopped at %+v", at, stop)
	}
	rest := cfg
	rest.InitialEpoch, rest.InitialBatch, rest.Seed = at.Epoch, at.Batch, at.Seed
	if _, err := resumed.Fit(context.Background(), train.X, train.Y, rest); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(weightsOf(whole), weightsOf(resumed)) {
		t.Error("the resumed run ends with other weights than the uninterrupted one")
	}
}

func TestPreprocessingIsSavedAndApplied(t *testing.T) {
	d, err := datasets.Digits() // raw pixels 0..16
	if err != nil {
		t.Fatal(err)
	}
	scaler := &datasets.StandardScaler{}
	if err := scaler.Fit(d.X); err != nil {
		t.Fatal(err)
	}
	m := mlp(t, 1)
	m.Preprocessing = scaler
	if _, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 2, Silent: true}); err != nil {
		t.Fatal(err)
	}
	scaled, err := scaler.Transform(d.X)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := m.Replica()
	if err != nil {
		t.Fatal(err)
	}
	plain.Preprocessing = nil
	want := predictHash(t, plain, scaled) // the layers on scaled features
	if got := predictHash(t, m, d.X); got != want {
		t.Fatal("Predict on raw features does not apply the preprocessing")
	}
	path := filepath.Join(t.TempDir(), "m.zip")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := back.Preprocessing.(*datasets.StandardScaler); !ok {
		t.Fatalf("loaded preprocessing is %T", back.Preprocessing)
	}
	if got := predictHash(t, back, d.X); got != want {
		t.Error("the loaded model's preprocessing differs")
	}
}

func TestLoadFS(t *testing.T) {
	m := trained(t)
	_, test := digits(t)
	root := t.TempDir()
	if err := m.Save(filepath.Join(root, "model")); err != nil {
		t.Fatal(err)
	}
	back, err := models.LoadFS(os.DirFS(root), "model", models.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if predictHash(t, back, test.X) != predictHash(t, m, test.X) {
		t.Error("the model loaded from a file system predicts other values")
	}
	if _, err := models.LoadFS(os.DirFS(root), "absent", models.LoadOptions{}); err == nil {
		t.Error("loading a missing directory succeeded")
	}
}

func TestWeightedMetricSurvivesSave(t *testing.T) {
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{4}}, &layers.Dense{Units: 3, Activation: layers.Softmax})
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{&metrics.Weighted{Of: &metrics.BinaryAccuracy{Threshold: 0.3}}}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := back.Config().Metrics[0].(*metrics.Weighted)
	if !ok || w.Of.(*metrics.BinaryAccuracy).Threshold != 0.3 {
		t.Errorf("loaded metric %#v", back.Config().Metrics[0])
	}
}
