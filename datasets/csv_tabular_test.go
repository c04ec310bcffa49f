package datasets_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// readTable reads an inline CSV or fails the test.
func readTable(t *testing.T, in string, opt datasets.CSVOptions) *datasets.Table {
	t.Helper()
	tab, err := datasets.ReadCSV(strings.NewReader(in), opt)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// sameFloats compares with NaN equal to NaN.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestToDatasetMessy(t *testing.T) {
	for _, semicolon := range []bool{false, true} {
		tab := loadMessy(t, semicolon)
		d, p, err := tab.ToDataset(datasets.TabularOptions{Exclude: []string{"id", "note"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Validate(); err == nil || !strings.Contains(err.Error(), "row 1, position 0 of the row: value NaN") {
			t.Errorf("Validate = %v, want the first NaN (missing age) named", err)
		}
		nan := math.NaN()
		wantX := []float64{
			34, 0, 0, 1, 52000.5,
			nan, 0, 1, 0, nan,
			29, 0, 0, 1, 61000,
			41, nan, nan, nan, 48000,
			nan, 1, 0, 0, nan,
			38, 0, 1, 0, 55000.25,
			52, 0, 0, 1, 70500,
			27, 1, 0, 0, 39000,
		}
		if got := d.X.Shape(); !reflect.DeepEqual([]int(got), []int{8, 5}) {
			t.Fatalf("X shape = %v, want (8, 5)", got)
		}
		if !sameFloats(d.X.Data().([]float64), wantX) {
			t.Errorf("X = %v, want %v", d.X.Data(), wantX)
		}
		if got := d.Y.Data().([]float64); !reflect.DeepEqual(got, []float64{1, 0, 1, 0, 1, 0, 1, 0}) {
			t.Errorf("Y = %v, want yes=1, no=0", got)
		}
		if !reflect.DeepEqual(d.ClassNames, []string{"no", "yes"}) || d.Name != "messy" {
			t.Errorf("ClassNames %q, Name %q; want [no yes], messy", d.ClassNames, d.Name)
		}
		if got, want := p.FeatureNames(), []string{"age", "city=Berlin", "city=London", "city=Paris", "income"}; !reflect.DeepEqual(got, want) {
			t.Errorf("feature names = %q, want %q", got, want)
		}
		if p.Task != datasets.Classification || p.Target != "label" {
			t.Errorf("fitted task %v, target %q; want classification, label", p.Task, p.Target)
		}
	}
}

func TestToDatasetTargets(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		csv        datasets.CSVOptions
		opt        datasets.TabularOptions
		wantTask   datasets.Task
		wantY      []float64
		wantYShape []int
		wantNames  []string
	}{
		{"numeric classes detected", "x,y\n1,0\n2,1\n3,1\n4,0\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{},
			datasets.Classification, []float64{0, 1, 1, 0}, []int{4}, []string{"0", "1"}},
		{"numeric labels sorted as numbers", "x,y\n1,10\n2,2\n3,2.0\n4,10\n5,7\n6,7\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{},
			datasets.Classification, []float64{2, 0, 0, 2, 1, 1}, []int{6}, []string{"2", "7", "10"}},
		{"regression detected", "x,y\n1,0.5\n2,1.5\n3,2\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{},
			datasets.Regression, []float64{0.5, 1.5, 2}, []int{3, 1}, nil},
		{"regression declared on integers", "x,y\n1,0\n2,1\n3,1\n4,0\n", datasets.CSVOptions{}, datasets.TabularOptions{Target: "y", Task: datasets.Regression},
			datasets.Regression, []float64{0, 1, 1, 0}, []int{4, 1}, nil},
		{"regression on a categorical column of numbers", "x,y\n1,3\n2,4\n", datasets.CSVOptions{Target: "y", Categorical: []string{"y"}}, datasets.TabularOptions{Task: datasets.Regression},
			datasets.Regression, []float64{3, 4}, []int{2, 1}, nil},
		{"classification declared on floats", "x,y\n1,0.5\n2,1.5\n3,0.5\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{Task: datasets.Classification},
			datasets.Classification, []float64{0, 1, 0}, []int{3}, []string{"0.5", "1.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, p, err := readTable(t, tt.in, tt.csv).ToDataset(tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if p.Task != tt.wantTask {
				t.Errorf("task = %v, want %v", p.Task, tt.wantTask)
			}
			if got := d.Y.Data().([]float64); !reflect.DeepEqual(got, tt.wantY) || !reflect.DeepEqual([]int(d.Y.Shape()), tt.wantYShape) {
				t.Errorf("Y = %v %v, want %v %v", got, d.Y.Shape(), tt.wantY, tt.wantYShape)
			}
			if !reflect.DeepEqual(d.ClassNames, tt.wantNames) {
				t.Errorf("ClassNames = %q, want %q", d.ClassNames, tt.wantNames)
			}
		})
	}
}

func TestToDatasetErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		csv  datasets.CSVOptions
		opt  datasets.TabularOptions
		want []string
	}{
		{"no target", "a,b\n1,2\n", datasets.CSVOptions{}, datasets.TabularOptions{}, []string{"no target column"}},
		{"unknown target", "a,b\n1,2\n", datasets.CSVOptions{Name: "t"}, datasets.TabularOptions{Target: "price"},
			[]string{`table "t": target: column "price" not found; the columns are "a", "b"`}},
		{"regression on text", "x,species\n1,setosa\n2,virginica\n", datasets.CSVOptions{Target: "species"}, datasets.TabularOptions{Task: datasets.Regression},
			[]string{`target column "species" has no numeric values (line 2: "setosa")`, "regression needs numbers"}},
		{"regression on some text", "x,y\n1,2\n2,n/a\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{Task: datasets.Regression},
			[]string{`target column "y", line 3: "n/a" is not a number`}},
		{"missing target", "x,y\n1,a\n2,\n3,NA\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{},
			[]string{`target column "y" is missing in 2 rows, the first at line 3`, `DropMissingIn("y")`}},
		{"numeric feature with no values", "x,z,y\n1,NA,a\n2,?,b\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{},
			[]string{`column "z" has no numeric values: all 2 cells are missing`}},
		{"categorical feature with no values", "x,z,y\n1,NA,a\n2,?,b\n", datasets.CSVOptions{Target: "y", Categorical: []string{"z"}}, datasets.TabularOptions{},
			[]string{`column "z" has no values: all 2 cells are missing`}},
		{"only a target", "y\n1\n2\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{}, []string{"no feature columns"}},
		{"unknown excluded column", "x,y\n1,2\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{Exclude: []string{"id"}},
			[]string{`exclude: column "id" not found`}},
		{"ordinal target", "x,y\n1,2\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{Ordinal: map[string][]string{"y": nil}},
			[]string{`ordinal: column "y" is the target or excluded`}},
		{"ordinal category not listed", "x,g,y\n1,low,a\n2,top,b\n", datasets.CSVOptions{Target: "y"}, datasets.TabularOptions{Ordinal: map[string][]string{"g": {"low", "high"}}},
			[]string{`column "g", line 3: unknown category "top"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readTable(t, tt.in, tt.csv).ToDataset(tt.opt)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestTabularTransformNewData(t *testing.T) {
	train := readTable(t, "size,color,grade,y\n1,red,low,a\n2,blue,high,b\n3,red,medium,a\n", datasets.CSVOptions{Target: "y"})
	opt := datasets.TabularOptions{Ordinal: map[string][]string{"grade": {"low", "medium", "high"}}}
	_, p, err := train.ToDataset(opt)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.FeatureNames(), []string{"size", "color=blue", "color=red", "grade"}; !reflect.DeepEqual(got, want) {
		t.Errorf("feature names = %q, want %q", got, want)
	}
	// New rows: columns in another order, no target, an extra column.
	fresh := readTable(t, "grade,extra,color,size\nhigh,x,blue,7\nlow,y,red,NA\n", datasets.CSVOptions{Name: "new"})
	d, err := p.Transform(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{7, 1, 0, 2, math.NaN(), 0, 1, 0}; !sameFloats(d.X.Data().([]float64), want) {
		t.Errorf("X = %v, want %v", d.X.Data(), want)
	}
	if d.Y != nil || !reflect.DeepEqual(d.ClassNames, []string{"a", "b"}) {
		t.Errorf("Y = %v, ClassNames %q; want nil, [a b]", d.Y, d.ClassNames)
	}

	// A category not seen in training.
	unknown := readTable(t, "size,color,grade,y\n1,green,low,a\n", datasets.CSVOptions{Name: "new"})
	_, err = p.Transform(unknown)
	if err == nil || !strings.Contains(err.Error(), `table "new": one-hot encoder: column "color", line 2: unknown category "green"; the categories are "blue", "red"`) {
		t.Errorf("unknown category: error %v", err)
	}
	opt.IgnoreUnknown = true
	_, p2, err := train.ToDataset(opt)
	if err != nil {
		t.Fatal(err)
	}
	d, err = p2.Transform(unknown)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 0, 0, 0}; !sameFloats(d.X.Data().([]float64), want) {
		t.Errorf("ignored unknown: X = %v, want %v", d.X.Data(), want)
	}
	// An unknown class and a missing column.
	for in, want := range map[string]string{
		"size,color,grade,y\n1,red,low,c\n":                `target column "y", line 2: unknown label "c"`,
		"size,grade,y\n1,low,a\n":                          `column "color" not found`,
		"size,color,grade,y\n1,red,low,a\nbig,red,low,a\n": `column "size", line 3: "big" is not a number`,
	} {
		if _, err := p.Transform(readTable(t, in, datasets.CSVOptions{})); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
	if _, err := (&datasets.Tabular{}).Transform(train); err == nil || !strings.Contains(err.Error(), "transform before fit") {
		t.Errorf("unfitted: error %v", err)
	}
}

func TestTabularJSONRoundTrip(t *testing.T) {
	tab := loadMessy(t, false)
	if _, err := tab.DropMissingIn("city"); err != nil {
		t.Fatal(err)
	}
	want, p, err := tab.ToDataset(datasets.TabularOptions{Exclude: []string{"id"}, Ordinal: map[string][]string{"city": nil}, IgnoreUnknown: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back datasets.Tabular
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, p) {
		t.Errorf("round trip changed the fitted Tabular:\n%s\n%+v\n%+v", b, back, *p)
	}
	got, err := back.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(got.X.Data().([]float64), want.X.Data().([]float64)) || !reflect.DeepEqual(got.Y.Data(), want.Y.Data()) {
		t.Errorf("round trip: X %v Y %v, want %v %v", got.X.Data(), got.Y.Data(), want.X.Data(), want.Y.Data())
	}
	for _, key := range []string{`"task":"classification"`, `"target_kind":"categorical"`, `"kind":"numeric"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
}

func TestDetectTask(t *testing.T) {
	seq := func(n int, f func(i int) string) string {
		var b strings.Builder
		b.WriteString("y\n")
		for i := 0; i < n; i++ {
			b.WriteString(f(i) + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name string
		in   string
		want datasets.Task
	}{
		{"text labels", "y\ncat\ndog\n", datasets.Classification},
		{"binary integers in three rows", "y\n0\n1\n1\n", datasets.Classification},
		{"three classes of 50", seq(150, func(i int) string { return strconv.Itoa(i % 3) }), datasets.Classification},
		{"20 classes, 2 rows each", seq(40, func(i int) string { return strconv.Itoa(i % 20) }), datasets.Classification},
		{"20 classes, fewer than 2 rows each", seq(39, func(i int) string { return strconv.Itoa(i % 20) }), datasets.Regression},
		{"21 integer values", seq(210, func(i int) string { return strconv.Itoa(i % 21) }), datasets.Regression},
		{"few rows of distinct integers", "y\n5\n7\n9\n11\n", datasets.Regression},
		{"fractions", "y\n0.5\n1\n0.5\n1\n", datasets.Regression},
		{"missing cells ignored", "y\n1\nNA\n0\n?\n", datasets.Classification},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readTable(t, tt.in, datasets.CSVOptions{}).DetectTask("y")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("DetectTask = %v, want %v", got, tt.want)
			}
		})
	}
	_, err := readTable(t, "y,x\nNA,1\n", datasets.CSVOptions{}).DetectTask("y")
	if err == nil || !strings.Contains(err.Error(), `target column "y" has no values`) {
		t.Errorf("all missing: error %v", err)
	}
}

func TestParseTask(t *testing.T) {
	for in, want := range map[string]datasets.Task{"": datasets.AutoTask, "auto": datasets.AutoTask, "Classification": datasets.Classification, "regression": datasets.Regression} {
		got, err := datasets.ParseTask(in)
		if err != nil || got != want {
			t.Errorf("ParseTask(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := datasets.ParseTask("clustering"); err == nil || !strings.Contains(err.Error(), `task "clustering" is not classification, regression or auto`) {
		t.Errorf("ParseTask(clustering): error %v", err)
	}
}
