package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/serve"
	"github.com/profundo/profundo/trainer"
)

// digits returns the embedded digits set scaled to [0, 1], split 80/20
// stratified with seed 0.
func digits(t testing.TB) (train, test *datasets.Dataset) {
	t.Helper()
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	x := d.X.Data().([]float64)
	for i := range x {
		x[i] /= 16
	}
	train, test, err = datasets.TrainTestSplit(d, 0.2, rand.New(rand.NewSource(0)), true)
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}

// digitsModel trains a 64-32-10 classifier on the digits for a few epochs,
// saves it and loads it back, as "profundo serve" would. It returns the
// loaded model and the test split.
func digitsModel(t testing.TB) (*models.Functional, *datasets.Dataset) {
	t.Helper()
	train, test := digits(t)
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: 32, Activation: layers.ReLU},
		&layers.Dropout{Rate: 0.1},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	m.ClassNames = train.ClassNames
	err := m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 3e-3},
		Seed:      1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 8, BatchSize: 32, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	return saveAndLoad(t, m), test
}

// saveAndLoad saves m to a temporary directory and loads it back.
func saveAndLoad(t testing.TB, m models.Model) *models.Functional {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	if err := m.Model().Save(dir); err != nil {
		t.Fatal(err)
	}
	loaded, err := models.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// untrained returns a model of the given layers, compiled with seed 1 and a
// loss that fits its output, untrained.
func untrained(t testing.TB, loss losses.Loss, dt tensor.Dtype, ls ...layers.Layer) *models.Sequential {
	t.Helper()
	m := models.NewSequential(ls...)
	if err := m.Compile(models.Config{Loss: loss, Seed: 1, DType: dt}); err != nil {
		t.Fatal(err)
	}
	return m
}

// newServer serves m with opt on an httptest server closed at the end of
// the test.
func newServer(t testing.TB, m models.Model, opt serve.Options) (*serve.Server, *httptest.Server) {
	t.Helper()
	s, err := serve.New(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

// answer is a predict answer, or an error's.
type answer struct {
	Predictions [][]float64 `json:"predictions"`
	Outputs     [][]float64 `json:"outputs"`
	Classes     []string    `json:"classes"`
	Error       string      `json:"error"`
}

// post posts body to url and returns the status and the decoded answer; a
// body that is not JSON is an error.
func post(c *http.Client, url string, body []byte) (int, answer, error) {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, answer{}, err
	}
	var a answer
	if err := json.Unmarshal(data, &a); err != nil {
		return resp.StatusCode, a, &jsonError{data, err}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		return resp.StatusCode, a, &jsonError{[]byte("Content-Type " + ct), nil}
	}
	return resp.StatusCode, a, nil
}

type jsonError struct {
	body []byte
	err  error
}

func (e *jsonError) Error() string {
	return "answer is not JSON: " + string(e.body)
}

// instances encodes rows as {"instances": rows}.
func instances(t testing.TB, rows any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"instances": rows})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rowsOf returns rows [from, to) of x as float64 lists.
func rowsOf(x *tensor.Dense, from, to int) [][]float64 {
	size := x.Shape().TotalSize() / x.Shape()[0]
	out := make([][]float64, 0, to-from)
	for i := from; i < to; i++ {
		row := make([]float64, size)
		switch d := x.Data().(type) {
		case []float64:
			copy(row, d[i*size:(i+1)*size])
		case []float32:
			for j := range row {
				row[j] = float64(d[i*size+j])
			}
		}
		out = append(out, row)
	}
	return out
}

// predictRows returns m.Predict's outputs for rows as float64 lists.
func predictRows(t testing.TB, m models.Model, rows [][]float64) [][]float64 {
	t.Helper()
	size := len(rows[0])
	flat := make([]float64, 0, len(rows)*size)
	for _, r := range rows {
		flat = append(flat, r...)
	}
	shape := append([]int{len(rows)}, m.Model().InputShapes()[0]...)
	ys, err := m.Model().Predict(context.Background(), tensor.New(tensor.WithShape(shape...), tensor.WithBacking(flat)))
	if err != nil {
		t.Fatal(err)
	}
	y := ys[0]
	return rowsOf(y, 0, len(rows))
}

// closeTo reports whether got and want have the same shape and values
// within tol.
func closeTo(got, want [][]float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j := range got[i] {
			if math.Abs(got[i][j]-want[i][j]) > tol {
				return false
			}
		}
	}
	return true
}

// argmax is the index of row's largest value.
func argmax(row []float64) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

// untrainedUnbuilt returns a model with no input shape, so not built.
func untrainedUnbuilt() *models.Sequential {
	return models.NewSequential(&layers.Dense{Units: 3})
}
