package datasets

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// The input limits ReadCSV applies when CSVOptions leaves them zero: they
// stop a pathological file (a line of a gigabyte, a million columns) early,
// in little memory, instead of after minutes of work. Raise them in
// CSVOptions (the profundo command: --max-line-bytes, --max-fields,
// --max-file-bytes).
const (
	DefaultMaxLineBytes = 1 << 20 // 1 MiB
	DefaultMaxFields    = 10000
	DefaultMaxBytes     = 4 << 30 // 4 GiB
)

// Encodings lists the text encodings CSVOptions.Encoding names.
func Encodings() []string { return []string{"utf-8", "latin-1"} }

// encodingOf resolves CSVOptions.Encoding: "" and "utf-8" (and "utf8")
// mean UTF-8; "latin-1" ("latin1", "iso-8859-1") ISO 8859-1.
func encodingOf(name string) (latin1 bool, err error) {
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "", "utf-8", "utf8":
		return false, nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1":
		return true, nil
	}
	return false, errors.Errorf("encoding %q is not known; the encodings are %s", name, quoteList(Encodings()))
}

// limitOr returns v, or def when v is zero; a negative v means no limit.
func limitOr(v, def int64) int64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

// limitedReader passes input through while it is under the limits: no
// physical line longer than maxLine bytes, no more than maxBytes in all. It
// decodes Latin-1 into UTF-8 when latin1 is set (the limits then count the
// bytes read, before decoding).
type limitedReader struct {
	r                *bufio.Reader
	maxLine, maxSize int64
	latin1           bool

	line     int   // the line being read, from 1
	lineLen  int64 // bytes of it read so far
	total    int64
	pending  []byte // decoded bytes not yet handed out
	sizeFlag string // the option or flag that raises each limit, for errors
	lineFlag string
}

func newLimitedReader(r io.Reader, opt CSVOptions, latin1 bool) *limitedReader {
	return &limitedReader{
		r:        bufio.NewReaderSize(r, 64<<10),
		maxLine:  limitOr(int64(opt.MaxLineBytes), DefaultMaxLineBytes),
		maxSize:  limitOr(opt.MaxBytes, DefaultMaxBytes),
		latin1:   latin1,
		line:     1,
		sizeFlag: "CSVOptions.MaxBytes, the profundo command's --max-file-bytes",
		lineFlag: "CSVOptions.MaxLineBytes, the profundo command's --max-line-bytes",
	}
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if len(l.pending) > 0 {
		n := copy(p, l.pending)
		l.pending = l.pending[n:]
		return n, nil
	}
	if len(p) == 0 {
		return 0, nil
	}
	if l.latin1 && len(p) < 2 {
		// One byte of Latin-1 may decode to two of UTF-8: decode into a
		// buffer of two and keep what p has no room for.
		var buf [2]byte
		n, err := l.Read(buf[:])
		c := copy(p, buf[:n])
		if c < n {
			l.pending = append([]byte(nil), buf[c:n]...)
		}
		return c, err
	}
	// Read at most half of p when decoding: a Latin-1 byte becomes up to
	// two bytes of UTF-8.
	want := p
	if l.latin1 && len(p) > 1 {
		want = p[:len(p)/2]
	}
	n, err := l.r.Read(want)
	chunk := want[:n]
	for _, b := range chunk {
		if b == '\n' {
			l.line++
			l.lineLen = 0
			continue
		}
		l.lineLen++
		if l.maxLine >= 0 && l.lineLen > l.maxLine {
			return 0, errors.Errorf("line %d is longer than %d bytes, the limit (raise it with %s)", l.line, l.maxLine, l.lineFlag)
		}
	}
	l.total += int64(n)
	if l.maxSize >= 0 && l.total > l.maxSize {
		return 0, errors.Errorf("the input is longer than %d bytes, the limit (raise it with %s)", l.maxSize, l.sizeFlag)
	}
	if !l.latin1 {
		return n, err
	}
	// Decode in place from the back: each byte >= 0x80 is two bytes.
	extra := 0
	for _, b := range chunk {
		if b >= 0x80 {
			extra++
		}
	}
	out := p[:n+extra]
	j := len(out)
	for i := n - 1; i >= 0; i-- {
		b := p[i]
		if b < 0x80 {
			j--
			out[j] = b
			continue
		}
		j -= 2
		utf8.EncodeRune(out[j:], rune(b))
	}
	return len(out), err
}

// checkFields checks a record against CSVOptions.MaxFields.
func checkFields(rec []string, line int, maxFields int64) error {
	if maxFields >= 0 && int64(len(rec)) > maxFields {
		return errors.Errorf("line %d: %d fields, more than %d, the limit (raise it with CSVOptions.MaxFields, the profundo command's --max-fields)", line, len(rec), maxFields)
	}
	return nil
}

// checkUTF8 checks that every cell of a record is valid UTF-8, and names
// the line, the column and the bytes when one is not.
func checkUTF8(rec []string, line int) error {
	for j, cell := range rec {
		if utf8.ValidString(cell) {
			continue
		}
		i := 0
		for i < len(cell) {
			r, size := utf8.DecodeRuneInString(cell[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return errors.Errorf("line %d, column %d: %s is not valid UTF-8 (byte 0x%02x at offset %d); give the file's encoding (CSVOptions.Encoding, the profundo command's --encoding, e.g. latin-1)", line, j+1, quoteBytes(cell), cell[i], i)
	}
	return nil
}

// quoteBytes quotes a cell for an error, shortened to 60 bytes.
func quoteBytes(s string) string {
	if len(s) > 60 {
		return fmt.Sprintf("%+q...", s[:60])
	}
	return fmt.Sprintf("%+q", s)
}
