package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
)

// profundo predict and serve take a model of two inputs ("a" of 3 values,
// "b" of [2, 2]) and two outputs ("label", 3 probabilities, and "score"):
// predict reads a CSV whose rows hold a's 3 values then b's 4, and writes
// each output's columns; serve answers the named forms; evaluate refuses,
// saying what to do.
func TestSeveralInputsAndOutputs(t *testing.T) {
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
	dir := filepath.Join(t.TempDir(), "two")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}

	const rows = 4
	var in bytes.Buffer
	aVals, bVals := make([]float32, 0, rows*3), make([]float32, 0, rows*4)
	for i := 0; i < rows; i++ {
		row := []float64{0.2 * float64(i), -0.5, 1, 0.1, float64(i) / 3, -1, 0.7}
		for j, v := range row {
			if j > 0 {
				in.WriteByte(',')
			}
			in.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			if j < 3 {
				aVals = append(aVals, float32(v))
			} else {
				bVals = append(bVals, float32(v))
			}
		}
		in.WriteByte('\n')
	}
	ys, err := m.Predict(context.Background(), []*tensor.Dense{
		tensor.New(tensor.WithShape(rows, 3), tensor.WithBacking(aVals)),
		tensor.New(tensor.WithShape(rows, 2, 2), tensor.WithBacking(bVals)),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := func(i, col int) float64 { // col of "label_0,label_1,label_2,score"
		if col < 3 {
			return float64(ys[0].Data().([]float32)[i*3+col])
		}
		return float64(ys[1].Data().([]float32)[i])
	}

	csvIn, csvOut := filepath.Join(t.TempDir(), "rows.csv"), filepath.Join(t.TempDir(), "out.csv")
	if err := os.WriteFile(csvIn, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"predict", "--model", dir, "--input", csvIn, "--no-header", "--output", csvOut}, &stdout, &stderr); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != rows+1 || strings.Join(recs[0], ",") != "label_0,label_1,label_2,score" {
		t.Fatalf("predict wrote %v (%v), want the header label_0,label_1,label_2,score and %d rows", recs, err, rows)
	}
	for i, rec := range recs[1:] {
		for col, cell := range rec {
			if v, _ := strconv.ParseFloat(cell, 64); math.Abs(v-want(i, col)) > 1e-5 {
				t.Errorf("predict row %d column %s: %s, Predict gives %v", i, recs[0][col], cell, want(i, col))
			}
		}
	}

	// A row of the wrong width names the inputs it should hold.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"predict", "--model", dir, "--input", bad, "--no-header"}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "line 1 has 3 values, the model takes 7") || !strings.Contains(stderr.String(), "a (None, 3), b (None, 2, 2)") {
		t.Errorf("predict on rows of 3: exit %d, %s", code, stderr.String())
	}

	stderr.Reset()
	if code := run(context.Background(), []string{"evaluate", "--model", dir}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "the model takes 2 inputs and gives 2 outputs") || !strings.Contains(stderr.String(), "Functional.Evaluate") {
		t.Errorf("evaluate: exit %d, %s", code, stderr.String())
	}

	url, stop := serveSaved(t, dir)
	defer stop()
	body, _ := json.Marshal(map[string]any{"instances": []map[string]any{{"a": []float64{0, -0.5, 1}, "b": [][]float64{{0.1, 0}, {-1, 0.7}}}}})
	resp, err := http.Post(url+"/v1/predict", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var ans struct {
		Predictions []struct {
			Label []float64 `json:"label"`
			Score []float64 `json:"score"`
		} `json:"predictions"`
	}
	err = json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(ans.Predictions) != 1 {
		t.Fatalf("serve: status %d, %v, %+v", resp.StatusCode, err, ans)
	}
	got := append(ans.Predictions[0].Label, ans.Predictions[0].Score...)
	for col, v := range got {
		if math.Abs(v-want(0, col)) > 1e-5 {
			t.Errorf("serve, value %d: %v, Predict gives %v", col, v, want(0, col))
		}
	}
}
