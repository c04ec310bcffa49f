package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

// digitsClassifier is a small digits classifier as a Sequential or as the
// same network written as a functional model: 64 pixels, a hidden ReLU
// layer of units, dropout, 10 softmax outputs.
func digitsClassifier(t testing.TB, kind string, units int, seed int64) *models.Functional {
	t.Helper()
	hidden := &layers.Dense{Name: "hidden", Units: units, Activation: layers.ReLU}
	drop := &layers.Dropout{Rate: 0.1}
	out := &layers.Dense{Name: "probabilities", Units: 10, Activation: layers.Softmax}
	var m *models.Functional
	switch kind {
	case "sequential":
		m = models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, hidden, drop, out).Model()
	case "functional":
		x := models.Input("pixels", 64)
		f, err := models.NewFunctional([]*models.Node{x}, []*models.Node{models.Apply(out, models.Apply(drop, models.Apply(hidden, x)))})
		if err != nil {
			t.Fatal(err)
		}
		m = f
	}
	m.ClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 3e-3},
		Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return m
}

func weightBits(m *models.Functional) []byte {
	var b bytes.Buffer
	for _, w := range m.Weights() {
		b.Write(w.Value.Header.Raw)
	}
	return b.Bytes()
}

func sameBits(a, b *tensor.Dense) bool {
	return a.Shape().Eq(b.Shape()) && bytes.Equal(a.Header.Raw, b.Header.Raw)
}

// TestOneModelEndToEnd runs the whole workflow over a Sequential and over
// the equivalent functional model: fit, evaluate, predict; save and load
// with bit-identical predictions; a checkpoint taken in the middle of an
// epoch and resumed, bit-identical to the uninterrupted run; profundo
// predict; profundo serve over loopback; and a tuner search. (Data-parallel
// Fit over MPI runs over both in package distributed, under the mpi tag.)
func TestOneModelEndToEnd(t *testing.T) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	x := d.X.Data().([]float64)
	for i := range x {
		x[i] /= 16
	}
	ctx := context.Background()
	fit := trainer.FitConfig{Epochs: 3, BatchSize: 64, Seed: 3, Silent: true}
	for _, kind := range []string{"sequential", "functional"} {
		t.Run(kind, func(t *testing.T) {
			// Fit, evaluate, predict.
			m := digitsClassifier(t, kind, 16, 1)
			if _, err := m.Fit(ctx, d.X, d.Y, fit); err != nil {
				t.Fatal(err)
			}
			scores, err := m.Evaluate(ctx, d.X, d.Y)
			if err != nil {
				t.Fatal(err)
			}
			if scores["accuracy"] < 0.8 {
				t.Errorf("accuracy %.3f after %d epochs, want >= 0.8", scores["accuracy"], fit.Epochs)
			}
			outs, err := m.Predict(ctx, d.X)
			if err != nil {
				t.Fatal(err)
			}
			want := outs[0]

			// Save and load.
			dir := filepath.Join(t.TempDir(), "model")
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			back, err := models.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if (back.Sequential() != nil) != (kind == "sequential") {
				t.Errorf("a saved %s model loads as Sequential: %v", kind, back.Sequential() != nil)
			}
			got, err := back.Predict(ctx, d.X)
			if err != nil {
				t.Fatal(err)
			}
			if !sameBits(got[0], want) {
				t.Error("the loaded model predicts other values than the saved one")
			}

			// A checkpoint in the middle of the second epoch, resumed.
			part := digitsClassifier(t, kind, 16, 1)
			stopAt := trainer.CallbackFunc(func(e *trainer.Event) error {
				if e.Kind == trainer.BatchEnd && e.Epoch == 1 && e.Batch == 9 {
					return trainer.ErrStop
				}
				return nil
			})
			cfg := fit
			cfg.Callbacks = []trainer.Callback{stopAt}
			if _, err := part.Fit(ctx, d.X, d.Y, cfg); err != nil {
				t.Fatal(err)
			}
			ckpt := filepath.Join(t.TempDir(), "checkpoint")
			if err := part.SaveCheckpoint(ckpt, models.Checkpoint{Epoch: 1, Batch: 10, Seed: fit.Seed}); err != nil {
				t.Fatal(err)
			}
			resumed, err := models.Load(ckpt)
			if err != nil {
				t.Fatal(err)
			}
			at := resumed.Checkpoint()
			cfg = fit
			cfg.InitialEpoch, cfg.InitialBatch, cfg.Seed = at.Epoch, at.Batch, at.Seed
			if _, err := resumed.Fit(ctx, d.X, d.Y, cfg); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(weightBits(resumed), weightBits(m)) {
				t.Error("the resumed run's weights differ from the uninterrupted run's")
			}

			// profundo predict on a CSV of raw rows.
			rows := 20
			var in bytes.Buffer
			for i := 0; i < rows; i++ {
				for j := 0; j < 64; j++ {
					if j > 0 {
						in.WriteByte(',')
					}
					in.WriteString(strconv.FormatFloat(x[i*64+j], 'g', -1, 64))
				}
				in.WriteByte('\n')
			}
			csvIn, csvOut := filepath.Join(t.TempDir(), "rows.csv"), filepath.Join(t.TempDir(), "predictions.csv")
			if err := os.WriteFile(csvIn, in.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code := run(ctx, []string{"predict", "--model", dir, "--input", csvIn, "--no-header", "--output", csvOut}, &stdout, &stderr); code != 0 {
				t.Fatalf("profundo predict: exit %d: %s", code, stderr.String())
			}
			f, err := os.Open(csvOut)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil || len(recs) != rows+1 {
				t.Fatalf("profundo predict wrote %d records (%v), want a header and %d rows", len(recs), err, rows)
			}
			probs := want.Data().([]float32)
			for i, rec := range recs[1:] {
				for j := 0; j < 10; j++ {
					v, _ := strconv.ParseFloat(rec[1+j], 64)
					if math.Abs(v-float64(probs[i*10+j])) > 1e-5 {
						t.Fatalf("profundo predict row %d, class %d: %v, Predict gives %v", i, j, v, probs[i*10+j])
					}
				}
			}

			// profundo serve over loopback.
			url, stop := serveSaved(t, dir)
			body, _ := json.Marshal(map[string]any{"instances": [][]float64{x[:64], x[64:128]}})
			resp, err := http.Post(url+"/v1/predict", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var answer struct {
				Predictions [][]float64 `json:"predictions"`
			}
			err = json.NewDecoder(resp.Body).Decode(&answer)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || len(answer.Predictions) != 2 {
				t.Fatalf("profundo serve: status %d, err %v, answer %+v", resp.StatusCode, err, answer)
			}
			for i, p := range answer.Predictions {
				for j, v := range p {
					// The server predicts in batches of its own size:
					// the same to float32 rounding.
					if math.Abs(v-float64(probs[i*10+j])) > 1e-6 {
						t.Fatalf("profundo serve row %d, class %d: %v, Predict gives %v", i, j, v, probs[i*10+j])
					}
				}
			}
			stop()

			// A tuner search over the hidden layer's width.
			search := &tuner.Search{
				Space: tuner.Space{tuner.Choice{Name: "units", Values: []any{8, 24}}},
				Build: func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
					return digitsClassifier(t, kind, hp.Int("units"), hp.Seed()), trainer.FitConfig{Epochs: 2, BatchSize: 64, ValidationSplit: 0.2}, nil
				},
				Strategy:  tuner.Grid{},
				Objective: tuner.Objective{Metric: "val_accuracy", Direction: tuner.Max},
				Seed:      1,
			}
			res, err := search.Run(ctx, tuner.Data{Train: d})
			if err != nil {
				t.Fatal(err)
			}
			best, ok := res.Best()
			if !ok || len(res.Trials) != 2 || len(res.Failed()) != 0 || best.Score < 0.7 {
				t.Errorf("search: %d trials, %d failed, best %+v", len(res.Trials), len(res.Failed()), best)
			}
		})
	}
}

