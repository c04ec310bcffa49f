package serve_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/serve"
)

// twoByTwo is a saved and loaded model of two inputs, "a" of 3 values and
// "b" of shape [2, 2], and two outputs, "label" (3 probabilities) and
// "score" (1 value).
func twoByTwo(t *testing.T) *models.Functional {
	t.Helper()
	a, b := models.Input("a", 3), models.Input("b", 2, 2)
	h := models.Merge(&layers.Concatenate{}, a, models.Apply(&layers.Flatten{}, b))
	h = models.Apply(&layers.Dense{Units: 8, Activation: layers.Tanh}, h)
	label := models.Apply(&layers.Dense{Name: "label", Units: 3, Activation: layers.Softmax}, h)
	score := models.Apply(&layers.Dense{Name: "score", Units: 1}, h)
	m, err := models.NewFunctional([]*models.Node{a, b}, []*models.Node{label, score})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Losses: map[string]losses.Loss{"label": losses.SparseCategoricalCrossentropy{}, "score": losses.MeanSquaredError{}}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	return saveAndLoad(t, m)
}

// A model of several inputs and outputs answers TF Serving's named forms,
// columnar and row, over loopback with what Predict gives, and says what to
// send when a request does not name its inputs.
func TestServeNamedInputsAndOutputs(t *testing.T) {
	m := twoByTwo(t)
	_, ts := newServer(t, m, serve.Options{Replicas: 1})
	url := ts.URL + "/v1/predict"

	const rows = 5 // more than one padded batch size
	as, bs := make([][]float64, rows), make([][][]float64, rows)
	aFlat, bFlat := make([]float32, 0, rows*3), make([]float32, 0, rows*4)
	for i := 0; i < rows; i++ {
		as[i] = []float64{float64(i) / 5, -0.5, 0.25 * float64(i%3)}
		bs[i] = [][]float64{{0.1 * float64(i), 1}, {-1, 0.3}}
		for _, v := range as[i] {
			aFlat = append(aFlat, float32(v))
		}
		for _, r := range bs[i] {
			for _, v := range r {
				bFlat = append(bFlat, float32(v))
			}
		}
	}
	ys, err := m.Predict(context.Background(), []*tensor.Dense{
		tensor.New(tensor.WithShape(rows, 3), tensor.WithBacking(aFlat)),
		tensor.New(tensor.WithShape(rows, 2, 2), tensor.WithBacking(bFlat)),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantLabel, wantScore := ys[0].Data().([]float32), ys[1].Data().([]float32)
	check := func(form string, label [][]float64, score [][]float64) {
		t.Helper()
		if len(label) != rows || len(score) != rows {
			t.Fatalf("%s: %d labels and %d scores, want %d", form, len(label), len(score), rows)
		}
		for i := 0; i < rows; i++ {
			if len(label[i]) != 3 || len(score[i]) != 1 {
				t.Fatalf("%s: instance %d: label %v, score %v", form, i, label[i], score[i])
			}
			for j := 0; j < 3; j++ {
				if math.Abs(label[i][j]-float64(wantLabel[i*3+j])) > 1e-6 {
					t.Errorf("%s: instance %d label %v, Predict %v", form, i, label[i], wantLabel[i*3:i*3+3])
				}
			}
			if math.Abs(score[i][0]-float64(wantScore[i])) > 1e-6 {
				t.Errorf("%s: instance %d score %v, Predict %v", form, i, score[i][0], wantScore[i])
			}
		}
	}
	postJSON := func(body any) (int, []byte) {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(url, "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, raw
	}

	// Columnar: {"inputs": {"a": [...], "b": [...]}} -> {"outputs": {"label": [...], "score": [...]}}.
	code, raw := postJSON(map[string]any{"inputs": map[string]any{"a": as, "b": bs}})
	var col struct {
		Outputs map[string][][]float64 `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &col); err != nil || code != http.StatusOK {
		t.Fatalf("columnar: status %d, %s", code, raw)
	}
	check("columnar", col.Outputs["label"], col.Outputs["score"])

	// Rows: {"instances": [{"a": ..., "b": ...}, ...]} -> {"predictions": [{"label": ..., "score": ...}, ...]}.
	inst := make([]map[string]any, rows)
	for i := range inst {
		inst[i] = map[string]any{"b": bs[i], "a": as[i]}
	}
	code, raw = postJSON(map[string]any{"instances": inst})
	var byRow struct {
		Predictions []struct {
			Label []float64 `json:"label"`
			Score []float64 `json:"score"`
		} `json:"predictions"`
	}
	if err := json.Unmarshal(raw, &byRow); err != nil || code != http.StatusOK {
		t.Fatalf("rows: status %d, %s", code, raw)
	}
	var label, score [][]float64
	for _, p := range byRow.Predictions {
		label, score = append(label, p.Label), append(score, p.Score)
	}
	check("rows", label, score)

	for _, tt := range []struct {
		name string
		body any
		want string
	}{
		{"unnamed rows", map[string]any{"instances": as}, `instance 0 is not an object naming the model's inputs {"a", "b"}`},
		{"a missing input", map[string]any{"inputs": map[string]any{"a": as}}, `"inputs" lacks the input "b"`},
		{"an extra input", map[string]any{"inputs": map[string]any{"a": as, "b": bs, "c": as}}, `names "c", which the model does not take`},
		{"unequal counts", map[string]any{"inputs": map[string]any{"a": as[:2], "b": bs}}, `has 5 instances of the input "b" but 2 of "a"`},
		{"a wrong shape", map[string]any{"inputs": map[string]any{"a": bs, "b": bs}}, `the input "a": instance 0 is nested deeper than the model` + "'s input shape (None, 3)"},
		{"a list for inputs", map[string]any{"inputs": as}, `"inputs" must be an object naming the model's inputs {"a", "b"}`},
	} {
		code, raw := postJSON(tt.body)
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		if code != http.StatusBadRequest || !strings.Contains(e.Error, tt.want) {
			t.Errorf("%s: status %d, %s; want 400 saying %q", tt.name, code, raw, tt.want)
		}
	}
}

// A model of one input and two outputs takes the plain forms and answers by
// output name.
func TestServeOneInputTwoOutputs(t *testing.T) {
	x := models.Input("x", 3)
	h := models.Apply(&layers.Dense{Units: 4, Activation: layers.Tanh}, x)
	y := models.Apply(&layers.Dense{Name: "y", Units: 2}, h)
	z := models.Apply(&layers.Dense{Name: "z", Units: 1, Activation: layers.Sigmoid}, h)
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{y, z})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Losses: map[string]losses.Loss{"y": losses.MeanSquaredError{}, "z": losses.BinaryCrossentropy{}}, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	_, ts := newServer(t, m, serve.Options{Replicas: 1})
	rows := []float32{0.5, -1, 2, 0, 0.25, -0.75}
	ys, err := m.Predict(context.Background(), tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(append([]float32(nil), rows...))))
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"instances": [[0.5, -1, 2], [0, 0.25, -0.75]]}`, `{"inputs": {"x": [[0.5, -1, 2], [0, 0.25, -0.75]]}}`} {
		resp, err := http.Post(ts.URL+"/v1/predict", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var a struct {
			Predictions []struct {
				Y []float64 `json:"y"`
				Z []float64 `json:"z"`
			} `json:"predictions"`
			Outputs struct {
				Y [][]float64 `json:"y"`
				Z [][]float64 `json:"z"`
			} `json:"outputs"`
		}
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, %v", body, resp.StatusCode, err)
		}
		gotY, gotZ := a.Outputs.Y, a.Outputs.Z
		if a.Predictions != nil {
			gotY, gotZ = nil, nil
			for _, p := range a.Predictions {
				gotY, gotZ = append(gotY, p.Y), append(gotZ, p.Z)
			}
		}
		if len(gotY) != 2 || len(gotZ) != 2 {
			t.Fatalf("%s: y %v, z %v, want 2 of each", body, gotY, gotZ)
		}
		for i := 0; i < 2; i++ {
			wantY, wantZ := ys[0].Data().([]float32)[i*2:i*2+2], ys[1].Data().([]float32)[i]
			if len(gotY[i]) != 2 || math.Abs(gotY[i][0]-float64(wantY[0])) > 1e-6 || math.Abs(gotY[i][1]-float64(wantY[1])) > 1e-6 ||
				len(gotZ[i]) != 1 || math.Abs(gotZ[i][0]-float64(wantZ)) > 1e-6 {
				t.Errorf("%s: row %d: y %v z %v, Predict y %v z %v", body, i, gotY[i], gotZ[i], wantY, wantZ)
			}
		}
	}
}
