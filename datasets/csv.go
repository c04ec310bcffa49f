package datasets

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// CSVOptions says how ReadCSV reads a table. The zero value reads a
// comma-separated file whose first row names the columns, detects each
// column's kind and treats the DefaultMissing markers as missing cells.
type CSVOptions struct {
	// Name names the table in errors and reports, and becomes the Dataset's
	// Name. Empty means "csv" (LoadCSV: the path).
	Name string
	// Comma is the field separator: ',', ';', '\t', '|'... Zero means ','.
	// Fields may be quoted with '"' (RFC 4180), so a quoted field may hold
	// the separator, quotes written twice ("") and line breaks.
	Comma rune
	// Comment starts a comment line when it is the first character of a
	// line. Zero means no comment lines.
	Comment rune
	// NoHeader says the first row is data, not column names; the columns are
	// then named "c0", "c1", ... False: the first row names the columns.
	NoHeader bool
	// Target names the target column; it must exist. Empty means none here
	// (ToDataset then needs TabularOptions.Target).
	Target string
	// Categorical names columns to read as categories even when every cell
	// is a number (codes, zip codes, integer class labels to be named). Nil
	// means none: kinds are detected.
	Categorical []string
	// Numeric names columns that must hold numbers: a cell that is neither
	// missing nor a finite number is a bad row. Nil means none: kinds are
	// detected.
	Numeric []string
	// Missing lists the cell texts (after trimming spaces) that mean a
	// missing value. Nil means DefaultMissing(); an empty non-nil list means
	// that no cell is missing.
	Missing []string
	// SkipBadRows skips a row whose number of fields differs from the
	// header's or whose declared-numeric cell is not a number, and records it
	// in Table.Skipped. False: the first bad row is an error.
	SkipBadRows bool
	// Encoding is the text's encoding: "utf-8" or "latin-1" (ISO 8859-1,
	// decoded to UTF-8). Empty means UTF-8, and a cell that is not valid
	// UTF-8 is an error naming its line: bytes are never replaced, so two
	// labels cannot merge into one.
	Encoding string
	// MaxLineBytes is the longest line read, in bytes; zero means
	// DefaultMaxLineBytes (1 MiB), a negative value no limit.
	MaxLineBytes int
	// MaxFields is the most fields a row may have; zero means
	// DefaultMaxFields (10,000), a negative value no limit.
	MaxFields int
	// MaxBytes is the most bytes read in all (after gunzipping); zero means
	// DefaultMaxBytes (4 GiB), a negative value no limit.
	MaxBytes int64
}

// DefaultMissing returns the cell texts that mean a missing value when
// CSVOptions.Missing is nil: "", "NA", "N/A", "NaN", "nan", "?" and "null".
func DefaultMissing() []string {
	return []string{"", "NA", "N/A", "NaN", "nan", "?", "null"}
}

// LoadCSV reads the CSV file at path with ReadCSV; a path ending in ".gz" is
// gunzipped first. An empty opt.Name becomes the path.
func LoadCSV(path string, opt CSVOptions) (*Table, error) {
	if opt.Name == "" {
		opt.Name = path
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "load csv")
	}
	defer f.Close()
	// A file over the size limit is refused before it is read.
	if fi, err := f.Stat(); err == nil && !strings.HasSuffix(path, ".gz") {
		if limit := limitOr(opt.MaxBytes, DefaultMaxBytes); limit >= 0 && fi.Size() > limit {
			return nil, errors.Errorf("load csv %q: the file is %d bytes, over the %d byte limit (raise it with CSVOptions.MaxBytes, the profundo command's --max-file-bytes)", path, fi.Size(), limit)
		}
	}
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, errors.Wrapf(err, "load csv %q: gunzip", path)
		}
		defer zr.Close()
		r = zr
	}
	return ReadCSV(r, opt)
}

// ReadCSV reads a table from r as opt says. Cells are trimmed of spaces; a
// cell listed in opt.Missing is missing. A column is Numeric when every
// non-missing cell is a finite number (a column with every cell missing
// too), else Categorical; opt.Numeric and opt.Categorical override the
// detection. Blank lines are skipped and a UTF-8 byte order mark is
// dropped. Text is UTF-8 unless opt.Encoding says otherwise; input over
// the limits (opt.MaxLineBytes, opt.MaxFields, opt.MaxBytes) is an error
// as soon as it is read.
//
// Errors name the table, the line, the column and the value: a syntax error
// (a stray quote), text that is not valid UTF-8, a line, row or input over
// its limit, a header with a repeated name, a row with the wrong number
// of fields or a declared-numeric cell that is not a number (unless
// opt.SkipBadRows), an unknown column in opt.Target, opt.Numeric or
// opt.Categorical, and input without data rows.
func ReadCSV(r io.Reader, opt CSVOptions) (*Table, error) {
	name := opt.Name
	if name == "" {
		name = "csv"
	}
	t, err := readCSV(r, opt, name)
	if err != nil {
		return nil, errors.Wrapf(err, "csv %q", name)
	}
	return t, nil
}

