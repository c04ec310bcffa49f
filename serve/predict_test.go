package serve_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/serve"
)

// The served predictions are the model's, for one row and for batches of
// every size up to past two chunks, and the classes are their argmax's names.
func TestPredictMatchesModel(t *testing.T) {
	m, test := digitsModel(t)
	_, ts := newServer(t, m, serve.Options{})
	for _, n := range []int{1, 2, 3, 7, 32, 33, 70} {
		t.Run(fmt.Sprintf("%d rows", n), func(t *testing.T) {
			rows := rowsOf(test.X, 0, n)
			want := predictRows(t, m, rows)
			code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, rows))
			if err != nil || code != http.StatusOK {
				t.Fatalf("status %d, err %v, error %q", code, err, a.Error)
			}
			if !closeTo(a.Predictions, want, 1e-6) {
				t.Fatalf("predictions differ from Predict's:\n got %v\nwant %v", a.Predictions, want)
			}
			if len(a.Classes) != n {
				t.Fatalf("%d classes for %d rows", len(a.Classes), n)
			}
			for i, c := range a.Classes {
				if w := m.ClassNames[argmax(want[i])]; c != w {
					t.Errorf("row %d: class %q, want %q", i, c, w)
				}
			}
		})
	}
}

// Served classes score the test split as the model does: well.
func TestPredictAccuracy(t *testing.T) {
	m, test := digitsModel(t)
	_, ts := newServer(t, m, serve.Options{})
	n := test.Len()
	code, a, err := post(ts.Client(), ts.URL+"/v1/models/digits:predict", instances(t, rowsOf(test.X, 0, n)))
	if err != nil || code != http.StatusOK {
		t.Fatalf("status %d, err %v, error %q", code, err, a.Error)
	}
	right := 0
	for i, c := range a.Classes {
		if c == test.ClassNames[int(test.Y.Data().([]float64)[i])] {
			right++
		}
	}
	if acc := float64(right) / float64(n); acc < 0.9 {
		t.Errorf("accuracy of the served classes %.3f, want >= 0.9", acc)
	}
}

// An 8x8 input takes instances as [8][8] nested lists or 64 flat values,
// and a float64 model answers float64 values.
func TestNestedInstances(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			m := saveAndLoad(t, untrained(t, losses.SparseCategoricalCrossentropy{}, dt,
				&layers.Input{Shape: layers.Shape{8, 8}},
				&layers.Flatten{},
				&layers.Dense{Units: 5, Activation: layers.Softmax},
			))
			_, ts := newServer(t, m, serve.Options{})
			_, test := digits(t)
			flat := rowsOf(test.X, 0, 3)
			nested := make([][][]float64, len(flat))
			for i, r := range flat {
				for j := 0; j < 8; j++ {
					nested[i] = append(nested[i], r[j*8:(j+1)*8])
				}
			}
			want := predictRows(t, m, flat)
			for name, body := range map[string][]byte{"flat": instances(t, flat), "nested": instances(t, nested)} {
				code, a, err := post(ts.Client(), ts.URL+"/v1/predict", body)
				if err != nil || code != http.StatusOK {
					t.Fatalf("%s: status %d, err %v, error %q", name, code, err, a.Error)
				}
				if !closeTo(a.Predictions, want, 1e-6) {
					t.Errorf("%s: predictions %v, want %v", name, a.Predictions, want)
				}
				if len(a.Classes) != 3 || a.Classes[0] != strconv.Itoa(argmax(want[0])) {
					t.Errorf("%s: classes %q, want the argmax indices of %v", name, a.Classes, want)
				}
			}
		})
	}
}

// TF Serving's columnar "inputs" form is answered under "outputs".
func TestInputsForm(t *testing.T) {
	m, test := digitsModel(t)
	_, ts := newServer(t, m, serve.Options{})
	rows := rowsOf(test.X, 0, 2)
	want := predictRows(t, m, rows)
	row0, _ := json.Marshal(rows)
	for _, body := range []string{
		`{"inputs": ` + string(row0) + `}`,
		`{"signature_name": "serving_default", "inputs": {"x": ` + string(row0) + `}}`,
	} {
		code, a, err := post(ts.Client(), ts.URL+"/v1/predict", []byte(body))
		if err != nil || code != http.StatusOK {
			t.Fatalf("status %d, err %v, error %q", code, err, a.Error)
		}
		if a.Predictions != nil || !closeTo(a.Outputs, want, 1e-6) {
			t.Errorf("answer %+v, want outputs %v", a, want)
		}
	}
}

