package datasets_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/profundo/profundo/datasets"
)

// FuzzReadCSVText reads arbitrary bytes as UTF-8 and as Latin-1, under
// small input limits, over CRLF line ends, byte order marks, quotes, other
// encodings and fields larger than the limits. Reading never panics, every
// cell read is valid UTF-8, no cell outgrows what the limits let in, and
// ASCII input reads the same in both encodings.
func FuzzReadCSVText(f *testing.F) {
	giant := strings.Repeat("x", 5000)
	for _, s := range []struct {
		in   string
		mode byte
	}{
		{"a,b\r\n1,2\r\n3,4\r\n", 0},
		{"\ufeffname,label\r\nM\xc3\xbcller,1\r\nM\xc3\xb6ller,2\r\n", 0},
		{"\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00", 0},
		{"\xfe\xff\x00a\x00,\x00b\n", 1},
		{"name,label\nM\xfcller,1\nM\xf6ller,2\n", 1},
		{"name,label\nM\xfcller,1\nM\xf6ller,2\n", 0},
		{"a,b\n\"q\"\"uote\",\"multi\r\nline\"\n", 0},
		{"a,b\n\"unterminated,1\n", 1},
		{"a,b\n" + giant + ",1\n", 0},
		{"a,b\n\"" + giant + "\n" + giant + "\",1\n", 2},
		{"a,b\n1,\xe9\xe8\xea\n", 3},
		{strings.Repeat("c,", 300) + "c\n", 2},
	} {
		f.Add(s.in, s.mode)
	}
	f.Fuzz(func(t *testing.T, in string, mode byte) {
		const maxLine, maxBytes = 4096, 1 << 16
		opt := datasets.CSVOptions{
			MaxLineBytes: maxLine, MaxFields: 100, MaxBytes: maxBytes,
			SkipBadRows: mode&2 != 0, NoHeader: mode&4 != 0,
		}
		if mode&1 != 0 {
			opt.Encoding = "latin-1"
		}
		tab, err := datasets.ReadCSV(strings.NewReader(in), opt)
		if err != nil {
			if tab != nil {
				t.Fatalf("error %v with a table", err)
			}
		} else {
			if len(tab.Columns) > 100 {
				t.Fatalf("%d columns, over the limit of 100", len(tab.Columns))
			}
			for _, c := range tab.Columns {
				if !utf8.ValidString(c.Name) {
					t.Fatalf("column name %q is not UTF-8", c.Name)
				}
				for _, cell := range c.Cells {
					if !utf8.ValidString(cell) {
						t.Fatalf("cell %q is not UTF-8", cell)
					}
					if len(cell) > 2*maxBytes {
						t.Fatalf("a cell of %d bytes from at most %d bytes of input", len(cell), maxBytes)
					}
				}
			}
		}
		if len(in) > maxBytes && err == nil {
			t.Fatalf("%d bytes of input read under a %d byte limit", len(in), maxBytes)
		}
		// ASCII is the same text in both encodings.
		ascii := true
		for i := 0; i < len(in); i++ {
			if in[i] >= 0x80 {
				ascii = false
				break
			}
		}
		if ascii {
			other := opt
			other.Encoding = map[string]string{"": "latin-1", "latin-1": ""}[opt.Encoding]
			tab2, err2 := datasets.ReadCSV(strings.NewReader(in), other)
			if (err == nil) != (err2 == nil) {
				t.Fatalf("ASCII input: %v as %q, %v as %q", err, opt.Encoding, err2, other.Encoding)
			}
			if err == nil && tab.Rows() != tab2.Rows() {
				t.Fatalf("ASCII input: %d rows as %q, %d as %q", tab.Rows(), opt.Encoding, tab2.Rows(), other.Encoding)
			}
		}
	})
}
