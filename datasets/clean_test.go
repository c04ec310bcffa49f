package datasets_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

func TestDropMissing(t *testing.T) {
	tab := loadMessy(t, false)
	if n := tab.DropMissing(); n != 3 {
		t.Errorf("DropMissing dropped %d rows, want 3 (lines 3, 5 and 6)", n)
	}
	if !reflect.DeepEqual(tab.Lines, []int{2, 4, 7, 8, 10}) {
		t.Errorf("lines left = %v, want [2 4 7 8 10]", tab.Lines)
	}
	for _, c := range tab.Columns {
		if c.MissingCount() != 0 || len(c.Cells) != 5 || (c.Kind == datasets.Numeric && len(c.Values) != 5) {
			t.Errorf("column %q: %d missing, %d cells, %d values", c.Name, c.MissingCount(), len(c.Cells), len(c.Values))
		}
	}
	if age, _ := tab.Column("age"); !reflect.DeepEqual(age.Values, []float64{34, 29, 38, 52, 27}) {
		t.Errorf("age = %v", age.Values)
	}
}

func TestDropMissingIn(t *testing.T) {
	tab := loadMessy(t, false)
	n, err := tab.DropMissingIn("age", "city")
	if err != nil || n != 3 {
		t.Errorf("DropMissingIn(age, city) = %d, %v; want 3", n, err)
	}
	if _, err := tab.DropMissingIn("nope"); err == nil || !strings.Contains(err.Error(), `column "nope" not found; the columns are "id", "age"`) {
		t.Errorf("unknown column: error %v", err)
	}
	if tab.Rows() != 5 {
		t.Errorf("rows = %d, want 5 (nothing dropped on error)", tab.Rows())
	}
}

func TestDropColumnsAndFillMissing(t *testing.T) {
	tab := loadMessy(t, false)
	if err := tab.DropColumns("id", "label"); err != nil {
		t.Fatal(err)
	}
	if got := tab.ColumnNames(); !reflect.DeepEqual(got, []string{"age", "city", "income", "note"}) || tab.Target != "" {
		t.Errorf("columns %q, target %q after dropping id and the target", got, tab.Target)
	}
	if err := tab.DropColumns("id"); err == nil {
		t.Error("dropping a dropped column: no error")
	}
	n, err := tab.FillMissing("city", "unknown")
	if err != nil || n != 1 {
		t.Errorf("FillMissing(city) = %d, %v; want 1", n, err)
	}
	if c, _ := tab.Column("city"); c.Cells[3] != "unknown" || c.MissingCount() != 0 {
		t.Errorf("city = %q", c.Cells)
	}
	if n, err = tab.FillMissing("age", "30"); err != nil || n != 2 {
		t.Errorf("FillMissing(age) = %d, %v; want 2", n, err)
	}
	if c, _ := tab.Column("age"); c.Values[1] != 30 || c.Values[4] != 30 {
		t.Errorf("age = %v", c.Values)
	}
	if _, err := tab.FillMissing("income", "lots"); err == nil || !strings.Contains(err.Error(), `column "income" is numeric, got "lots"`) {
		t.Errorf("filling a numeric column with text: error %v", err)
	}
}

