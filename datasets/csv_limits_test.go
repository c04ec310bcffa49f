package datasets_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// endless is a reader of one endless line of 'a'.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// A line with no end is stopped at the line limit, in little memory.
func TestCSVLineLimit(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := datasets.ReadCSV(io.MultiReader(strings.NewReader("a,b\n1,"), endless{}), datasets.CSVOptions{})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "line 2 is longer than 1048576 bytes, the limit (raise it with CSVOptions.MaxLineBytes") {
		t.Fatalf("err = %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("reading up to the limit allocated %d bytes", alloc)
	}
	// A raised limit lets the line through.
	long := "a,b\n1," + strings.Repeat("x", 2<<20) + "\n"
	tab, err := datasets.ReadCSV(strings.NewReader(long), datasets.CSVOptions{MaxLineBytes: 3 << 20})
	if err != nil || len(tab.Columns[1].Cells[0]) != 2<<20 {
		t.Errorf("with MaxLineBytes 3 MiB: err = %v", err)
	}
	if _, err := datasets.ReadCSV(strings.NewReader(long), datasets.CSVOptions{MaxLineBytes: -1}); err != nil {
		t.Errorf("with no line limit: %v", err)
	}
}

func TestCSVFieldAndSizeLimits(t *testing.T) {
	wide := strings.Repeat("c,", 20) + "c\n" + strings.Repeat("1,", 20) + "1\n"
	_, err := datasets.ReadCSV(strings.NewReader(wide), datasets.CSVOptions{MaxFields: 10})
	if err == nil || !strings.Contains(err.Error(), "line 1: 21 fields, more than 10, the limit") {
		t.Errorf("err = %v", err)
	}
	_, err = datasets.ReadCSV(strings.NewReader("a,b\n1,2\n3,4\n5,6\n"), datasets.CSVOptions{MaxBytes: 10})
	if err == nil || !strings.Contains(err.Error(), "the input is longer than 10 bytes, the limit") {
		t.Errorf("err = %v", err)
	}
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,2\n3,4\n5,6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = datasets.LoadCSV(path, datasets.CSVOptions{MaxBytes: 10})
	if err == nil || !strings.Contains(err.Error(), "the file is 16 bytes, over the 10 byte limit") {
		t.Errorf("err = %v", err)
	}
}

// Latin-1 text is refused as UTF-8, naming the line and column, so that
// Müller and Möller never merge into one class; with its encoding named it
// is decoded.
func TestCSVEncoding(t *testing.T) {
	in := "id,name\r\n1,M\xfcller\r\n2,M\xf6ller\r\n3,caf\xe9\r\n"
	_, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), `line 2, column 2: "M\xfcller" is not valid UTF-8 (byte 0xfc at offset 1)`) {
		t.Fatalf("err = %v", err)
	}
	tab, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{Encoding: "latin-1"})
	if err != nil {
		t.Fatal(err)
	}
	got := tab.Columns[1].Cells
	if want := []string{"Müller", "Möller", "café"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cells %q, want %q", got, want)
	}
	if _, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{Encoding: "ebcdic"}); err == nil || !strings.Contains(err.Error(), `encoding "ebcdic" is not known`) {
		t.Errorf("err = %v", err)
	}
	// UTF-8 with a byte order mark and CRLF line ends reads as it is.
	tab, err = datasets.ReadCSV(bytes.NewReader([]byte("\ufeffid,name\r\n1,Müller\r\n2,Möller\r\n")), datasets.CSVOptions{})
	if err != nil || tab.Columns[0].Name != "id" || tab.Columns[1].Cells[1] != "Möller" {
		t.Errorf("err = %v, table %+v", err, tab)
	}
}
