package datasets_test

import (
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// loadMessy reads testdata/csv/messy.csv (or its semicolon twin) with
// target "label".
func loadMessy(t *testing.T, semicolon bool) *datasets.Table {
	t.Helper()
	path, opt := "testdata/csv/messy.csv", datasets.CSVOptions{Target: "label", Name: "messy"}
	if semicolon {
		path, opt.Comma = "testdata/csv/messy_semicolon.csv", ';'
	}
	tab, err := datasets.LoadCSV(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestReadCSVMessy(t *testing.T) {
	for _, semicolon := range []bool{false, true} {
		name := "comma"
		if semicolon {
			name = "semicolon"
		}
		t.Run(name, func(t *testing.T) {
			tab := loadMessy(t, semicolon)
			if got, want := tab.ColumnNames(), []string{"id", "age", "city", "income", "note", "label"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("columns = %q, want %q", got, want)
			}
			if tab.Rows() != 8 {
				t.Fatalf("rows = %d, want 8", tab.Rows())
			}
			// The quoted line break makes row 7 start on line 8 and row 8 on line 10.
			if want := []int{2, 3, 4, 5, 6, 7, 8, 10}; !reflect.DeepEqual(tab.Lines, want) {
				t.Errorf("lines = %v, want %v", tab.Lines, want)
			}
			kinds := map[string]datasets.ColumnKind{
				"id": datasets.Numeric, "age": datasets.Numeric, "city": datasets.Categorical,
				"income": datasets.Numeric, "note": datasets.Categorical, "label": datasets.Categorical,
			}
			missing := map[string]int{"id": 0, "age": 2, "city": 1, "income": 2, "note": 1, "label": 0}
			for _, c := range tab.Columns {
				if c.Kind != kinds[c.Name] || c.MissingCount() != missing[c.Name] {
					t.Errorf("column %q: kind %v, %d missing; want %v, %d", c.Name, c.Kind, c.MissingCount(), kinds[c.Name], missing[c.Name])
				}
			}
			age, _ := tab.Column("age")
			if !math.IsNaN(age.Values[1]) || !math.IsNaN(age.Values[4]) || age.Values[0] != 34 || age.Values[7] != 27 {
				t.Errorf("age values = %v, want 34, NaN, ..., NaN at 4, ..., 27", age.Values)
			}
			city, _ := tab.Column("city")
			if city.Cells[7] != "Berlin" || !city.IsMissing(3) {
				t.Errorf("city cells = %q, want spaces trimmed and row 3 missing", city.Cells)
			}
			note, _ := tab.Column("note")
			wantNote0, wantNote3 := "likes cheese, wine", `said "hi"`
			if semicolon {
				wantNote3 = `said "hi"; twice`
			}
			if note.Cells[0] != wantNote0 || note.Cells[3] != wantNote3 || note.Cells[6] != "multi\nline" {
				t.Errorf("note cells = %q, want quoted fields read whole", note.Cells)
			}
		})
	}
}

func TestReadCSVOptions(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		opt       datasets.CSVOptions
		names     []string
		kinds     []datasets.ColumnKind
		missing   []int
		firstCell []string
	}{
		{
			name: "no header", in: "1,a\n2,b\n", opt: datasets.CSVOptions{NoHeader: true, Target: "c1"},
			names: []string{"c0", "c1"}, kinds: []datasets.ColumnKind{datasets.Numeric, datasets.Categorical},
			missing: []int{0, 0}, firstCell: []string{"1", "a"},
		},
		{
			name: "declared categorical numbers", in: "zip,y\n75001,1\n10115,2\n", opt: datasets.CSVOptions{Categorical: []string{"zip"}},
			names: []string{"zip", "y"}, kinds: []datasets.ColumnKind{datasets.Categorical, datasets.Numeric},
			missing: []int{0, 0}, firstCell: []string{"75001", "1"},
		},
		{
			name: "custom missing markers", in: "a,b\n-,x\n,y\n", opt: datasets.CSVOptions{Missing: []string{"-"}},
			names: []string{"a", "b"}, kinds: []datasets.ColumnKind{datasets.Categorical, datasets.Categorical},
			missing: []int{1, 0}, firstCell: []string{"-", "x"},
		},
		{
			name: "no missing markers", in: "a\nNA\n?\n", opt: datasets.CSVOptions{Missing: []string{}},
			names: []string{"a"}, kinds: []datasets.ColumnKind{datasets.Categorical}, missing: []int{0}, firstCell: []string{"NA"},
		},
		{
			name: "all missing column is numeric", in: "a,b\nNA,1\n,2\n",
			names: []string{"a", "b"}, kinds: []datasets.ColumnKind{datasets.Numeric, datasets.Numeric}, missing: []int{2, 0}, firstCell: []string{"NA", "1"},
		},
		{
			name: "infinity is not a number", in: "a\n1\nInf\n",
			names: []string{"a"}, kinds: []datasets.ColumnKind{datasets.Categorical}, missing: []int{0}, firstCell: []string{"1"},
		},
		{
			name: "tabs, comments, blank lines and a byte order mark", in: "\ufeffx\ty\n# a comment\n\n1.5\t2\n", opt: datasets.CSVOptions{Comma: '\t', Comment: '#'},
			names: []string{"x", "y"}, kinds: []datasets.ColumnKind{datasets.Numeric, datasets.Numeric}, missing: []int{0, 0}, firstCell: []string{"1.5", "2"},
		},
		{
			name: "empty header names", in: "a,,c\n1,2,3\n",
			names: []string{"a", "c1", "c"}, kinds: []datasets.ColumnKind{datasets.Numeric, datasets.Numeric, datasets.Numeric}, missing: []int{0, 0, 0}, firstCell: []string{"1", "2", "3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := datasets.ReadCSV(strings.NewReader(tt.in), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tab.ColumnNames(), tt.names) {
				t.Fatalf("names = %q, want %q", tab.ColumnNames(), tt.names)
			}
			for j, c := range tab.Columns {
				if c.Kind != tt.kinds[j] || c.MissingCount() != tt.missing[j] || c.Cells[0] != tt.firstCell[j] {
					t.Errorf("column %q: kind %v, %d missing, first cell %q; want %v, %d, %q", c.Name, c.Kind, c.MissingCount(), c.Cells[0], tt.kinds[j], tt.missing[j], tt.firstCell[j])
				}
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	ragged, err := os.ReadFile("testdata/csv/ragged.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		opt  datasets.CSVOptions
		want []string // substrings of the error
	}{
		{"ragged row", string(ragged), datasets.CSVOptions{Name: "ragged"}, []string{`csv "ragged": line 3: 2 fields, want 3`}},
		{"long row", "a,b\n1,2\n3,4,5\n", datasets.CSVOptions{}, []string{`csv "csv": line 3: 3 fields, want 2`}},
		{"ragged row after a quoted line break", "a,b\n\"x\ny\",1\n2\n", datasets.CSVOptions{}, []string{"line 4: 1 fields, want 2"}},
		{"unknown target", "a,b\n1,2\n", datasets.CSVOptions{Target: "price"}, []string{`target column "price" not found`, `the columns are "a", "b"`}},
		{"declared numeric with text", "a,age\n1,3\n2,abc\n", datasets.CSVOptions{Numeric: []string{"age"}}, []string{`line 3, column 2: column "age" is declared numeric, got "abc"`}},
		{"unknown declared column", "a\n1\n", datasets.CSVOptions{Categorical: []string{"b"}}, []string{`Categorical names column "b"`, `the columns are "a"`}},
		{"declared twice", "a\n1\n", datasets.CSVOptions{Categorical: []string{"a"}, Numeric: []string{"a"}}, []string{`column "a" is declared both numeric and categorical`}},
		{"repeated header name", "a,b,a\n1,2,3\n", datasets.CSVOptions{}, []string{`line 1: columns 1 and 3 are both named "a"`}},
		{"empty input", "", datasets.CSVOptions{}, []string{"no rows: the input is empty"}},
		{"header only", "a,b\n", datasets.CSVOptions{}, []string{"no data rows"}},
		{"bare quote", "a,b\n1,x\"y\n", datasets.CSVOptions{}, []string{"line 2", "bare \""}},
		{"unterminated quote", "a,b\n1,\"xy\n", datasets.CSVOptions{}, []string{"extraneous or missing \""}},
		{"bad separator", "a\n1\n", datasets.CSVOptions{Comma: '"'}, []string{"invalid field or comment delimiter"}},
		{"every row bad", "a,b\n1\n2\n", datasets.CSVOptions{SkipBadRows: true}, []string{"all 2 rows are bad", "line 2: 1 fields, want 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := datasets.ReadCSV(strings.NewReader(tt.in), tt.opt)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestReadCSVSkipBadRows(t *testing.T) {
	in := "a,b\n1,2\n3\n4,x\n5,6,7\n8,9\n"
	tab, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{SkipBadRows: true, Numeric: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != 2 || !reflect.DeepEqual(tab.Lines, []int{2, 6}) {
		t.Errorf("rows %d at lines %v, want 2 at lines [2 6]", tab.Rows(), tab.Lines)
	}
	want := []datasets.RowError{
		{Line: 3, Message: "1 fields, want 2"},
		{Line: 4, Column: 2, Message: `column "b" is declared numeric, got "x"`},
		{Line: 5, Message: "3 fields, want 2"},
	}
	if !reflect.DeepEqual(tab.Skipped, want) {
		t.Errorf("skipped = %v, want %v", tab.Skipped, want)
	}
	if got := tab.Skipped[1].Error(); got != `line 4, column 2: column "b" is declared numeric, got "x"` {
		t.Errorf("row error = %q", got)
	}
}

func TestLoadCSV(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "small.csv")
	content := "x,y\n1,a\n2,b\n"
	if err := os.WriteFile(plain, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(dir, "small.csv.gz")
	f, err := os.Create(gz)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{plain, gz} {
		tab, err := datasets.LoadCSV(path, datasets.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tab.Name != path || tab.Rows() != 2 || len(tab.Columns) != 2 {
			t.Errorf("%s: name %q, %d rows, %d columns; want the path, 2, 2", path, tab.Name, tab.Rows(), len(tab.Columns))
		}
	}
	_, err = datasets.LoadCSV(filepath.Join(dir, "none.csv"), datasets.CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), "none.csv") {
		t.Errorf("missing file: error %v, want one naming the file", err)
	}
}

func TestColumnKindText(t *testing.T) {
	for _, k := range []datasets.ColumnKind{datasets.Numeric, datasets.Categorical, 0} {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back datasets.ColumnKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v: round trip gave %v, %v", k, back, err)
		}
	}
	var k datasets.ColumnKind
	if err := k.UnmarshalText([]byte("text")); err == nil {
		t.Error("unmarshal of \"text\": no error")
	}
}