// Classes: a one-unit output with two class names is thresholded at 0.5;
// one without names (a regression) has no classes.
func TestClassesOfOneUnit(t *testing.T) {
	tests := []struct {
		name    string
		names   []string
		classes bool
	}{
		{"binary", []string{"malignant", "benign"}, true},
		{"regression", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := untrained(t, losses.MeanSquaredError{}, tensor.Float32,
				&layers.Input{Shape: layers.Shape{3}},
				&layers.Dense{Units: 1, Activation: layers.Sigmoid},
			)
			m.ClassNames = tt.names
			_, ts := newServer(t, saveAndLoad(t, m), serve.Options{})
			rows := [][]float64{{1, 2, 3}, {-3, -2, -1}, {0, 0, 0}}
			want := predictRows(t, m, rows)
			code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, rows))
			if err != nil || code != http.StatusOK {
				t.Fatalf("status %d, err %v, error %q", code, err, a.Error)
			}
			if !closeTo(a.Predictions, want, 1e-6) {
				t.Errorf("predictions %v, want %v", a.Predictions, want)
			}
			if !tt.classes {
				if a.Classes != nil {
					t.Errorf("classes %q, want none", a.Classes)
				}
				return
			}
			for i, c := range a.Classes {
				w := tt.names[0]
				if want[i][0] >= 0.5 {
					w = tt.names[1]
				}
				if c != w {
					t.Errorf("row %d (%v): class %q, want %q", i, want[i], c, w)
				}
			}
		})
	}
}

// New rejects what it cannot serve, naming the value.
func TestNewErrors(t *testing.T) {
	dense := func() *layers.Dense { return &layers.Dense{Units: 3, Activation: layers.Softmax} }
	built := untrained(t, losses.SparseCategoricalCrossentropy{}, tensor.Float32, &layers.Input{Shape: layers.Shape{4}}, dense())
	misnamed := untrained(t, losses.SparseCategoricalCrossentropy{}, tensor.Float32, &layers.Input{Shape: layers.Shape{4}}, dense())
	misnamed.ClassNames = []string{"a", "b"}
	tests := []struct {
		name string
		opt  serve.Options
		bad  bool // serve an unbuilt model
		want string
	}{
		{"negative body", serve.Options{MaxBodyBytes: -1}, false, "max body bytes must be >= 0, got -1"},
		{"negative batch", serve.Options{MaxBatch: -2}, false, "max batch must be >= 0, got -2"},
		{"negative replicas", serve.Options{Replicas: -3}, false, "replicas must be >= 0, got -3"},
		{"negative timeout", serve.Options{RequestTimeout: -1}, false, "request timeout must be >= 0, got -1ns"},
		{"unbuilt", serve.Options{}, true, "not built"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := built
			if tt.bad {
				m = untrainedUnbuilt()
			}
			_, err := serve.New(m, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := serve.New(misnamed, serve.Options{}); err == nil || !strings.Contains(err.Error(), "2 class names but 3 output units") {
		t.Errorf("class names that do not fit: error %v", err)
	}
	if _, err := serve.New(nil, serve.Options{}); err == nil || !strings.Contains(err.Error(), "model is nil") {
		t.Errorf("nil model: error %v", err)
	}
}

// A model saved with its preprocessing (a scaler fitted on the training
// rows) is served on raw rows, as Predict takes them, replicas included.
func TestPreprocessing(t *testing.T) {
	train, test := digits(t)
	x := train.X.Data().([]float64)
	for i := range x {
		x[i] *= 16 // back to the raw 0-16 pixels
	}
	raw := test.X.Data().([]float64)
	for i := range raw {
		raw[i] *= 16
	}
	scaler := &datasets.StandardScaler{}
	if err := scaler.Fit(train.X); err != nil {
		t.Fatal(err)
	}
	m := untrained(t, losses.SparseCategoricalCrossentropy{}, tensor.Float32,
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	m.Preprocessing = scaler
	back := saveAndLoad(t, m)
	if back.Preprocessing == nil {
		t.Fatal("the loaded model lost its preprocessing")
	}
	_, ts := newServer(t, back, serve.Options{Replicas: 2})
	rows := rowsOf(test.X, 0, 5)
	want := predictRows(t, back, rows)
	code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, rows))
	if err != nil || code != http.StatusOK {
		t.Fatalf("status %d, err %v, error %q", code, err, a.Error)
	}
	if !closeTo(a.Predictions, want, 1e-6) {
		t.Errorf("predictions %v, want %v", a.Predictions, want)
	}
}

// A model compiled with a batch size under 32 is predicted in chunks of it.
func TestSmallBatchSize(t *testing.T) {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{4}},
		&layers.Dense{Units: 3, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 2, BatchSize: 5}); err != nil {
		t.Fatal(err)
	}
	_, ts := newServer(t, saveAndLoad(t, m), serve.Options{Replicas: 1})
	rows := make([][]float64, 13)
	for i := range rows {
		rows[i] = []float64{float64(i), -1, 0.5, float64(i % 3)}
	}
	want := predictRows(t, m, rows)
	for _, n := range []int{1, 3, 5, 13} {
		code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, rows[:n]))
		if err != nil || code != http.StatusOK {
			t.Fatalf("%d rows: status %d, err %v, error %q", n, code, err, a.Error)
		}
		if !closeTo(a.Predictions, want[:n], 1e-6) {
			t.Errorf("%d rows: predictions %v, want %v", n, a.Predictions, want[:n])
		}
	}
}
