package datasets_test

import (
	"math"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

func TestReportMessy(t *testing.T) {
	r := loadMessy(t, false).Report()
	if r.Name != "messy" || r.Rows != 8 || r.Target != "label" || len(r.Columns) != 6 || len(r.Skipped) != 0 {
		t.Fatalf("report %q: %d rows, target %q, %d columns, %d skipped; want messy, 8, label, 6, 0", r.Name, r.Rows, r.Target, len(r.Columns), len(r.Skipped))
	}
	want := []datasets.ColumnReport{
		{Name: "id", Kind: datasets.Numeric, Distinct: 8, Min: 1, Max: 8, Mean: 4.5},
		{Name: "age", Kind: datasets.Numeric, Missing: 2, Distinct: 6, Min: 27, Max: 52, Mean: 221.0 / 6},
		{Name: "city", Kind: datasets.Categorical, Missing: 1, Distinct: 3, Top: "Paris"},
		{Name: "income", Kind: datasets.Numeric, Missing: 2, Distinct: 6, Min: 39000, Max: 70500, Mean: 325500.75 / 6},
		{Name: "note", Kind: datasets.Categorical, Missing: 1, Distinct: 7, Top: "a, b, c"},
		{Name: "label", Kind: datasets.Categorical, Distinct: 2, Top: "no"},
	}
	for i, w := range want {
		g := r.Columns[i]
		if g.Name != w.Name || g.Kind != w.Kind || g.Missing != w.Missing || g.Distinct != w.Distinct || g.Top != w.Top ||
			math.Abs(g.Min-w.Min) > 1e-9 || math.Abs(g.Max-w.Max) > 1e-9 || math.Abs(g.Mean-w.Mean) > 1e-9 {
			t.Errorf("column %d = %+v, want %+v", i, g, w)
		}
	}
	s := r.String()
	for _, line := range []string{
		`messy: 8 rows, 6 columns, target "label"`,
		"column  kind         missing  distinct  top      min    max    mean",
		"age     numeric      2        6                  27     52     36.8333",
		"city    categorical  1        3         Paris",
	} {
		if !strings.Contains(s, line+"\n") {
			t.Errorf("report text lacks the line %q:\n%s", line, s)
		}
	}
}

func TestReportSkippedAndDeclared(t *testing.T) {
	tab, err := datasets.ReadCSV(strings.NewReader("a,b\n1,2\n3\nNA,x\n"), datasets.CSVOptions{SkipBadRows: true, Categorical: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	r := tab.Report()
	if r.Rows != 2 || len(r.Skipped) != 1 || !r.Columns[1].Declared || r.Columns[0].Declared {
		t.Fatalf("report = %+v, want 2 rows, 1 skipped, b declared", r)
	}
	s := r.String()
	for _, want := range []string{"csv: 2 rows, 2 columns, 1 bad rows skipped\n", "b       categorical*", "skipped line 3: 1 fields, want 2\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("report text lacks %q:\n%s", want, s)
		}
	}
	// Dropping the row with a missing cell changes the next report.
	if n := tab.DropMissing(); n != 1 {
		t.Errorf("dropped %d rows, want 1", n)
	}
	if r := tab.Report(); r.Rows != 1 || r.Columns[0].Missing != 0 {
		t.Errorf("after DropMissing: %d rows, %d missing, want 1, 0", r.Rows, r.Columns[0].Missing)
	}
}
