package datasets

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
)

// Report describes what a Table holds: its rows, and each column's kind,
// missing cells and summary statistics. Report.String prints it as a table.
type Report struct {
	// Name is the table's name.
	Name string
	// Target is the table's target column, empty when none.
	Target string
	// Rows is the number of rows read (skipped rows not included).
	Rows int
	// Columns describes each column, in order.
	Columns []ColumnReport
	// Skipped lists the rows left out as bad (CSVOptions.SkipBadRows).
	Skipped []RowError
}

// ColumnReport describes one column. Min, Max and Mean are over the
// non-missing cells of a numeric column; they are 0 for a categorical column
// or one with every cell missing.
type ColumnReport struct {
	Name string
	Kind ColumnKind
	// Declared says the kind was declared in CSVOptions, not detected.
	Declared bool
	// Missing counts the missing cells.
	Missing int
	// Distinct counts the distinct non-missing cells (numbers by value).
	Distinct int
	// Top is a categorical column's most frequent category (the first in
	// sorted order on a tie); empty for numeric columns.
	Top            string
	Min, Max, Mean float64
}

// Report summarises the table. It reads the table's columns as they are
// now, so it reflects DropMissing and FillMissing.
func (t *Table) Report() Report {
	r := Report{Name: t.Name, Target: t.Target, Rows: t.Rows(), Skipped: append([]RowError(nil), t.Skipped...)}
	for i := range t.Columns {
		r.Columns = append(r.Columns, columnReport(&t.Columns[i]))
	}
	return r
}

func columnReport(c *Column) ColumnReport {
	cr := ColumnReport{Name: c.Name, Kind: c.Kind, Declared: c.Declared, Missing: c.MissingCount()}
	if c.Kind == Numeric && len(c.Values) == len(c.Cells) {
		seen := make(map[float64]bool)
		sum, n := 0.0, 0
		cr.Min, cr.Max = math.Inf(1), math.Inf(-1)
		for i, v := range c.Values {
			if c.IsMissing(i) || math.IsNaN(v) {
				continue
			}
			seen[v] = true
			sum += v
			n++
			cr.Min, cr.Max = math.Min(cr.Min, v), math.Max(cr.Max, v)
		}
		cr.Distinct = len(seen)
		if n == 0 {
			cr.Min, cr.Max = 0, 0
		} else {
			cr.Mean = sum / float64(n)
		}
		return cr
	}
	counts := make(map[string]int)
	for i, cell := range c.Cells {
		if !c.IsMissing(i) {
			counts[cell]++
		}
	}
	cr.Distinct = len(counts)
	best := 0
	for cat, k := range counts {
		if k > best || (k == best && cat < cr.Top) {
			cr.Top, best = cat, k
		}
	}
	return cr
}

// String writes the report as a text table, one line per column (a declared
// kind is marked with *), then one line per skipped row:
//
//	messy: 6 rows, 4 columns, target "label"
//	column  kind         missing  distinct  top    min  max  mean
//	age     numeric      2        4                29   41   35.5
//	city    categorical  1        3         Paris
//	...
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d rows, %d columns", r.Name, r.Rows, len(r.Columns))
	if r.Target != "" {
		fmt.Fprintf(&b, ", target %q", r.Target)
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, ", %d bad rows skipped", len(r.Skipped))
	}
	b.WriteString("\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "column\tkind\tmissing\tdistinct\ttop\tmin\tmax\tmean")
	for _, c := range r.Columns {
		kind := c.Kind.String()
		if c.Declared {
			kind += "*"
		}
		stats := "\t\t"
		if c.Kind == Numeric && c.Missing < r.Rows {
			stats = reportNumber(c.Min) + "\t" + reportNumber(c.Max) + "\t" + reportNumber(c.Mean)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\n", reportText(c.Name), kind, c.Missing, c.Distinct, reportText(c.Top), stats)
	}
	w.Flush()
	lines := strings.Split(b.String(), "\n")
	b.Reset()
	for _, l := range lines[:len(lines)-1] {
		b.WriteString(strings.TrimRight(l, " "))
		b.WriteString("\n")
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "skipped %v\n", s)
	}
	return b.String()
}

// reportText quotes s when it holds a tab, a line break or another
// character that would break the table's layout.
func reportText(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}

// reportNumber formats a statistic with up to 6 significant digits.
func reportNumber(v float64) string {
	return strconv.FormatFloat(v, 'g', 6, 64)
}
