package serve_test

import (
	"net/http"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/serve"
)

const colorsTable = `x1,x2,color,label
0.1,0.9,red,low
0.8,0.3,blue,high
0.5,0.5,green,low
0.9,0.7,red,high
0.2,0.1,blue,low
0.7,0.8,green,high
`

// tableModel is a model of colorsTable as profundo train makes one: the
// fitted Tabular, an imputer and a scaler, saved and loaded.
func tableModel(t *testing.T) *models.Functional {
	t.Helper()
	tab, err := datasets.ReadCSV(strings.NewReader(colorsTable), datasets.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, p, err := tab.ToDataset(datasets.TabularOptions{Target: "label", Task: datasets.Classification})
	if err != nil {
		t.Fatal(err)
	}
	pipe := &datasets.Pipeline{Steps: []datasets.Transformer{&datasets.SimpleImputer{}, &datasets.StandardScaler{}}}
	if err := pipe.Fit(d.X); err != nil {
		t.Fatal(err)
	}
	m := untrained(t, losses.SparseCategoricalCrossentropy{}, tensor.Float32,
		&layers.Input{Shape: layers.Shape{len(p.FeatureNames())}},
		&layers.Dense{Units: 2, Activation: layers.Softmax},
	)
	m.Preprocessing, m.Tabular, m.ClassNames = pipe, p, d.ClassNames
	return saveAndLoad(t, m)
}

// predictCSV is what profundo predict gives for rows of a CSV.
func predictCSV(t *testing.T, m *models.Functional, csv string) [][]float64 {
	t.Helper()
	tab, err := datasets.ReadCSV(strings.NewReader(csv), datasets.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := m.Tabular.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	return predictRows(t, m, rowsOf(d.X, 0, d.Len()))
}

// A model trained on a table takes raw rows, as predict does: an object
// naming the columns per instance, or the cells in the columns' order;
// null is a missing value; the target may come along. Encoded features
// still work.
func TestTableRows(t *testing.T) {
	m := tableModel(t)
	_, ts := newServer(t, m, serve.Options{Replicas: 1})
	want := predictCSV(t, m, "x1,x2,color\n0.5,0.2,blue\n,0.9,red\n")
	for _, tc := range []struct {
		name string
		rows any
	}{
		{"objects", []any{map[string]any{"x1": 0.5, "x2": 0.2, "color": "blue"}, map[string]any{"x1": nil, "x2": 0.9, "color": "red", "label": "high"}}},
		{"positional", []any{[]any{0.5, 0.2, "blue"}, []any{nil, 0.9, "red"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, tc.rows))
			if err != nil || code != http.StatusOK {
				t.Fatalf("status %d, err %v, error %q", code, err, a.Error)
			}
			if !closeTo(a.Predictions, want, 1e-6) {
				t.Errorf("predictions %v, want %v (predict's)", a.Predictions, want)
			}
			if len(a.Classes) != 2 {
				t.Errorf("classes %v", a.Classes)
			}
		})
	}
	// The encoded features: x1, x2, then the one-hot colors.
	tab, _ := datasets.ReadCSV(strings.NewReader("x1,x2,color\n0.5,0.2,blue\n"), datasets.CSVOptions{})
	d, err := m.Tabular.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, rowsOf(d.X, 0, 1)))
	if err != nil || code != http.StatusOK || !closeTo(a.Predictions, want[:1], 1e-6) {
		t.Errorf("encoded features: status %d, err %v, error %q, predictions %v", code, err, a.Error, a.Predictions)
	}
}

// Bad raw rows are answered 400 with the columns the model takes.
func TestTableRowErrors(t *testing.T) {
	m := tableModel(t)
	_, ts := newServer(t, m, serve.Options{Replicas: 1})
	expected := `the model takes the columns {"x1": a number, "x2": a number, "color": one of "blue", "green", "red"}`
	for _, tc := range []struct {
		name string
		body string
		want string
	}{
		{"unknown column", `{"instances": [{"x1": 1, "x2": 2, "colour": "red"}]}`, `instance 0 names column "colour", which the model does not take`},
		{"missing column", `{"instances": [{"x1": 1, "color": "red"}]}`, `instance 0 has no column "x2" (send null for a missing value)`},
		{"unknown category", `{"instances": [{"x1": 1, "x2": 2, "color": "purple"}]}`, `"purple"`},
		{"not a number", `{"instances": [{"x1": "one", "x2": 2, "color": "red"}]}`, `"one"`},
		{"an object as a cell", `{"instances": [{"x1": {}, "x2": 2, "color": "red"}]}`, `column "x1": {} is not a number, a string or null`},
		{"short list", `{"instances": [[1, "red"]]}`, `instance 0 is 2 cells, the model takes a row of 3`},
		{"encoded features, too few", `{"instances": [[1, 2]]}`, `or send raw rows`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, a, err := post(ts.Client(), ts.URL+"/v1/predict", []byte(tc.body))
			if err != nil || code != http.StatusBadRequest {
				t.Fatalf("status %d, err %v, want 400", code, err)
			}
			if !strings.Contains(a.Error, tc.want) || !strings.Contains(a.Error, expected) {
				t.Errorf("error %q\nwant it to hold %q and %q", a.Error, tc.want, expected)
			}
		})
	}
}
