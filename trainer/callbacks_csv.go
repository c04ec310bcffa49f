package trainer

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// CSVLogger writes one row per epoch to a CSV file, as Keras's CSVLogger:
// a header "epoch" followed by the logged names in display order (loss,
// the metrics, their val_ counterparts), then the epoch (counting from 0,
// as Keras writes it) and its values, each row written through to the file
// as the epoch ends, so a run that is killed keeps the rows of its finished
// epochs. Values are written in the shortest form that reads back exactly;
// a name missing from an epoch's logs is written "NA". Its zero value is
// not usable: Path is required.
//
// When training stops early (EarlyStopping, TerminateOnNaN), Fit tells the
// callbacks before the one that stopped of the last epoch only: list the
// CSVLogger before those to log that epoch too.
type CSVLogger struct {
	// Path is the CSV file. Required.
	Path string
	// Separator separates the fields; zero means ','.
	Separator rune
	// Append continues an existing file, as a resumed run does: its header
	// must be the one this run writes, else Fit stops with an error at its
	// start; a last row cut short by a crash is dropped. A missing or empty
	// file is started with a header. False starts the file afresh.
	Append bool

	sep     rune
	columns []string
}

var _ Callback = (*CSVLogger)(nil)

// On starts the file when training begins and writes a row at the end of
// each epoch.
func (l *CSVLogger) On(e *Event) error {
	if e.Rank != 0 {
		return nil
	}
	switch e.Kind {
	case TrainBegin:
		return l.begin(e)
	case EpochEnd:
		row := make([]string, len(l.columns))
		row[0] = strconv.Itoa(e.Epoch)
		for i, n := range l.columns[1:] {
			if v, ok := e.Logs[n]; ok {
				row[i+1] = strconv.FormatFloat(v, 'g', -1, 64)
			} else {
				row[i+1] = "NA"
			}
		}
		if err := l.write(row, os.O_WRONLY|os.O_APPEND|os.O_CREATE); err != nil {
			return errors.Wrapf(err, "csv logger: epoch %d", e.Epoch+1)
		}
	}
	return nil
}

func (l *CSVLogger) begin(e *Event) error {
	const what = "csv logger"
	if l.Path == "" {
		return errors.Errorf("%s: path is empty", what)
	}
	sep := l.Separator
	if sep == 0 {
		sep = ','
	}
	if sep == '\r' || sep == '\n' || sep == '"' || !utf8.ValidRune(sep) || sep == utf8.RuneError {
		return errors.Errorf("%s: separator must be a valid rune other than a quote, CR or LF, got %q", what, l.Separator)
	}
	l.sep = sep
	l.columns = append([]string{"epoch"}, e.Names...)
	if l.Append {
		fresh, err := l.resume()
		if err != nil {
			return errors.Wrap(err, what)
		}
		if !fresh {
			return nil
		}
	}
	return errors.Wrap(l.write(l.columns, os.O_WRONLY|os.O_CREATE|os.O_TRUNC), what)
}

// resume checks the header of an existing file and drops a last row cut
// short; it reports whether the file is missing or empty and needs a
// header.
func (l *CSVLogger) resume() (fresh bool, err error) {
	data, err := os.ReadFile(l.Path)
	if os.IsNotExist(err) || err == nil && len(data) == 0 {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(bytes.TrimSuffix(first, []byte("\r"))))
	r.Comma, r.FieldsPerRecord = l.sep, -1
	header, err := r.Read()
	if err != nil {
		return false, errors.Wrapf(err, "%s: read the header", l.Path)
	}
	if !slices.Equal(header, l.columns) {
		return false, errors.Errorf("%s: the file has columns [%s], this run logs [%s]; write to another file or set Append to false",
			l.Path, strings.Join(header, " "), strings.Join(l.columns, " "))
	}
	if data[len(data)-1] == '\n' {
		return false, nil
	}
	// The last line has no newline: a header or a row cut short.
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		return false, os.Truncate(l.Path, int64(i+1))
	}
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return false, err
	}
	_, err = f.Write([]byte("\n"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return false, err
}

// write writes one record to the file with one write call, opened with
// flag.
func (l *CSVLogger) write(record []string, flag int) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = l.sep
	if err := w.Write(record); err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	f, err := os.OpenFile(l.Path, flag, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
