package datasets

import (
	"math"

	"github.com/pkg/errors"
)

// DropMissing removes every row that has a missing cell in any column and
// returns how many it removed. Report counts the missing cells beforehand.
// A malformed table (columns of different lengths, as only a table built by
// hand can be) is left as it is.
func (t *Table) DropMissing() (dropped int) {
	if t.check() != nil {
		return 0
	}
	all := make([]int, len(t.Columns))
	for i := range all {
		all[i] = i
	}
	return t.dropRowsMissingIn(all)
}

// DropMissingIn removes the rows that have a missing cell in one of the named
// columns (t.DropMissingIn(t.Target) drops the unlabelled rows) and returns
// how many it removed. An unknown name is an error that lists the columns,
// and then nothing is removed; so is a malformed table.
func (t *Table) DropMissingIn(columns ...string) (dropped int, err error) {
	if err := t.check(); err != nil {
		return 0, errors.Wrap(err, "drop missing")
	}
	idx := make([]int, 0, len(columns))
	for _, name := range columns {
		j, err := t.columnIndex(name)
		if err != nil {
			return 0, errors.Wrapf(err, "table %q: drop missing", t.Name)
		}
		idx = append(idx, j)
	}
	return t.dropRowsMissingIn(idx), nil
}

func (t *Table) dropRowsMissingIn(cols []int) int {
	n := t.Rows()
	keep := make([]int, 0, n)
	for i := 0; i < n; i++ {
		ok := true
		for _, j := range cols {
			if t.Columns[j].IsMissing(i) {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, i)
		}
	}
	if len(keep) == n {
		return 0
	}
	for j := range t.Columns {
		c := &t.Columns[j]
		c.Cells = keepRows(c.Cells, keep)
		if c.Missing != nil {
			c.Missing = keepRows(c.Missing, keep)
		}
		if c.Values != nil {
			c.Values = keepRows(c.Values, keep)
		}
	}
	if t.Lines != nil {
		t.Lines = keepRows(t.Lines, keep)
	}
	return n - len(keep)
}

// keepRows returns the rows keep of s (in increasing order) in a new slice.
func keepRows[T any](s []T, keep []int) []T {
	out := make([]T, len(keep))
	for i, r := range keep {
		out[i] = s[r]
	}
	return out
}

// DropColumns removes the named columns (an id column, a leak of the
// target). An unknown name is an error that lists the columns, and then
// nothing is removed. Dropping the target column clears Target.
func (t *Table) DropColumns(names ...string) error {
	drop := make(map[int]bool, len(names))
	for _, name := range names {
		j, err := t.columnIndex(name)
		if err != nil {
			return errors.Wrapf(err, "table %q: drop columns", t.Name)
		}
		drop[j] = true
	}
	kept := t.Columns[:0:0]
	for j, c := range t.Columns {
		if drop[j] {
			if c.Name == t.Target {
				t.Target = ""
			}
			continue
		}
		kept = append(kept, c)
	}
	t.Columns = kept
	return nil
}

// FillMissing sets the missing cells of the named column to value, which
// then counts as present: a category of a categorical column (for instance
// "unknown", so that missing is a category of its own), or a number for a
// numeric column (a value that is not a finite number is an error). To fill
// numbers with statistics of the training rows, use SimpleImputer on the
// features instead. It returns how many cells it filled.
func (t *Table) FillMissing(column, value string) (filled int, err error) {
	j, err := t.columnIndex(column)
	if err != nil {
		return 0, errors.Wrapf(err, "table %q: fill missing", t.Name)
	}
	c := &t.Columns[j]
	v := math.NaN()
	if c.Kind == Numeric {
		var ok bool
		if v, ok = parseNumber(value); !ok {
			return 0, errors.Errorf("table %q: fill missing: column %q is numeric, got %q", t.Name, column, value)
		}
	}
	for i := range c.Cells {
		if !c.IsMissing(i) {
			continue
		}
		c.Cells[i], c.Missing[i] = value, false
		if c.Kind == Numeric && i < len(c.Values) {
			c.Values[i] = v
		}
		filled++
	}
	return filled, nil
}

func (t *Table) columnIndex(name string) (int, error) {
	for j := range t.Columns {
		if t.Columns[j].Name == name {
			return j, nil
		}
	}
	return 0, errors.Errorf("column %q not found; the columns are %s", name, quoteList(t.ColumnNames()))
}
