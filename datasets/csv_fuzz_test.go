package datasets_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// FuzzReadCSV reads arbitrary input with each separator, with and without a
// header, and checks that reading, reporting, cleaning and converting never
// panic and keep the table consistent. The seed corpus is below and in
// testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []struct {
		in   string
		mode byte
	}{
		{"id,age,city,label\n1,34,Paris,yes\n2,NA,,no\n3,?,\"Berlin, DE\",yes\n", 0},
		{"a;b\n1;2\n3;x\n", 1},
		{"1\t2\n3\t4\n", 2 | 8},
		{"a|b|c\n1|2\n4|5|6\n", 3 | 4},
		{"a,b\n\"multi\nline\",\"q\"\"uote\"\n", 0},
		{"\ufeffx,y\n1e308,1e309\nInf,NaN\n-0,0x1p-2\n", 0},
		{"a,a\n1,2\n", 0},
		{"", 0},
		{"a,b\n1,x\"y\n", 0},
	} {
		f.Add(s.in, s.mode)
	}
	f.Fuzz(func(t *testing.T, in string, mode byte) {
		opt := datasets.CSVOptions{
			Comma:       rune(",;\t|"[mode%4]),
			SkipBadRows: mode&4 != 0,
			NoHeader:    mode&8 != 0,
		}
		tab, err := datasets.ReadCSV(strings.NewReader(in), opt)
		if err != nil {
			if tab != nil {
				t.Fatalf("error %v with a table", err)
			}
			return
		}
		checkTable(t, tab)
		r := tab.Report()
		if r.Rows != tab.Rows() || len(r.Columns) != len(tab.Columns) {
			t.Fatalf("report of %d rows, %d columns; table has %d, %d", r.Rows, len(r.Columns), tab.Rows(), len(tab.Columns))
		}
		_ = r.String()

		cells := tab.Rows() * len(tab.Columns)
		if cells <= 10000 {
			target := tab.Columns[len(tab.Columns)-1].Name
			for _, task := range []datasets.Task{datasets.AutoTask, datasets.Regression} {
				d, p, err := tab.ToDataset(datasets.TabularOptions{Target: target, Task: task, IgnoreUnknown: true})
				if err != nil {
					continue
				}
				if d.Len() != tab.Rows() || d.Y == nil || d.X.Shape()[1] != len(p.FeatureNames()) {
					t.Fatalf("dataset X %v, Y %v for %d rows and features %q", d.X.Shape(), d.Y, tab.Rows(), p.FeatureNames())
				}
				b, err := json.Marshal(p)
				if err != nil {
					t.Fatalf("marshal the fitted tabular: %v", err)
				}
				var back datasets.Tabular
				if err := json.Unmarshal(b, &back); err != nil {
					t.Fatalf("unmarshal %s: %v", b, err)
				}
				if _, err := back.Transform(tab); err != nil {
					t.Fatalf("transform after a JSON round trip: %v", err)
				}
			}
		}
		before := tab.Rows()
		if n := tab.DropMissing(); n < 0 || tab.Rows() != before-n {
			t.Fatalf("dropped %d of %d rows, %d left", n, before, tab.Rows())
		}
		checkTable(t, tab)
	})
}

// checkTable checks a table's invariants: columns of equal length, kinds
// that agree with the cells, lines in increasing order.
func checkTable(t *testing.T, tab *datasets.Table) {
	t.Helper()
	n := tab.Rows()
	if len(tab.Lines) != n {
		t.Fatalf("%d lines for %d rows", len(tab.Lines), n)
	}
	for i := 1; i < n; i++ {
		if tab.Lines[i] <= tab.Lines[i-1] {
			t.Fatalf("lines %v not increasing", tab.Lines)
		}
	}
	for _, c := range tab.Columns {
		if len(c.Cells) != n || len(c.Missing) != n {
			t.Fatalf("column %q: %d cells, %d missing flags, want %d", c.Name, len(c.Cells), len(c.Missing), n)
		}
		switch c.Kind {
		case datasets.Numeric:
			if len(c.Values) != n {
				t.Fatalf("numeric column %q: %d values, want %d", c.Name, len(c.Values), n)
			}
			for i, v := range c.Values {
				if c.Missing[i] != (v != v) {
					t.Fatalf("numeric column %q, row %d: value %v, missing %v", c.Name, i, v, c.Missing[i])
				}
			}
		case datasets.Categorical:
			if c.Values != nil {
				t.Fatalf("categorical column %q has values", c.Name)
			}
		default:
			t.Fatalf("column %q has kind %v", c.Name, c.Kind)
		}
	}
}
