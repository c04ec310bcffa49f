package datasets_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"testing"
)

// idxBytes is an IDX file: the magic number, the dims as big-endian uint32
// and the data, written by hand so that it can be malformed.
func idxBytes(magic uint32, dims []uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// gzipBytes gzips b, fast.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // the default level is slow on periodic data
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pattern is n bytes i*7+1 mod 256, so that every offset has a known value.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b
}

// blindReader hides the size of its reader (no Len, no Stat), as a network
// stream would.
type blindReader struct{ r io.Reader }

func (b blindReader) Read(p []byte) (int, error) { return b.r.Read(p) }