// serveSaved runs profundo serve on the saved model at dir, on a free
// loopback port, and returns its URL and a function that stops it.
func serveSaved(t *testing.T, dir string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"serve", "--model", dir, "--addr", "127.0.0.1:0", "--replicas", "1"}, pw, &stderr)
		pw.Close()
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	var line string
	select {
	case line = <-lines:
	case c := <-code:
		cancel()
		t.Fatalf("profundo serve: exit %d before serving: %s", c, stderr.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("profundo serve: no address printed in 30s")
	}
	m := regexp.MustCompile(`(http://127\.0\.0\.1:[0-9]+)$`).FindStringSubmatch(line)
	if m == nil {
		cancel()
		t.Fatalf("profundo serve printed %q", line)
	}
	return m[1], func() {
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("profundo serve: exit %d: %s", c, strings.TrimSpace(stderr.String()))
			}
		case <-time.After(30 * time.Second):
			t.Error("profundo serve did not stop")
		}
	}
}

// profundo train takes a functional model's spec as --model, and profundo
// evaluate the model it saves.
func TestTrainFunctionalSpec(t *testing.T) {
	m := digitsClassifier(t, "functional", 16, 1)
	dir := filepath.Join(t.TempDir(), "untrained")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "trained")
	var stdout, stderr bytes.Buffer
	ctx := context.Background()
	if code := run(ctx, []string{"train", "--quiet", "--model", filepath.Join(dir, "model.json"), "--epochs", "2", "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("profundo train: exit %d: %s", code, stderr.String())
	}
	back, err := models.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Sequential() != nil || len(back.OutputNames()) != 1 {
		t.Errorf("the trained model is not the functional one it was given")
	}
	stdout.Reset()
	if code := run(ctx, []string{"evaluate", "--model", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("profundo evaluate: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "test_accuracy") {
		t.Errorf("profundo evaluate printed %q", stdout.String())
	}
}
