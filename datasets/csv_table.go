package datasets

import (
	"fmt"

	"github.com/pkg/errors"
)

// ColumnKind says how a column's cells are read.
type ColumnKind uint8

const (
	// Numeric columns hold finite numbers; a missing cell is NaN.
	Numeric ColumnKind = iota + 1
	// Categorical columns hold category names, numbers included, as text.
	Categorical
)

// String is "numeric", "categorical", or "ColumnKind(n)" for other values.
func (k ColumnKind) String() string {
	switch k {
	case Numeric:
		return "numeric"
	case Categorical:
		return "categorical"
	}
	return fmt.Sprintf("ColumnKind(%d)", uint8(k))
}

// MarshalText writes the kind's String ("numeric", "categorical"), or ""
// for the zero value.
func (k ColumnKind) MarshalText() ([]byte, error) {
	if k == 0 {
		return []byte{}, nil
	}
	if k != Numeric && k != Categorical {
		return nil, errors.Errorf("column kind: unknown kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads "numeric", "categorical", or "" (the zero value).
func (k *ColumnKind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "":
		*k = 0
	case "numeric":
		*k = Numeric
	case "categorical":
		*k = Categorical
	default:
		return errors.Errorf("column kind: %q is not numeric or categorical", b)
	}
	return nil
}

// Column is one column of a Table: a cell per row, the cell's missing flag,
// and, for a numeric column, the parsed numbers.
type Column struct {
	// Name is the header's name, or "c<i>" without a header.
	Name string
	// Kind is Numeric or Categorical.
	Kind ColumnKind
	// Declared says the kind came from CSVOptions.Numeric or Categorical
	// rather than from the cells.
	Declared bool
	// Cells holds each row's text, spaces trimmed.
	Cells []string
	// Missing flags the missing cells. Nil means none is missing.
	Missing []bool
	// Values holds a numeric column's numbers, NaN where missing; nil for a
	// categorical column.
	Values []float64
}

// IsMissing says whether row i's cell is missing.
func (c *Column) IsMissing(i int) bool {
	return i < len(c.Missing) && c.Missing[i]
}

// MissingCount is the number of missing cells.
func (c *Column) MissingCount() int {
	n := 0
	for _, m := range c.Missing {
		if m {
			n++
		}
	}
	return n
}

// RowError is a row that could not be read: Line is the line of the input
// where the row starts (1-based), Column the field (1-based, 0 when the
// whole row is bad).
type RowError struct {
	Line    int
	Column  int
	Message string
}

// Error is "line L, column C: message", or "line L: message".
func (e RowError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// Table is tabular data read from a CSV: named columns of equal length, each
// numeric or categorical. ToDataset turns it into features and targets.
type Table struct {
	// Name names the table in errors and reports.
	Name string
	// Target names the target column; empty means none chosen yet.
	Target string
	// Columns holds the columns in file order.
	Columns []Column
	// Lines holds the input line where each row starts (1-based). Nil means
	// unknown (a table built by hand): errors then name the row (0-based).
	Lines []int
	// Skipped holds the rows left out with CSVOptions.SkipBadRows.
	Skipped []RowError
}

// Rows is the number of rows: the length of the first column (0 without
// columns).
func (t *Table) Rows() int {
	if len(t.Columns) == 0 {
		return 0
	}
	return len(t.Columns[0].Cells)
}

// ColumnNames returns the column names in order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Column returns the column with the given name, or an error that lists the
// table's columns.
func (t *Table) Column(name string) (*Column, error) {
	j, err := t.columnIndex(name)
	if err != nil {
		return nil, err
	}
	return &t.Columns[j], nil
}

// where names row i in errors: "line L" from Lines, else "row i".
func (t *Table) where(i int) string {
	if i < len(t.Lines) {
		return fmt.Sprintf("line %d", t.Lines[i])
	}
	return fmt.Sprintf("row %d", i)
}

// check checks the table's structure: columns present, named uniquely, of
// equal length, with a known kind, and numeric ones with their values.
func (t *Table) check() error {
	if len(t.Columns) == 0 {
		return errors.Errorf("table %q has no columns", t.Name)
	}
	n := t.Rows()
	seen := make(map[string]bool, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		if seen[c.Name] {
			return errors.Errorf("table %q: two columns are named %q", t.Name, c.Name)
		}
		seen[c.Name] = true
		if len(c.Cells) != n || (c.Missing != nil && len(c.Missing) != n) {
			return errors.Errorf("table %q: column %q has %d cells and %d missing flags, want %d", t.Name, c.Name, len(c.Cells), len(c.Missing), n)
		}
		switch c.Kind {
		case Numeric:
			if len(c.Values) != n {
				return errors.Errorf("table %q: numeric column %q has %d values, want %d", t.Name, c.Name, len(c.Values), n)
			}
		case Categorical:
		default:
			return errors.Errorf("table %q: column %q has kind %v, want numeric or categorical", t.Name, c.Name, c.Kind)
		}
	}
	if t.Lines != nil && len(t.Lines) != n {
		return errors.Errorf("table %q: %d line numbers for %d rows", t.Name, len(t.Lines), n)
	}
	return nil
}