// dense64 makes a float64 tensor.
func dense64(shape []int, v ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func TestSimpleImputer(t *testing.T) {
	nan := math.NaN()
	// Three features: [1 2 2 NaN 7], [NaN 4 NaN 4 0], [5 5 5 5 5].
	train := dense64([]int{5, 3},
		1, nan, 5,
		2, 4, 5,
		2, nan, 5,
		nan, 4, 5,
		7, 0, 5)
	test := dense64([]int{2, 3}, nan, nan, nan, 9, 9, 9)
	tests := []struct {
		imp  datasets.SimpleImputer
		want []float64 // the filled first test row
	}{
		{datasets.SimpleImputer{}, []float64{3, 8.0 / 3, 5}},
		{datasets.SimpleImputer{Strategy: datasets.ImputeMedian}, []float64{2, 4, 5}},
		{datasets.SimpleImputer{Strategy: datasets.ImputeMostFrequent}, []float64{2, 4, 5}},
		{datasets.SimpleImputer{Strategy: datasets.ImputeConstant, Value: -1}, []float64{-1, -1, -1}},
		{datasets.SimpleImputer{Strategy: datasets.ImputeConstant}, []float64{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.imp.Strategy.String(), func(t *testing.T) {
			imp := tt.imp
			if err := imp.Fit(train); err != nil {
				t.Fatal(err)
			}
			got, err := imp.Transform(test)
			if err != nil {
				t.Fatal(err)
			}
			want := append(tt.want, 9, 9, 9)
			if !sameFloats(got.Data().([]float64), want) {
				t.Errorf("Transform = %v, want %v", got.Data(), want)
			}
			if !math.IsNaN(test.Data().([]float64)[0]) {
				t.Error("Transform changed its input")
			}
			// A JSON round trip gives the same transform.
			b, err := json.Marshal(&imp)
			if err != nil {
				t.Fatal(err)
			}
			var back datasets.SimpleImputer
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			again, err := back.Transform(test)
			if err != nil || !sameFloats(again.Data().([]float64), want) {
				t.Errorf("after a JSON round trip (%s): %v, %v", b, again, err)
			}
		})
	}
}

func TestSimpleImputerErrors(t *testing.T) {
	nan := math.NaN()
	allNaN := dense64([]int{2, 2}, 1, nan, 2, nan)
	imp := datasets.SimpleImputer{}
	if err := imp.Fit(allNaN); err == nil || !strings.Contains(err.Error(), "simple_imputer: fit: feature 1 has no values to take the mean of: all 2 rows are NaN") {
		t.Errorf("all-NaN feature: error %v", err)
	}
	constant := datasets.SimpleImputer{Strategy: datasets.ImputeConstant, Value: 3}
	if err := constant.Fit(allNaN); err != nil {
		t.Errorf("constant on an all-NaN feature: %v", err)
	}
	if _, err := (&datasets.SimpleImputer{}).Transform(allNaN); err == nil || !strings.Contains(err.Error(), "simple_imputer: transform before fit") {
		t.Errorf("before fit: error %v", err)
	}
	if _, err := constant.Transform(dense64([]int{1, 3}, 1, 2, 3)); err == nil || !strings.Contains(err.Error(), "simple_imputer: transform: x shape (1, 3) has features (3), fitted on features (2)") {
		t.Errorf("shape mismatch: error %v", err)
	}
	var s datasets.ImputeStrategy
	if err := json.Unmarshal([]byte(`"mode"`), &s); err == nil {
		t.Error(`unmarshal of strategy "mode": no error`)
	}
}

func TestMalformedTable(t *testing.T) {
	tab := &datasets.Table{Name: "hand", Target: "y", Columns: []datasets.Column{
		{Name: "x", Kind: datasets.Numeric, Cells: []string{"1", "2"}, Values: []float64{1}},
		{Name: "y", Kind: datasets.Categorical, Cells: []string{"a", "b"}},
	}}
	want := `table "hand": numeric column "x" has 1 values, want 2`
	if _, _, err := tab.ToDataset(datasets.TabularOptions{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ToDataset: error %v, want %q", err, want)
	}
	if _, err := tab.DropMissingIn("x"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("DropMissingIn: error %v, want %q", err, want)
	}
	if n := tab.DropMissing(); n != 0 {
		t.Errorf("DropMissing = %d, want 0", n)
	}
	// Fixed, the hand-built table converts; Lines nil makes errors name rows.
	tab.Columns[0].Values = []float64{1, 2}
	d, _, err := tab.ToDataset(datasets.TabularOptions{})
	if err != nil || d.Len() != 2 {
		t.Fatalf("ToDataset = %v, %v", d, err)
	}
	tab.Columns[0].Kind = datasets.Categorical
	tab.Columns[0].Cells[1] = "two"
	_, _, err = tab.ToDataset(datasets.TabularOptions{Task: datasets.Regression, Target: "x"})
	if err == nil || !strings.Contains(err.Error(), `target column "x", row 1: "two" is not a number`) {
		t.Errorf("regression on text: error %v", err)
	}
}