func readCSV(r io.Reader, opt CSVOptions, name string) (*Table, error) {
	if r == nil {
		return nil, errors.New("reader is nil")
	}
	latin1, err := encodingOf(opt.Encoding)
	if err != nil {
		return nil, err
	}
	maxFields := limitOr(int64(opt.MaxFields), DefaultMaxFields)
	cr := csv.NewReader(newLimitedReader(r, opt, latin1))
	if opt.Comma != 0 {
		cr.Comma = opt.Comma
	}
	cr.Comment = opt.Comment
	cr.FieldsPerRecord = -1 // ragged rows are checked below, with their line
	missing := opt.Missing
	if missing == nil {
		missing = DefaultMissing()
	}
	isMissing := make(map[string]bool, len(missing))
	for _, m := range missing {
		isMissing[strings.TrimSpace(m)] = true
	}

	first, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("no rows: the input is empty")
	}
	if err != nil {
		return nil, err
	}
	firstLine, _ := cr.FieldPos(0)
	if err := checkRecord(first, firstLine, maxFields); err != nil {
		return nil, err
	}
	first = trimCells(first)
	first[0] = strings.TrimSpace(strings.TrimPrefix(first[0], "\ufeff"))
	width := len(first)
	names := make([]string, width)
	if opt.NoHeader {
		for i := range names {
			names[i] = "c" + strconv.Itoa(i)
		}
	} else {
		seen := make(map[string]int, width)
		for i, h := range first {
			if h == "" {
				h = "c" + strconv.Itoa(i)
			}
			if j, ok := seen[h]; ok {
				return nil, errors.Errorf("line %d: columns %d and %d are both named %q", firstLine, j+1, i+1, h)
			}
			seen[h] = i
			names[i] = h
		}
	}

	kinds, err := declaredKinds(names, opt)
	if err != nil {
		return nil, err
	}
	t := &Table{Name: name, Target: opt.Target}
	var pending [][]string // the good data rows
	var lines []int

	// Checks a row; returns nil when it is good.
	bad := func(rec []string, line int) *RowError {
		if len(rec) != width {
			return &RowError{Line: line, Message: fmt.Sprintf("%d fields, want %d", len(rec), width)}
		}
		for j, cell := range rec {
			if kinds[j] != Numeric || isMissing[cell] {
				continue
			}
			if _, ok := parseNumber(cell); !ok {
				return &RowError{Line: line, Column: j + 1, Message: fmt.Sprintf("column %q is declared numeric, got %q", names[j], cell)}
			}
		}
		return nil
	}
	keep := func(rec []string, line int) error {
		if e := bad(rec, line); e != nil {
			if !opt.SkipBadRows {
				return *e
			}
			t.Skipped = append(t.Skipped, *e)
			return nil
		}
		pending, lines = append(pending, rec), append(lines, line)
		return nil
	}
	if opt.NoHeader {
		if err := keep(first, firstLine); err != nil {
			return nil, err
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if err := checkRecord(rec, line, maxFields); err != nil {
			return nil, err
		}
		if err := keep(trimCells(rec), line); err != nil {
			return nil, err
		}
	}
	if len(pending) == 0 {
		if len(t.Skipped) > 0 {
			return nil, errors.Errorf("no data rows: all %d rows are bad, the first: %v", len(t.Skipped), t.Skipped[0])
		}
		return nil, errors.New("no data rows")
	}

	t.Lines = lines
	t.Columns = make([]Column, width)
	for j := range t.Columns {
		t.Columns[j] = buildColumn(names[j], kinds[j], pending, j, isMissing)
	}
	return t, nil
}

// declaredKinds maps opt.Numeric and opt.Categorical onto the columns (0 for
// undeclared ones) and checks opt.Target; unknown names are errors that list
// the columns.
func declaredKinds(names []string, opt CSVOptions) ([]ColumnKind, error) {
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	kinds := make([]ColumnKind, len(names))
	for _, d := range []struct {
		field string
		names []string
		kind  ColumnKind
	}{{"Numeric", opt.Numeric, Numeric}, {"Categorical", opt.Categorical, Categorical}} {
		for _, n := range d.names {
			i, ok := index[n]
			if !ok {
				return nil, errors.Errorf("%s names column %q, which is not there; the columns are %s", d.field, n, quoteList(names))
			}
			if kinds[i] != 0 && kinds[i] != d.kind {
				return nil, errors.Errorf("column %q is declared both numeric and categorical", n)
			}
			kinds[i] = d.kind
		}
	}
	if _, ok := index[opt.Target]; opt.Target != "" && !ok {
		return nil, errors.Errorf("target column %q not found; the columns are %s", opt.Target, quoteList(names))
	}
	return kinds, nil
}

// buildColumn makes column j of rows, detecting its kind unless declared.
func buildColumn(name string, declared ColumnKind, rows [][]string, j int, isMissing map[string]bool) Column {
	c := Column{
		Name:     name,
		Kind:     declared,
		Declared: declared != 0,
		Cells:    make([]string, len(rows)),
		Missing:  make([]bool, len(rows)),
	}
	values := make([]float64, len(rows))
	numeric := true
	for i, rec := range rows {
		cell := rec[j]
		c.Cells[i] = cell
		if isMissing[cell] {
			c.Missing[i] = true
			values[i] = math.NaN()
			continue
		}
		v, ok := parseNumber(cell)
		numeric = numeric && ok
		values[i] = v
	}
	if c.Kind == 0 {
		c.Kind = Categorical
		if numeric {
			c.Kind = Numeric
		}
	}
	if c.Kind == Numeric {
		c.Values = values
	}
	return c
}

// parseNumber parses a finite number; "Inf", "NaN" and out-of-range values
// are not numbers.
func parseNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// checkRecord checks a record's field count and its text.
func checkRecord(rec []string, line int, maxFields int64) error {
	if err := checkFields(rec, line, maxFields); err != nil {
		return err
	}
	return checkUTF8(rec, line)
}

// trimCells trims the spaces around each cell.
func trimCells(rec []string) []string {
	for i, f := range rec {
		rec[i] = strings.TrimSpace(f)
	}
	return rec
}

// quoteList writes names as "a", "b", "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
