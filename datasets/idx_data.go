package datasets

import (
	"encoding/binary"
	"io"
	"io/fs"

	"github.com/pkg/errors"
)

// idxInput is a source of IDX data and what is known of its size.
type idxInput struct {
	r io.Reader
	// size is the number of bytes left in r, -1 when unknown.
	size int64
	// trailer is the last 4 bytes of r (the length mod 2^32 of the last
	// member of a gzip stream), when hasTrailer.
	trailer    uint32
	hasTrailer bool
}

// inputOf reads what r tells of its size: a Len method (*bytes.Reader,
// *strings.Reader, *bytes.Buffer), or Stat and Seek (*os.File); and, when r
// is also an io.ReaderAt, its last 4 bytes.
func inputOf(r io.Reader) idxInput {
	in := idxInput{r: r, size: -1}
	end := int64(-1) // absolute size, for ReadAt
	switch v := r.(type) {
	case interface{ Len() int }:
		in.size = int64(v.Len())
		if s, ok := r.(interface{ Size() int64 }); ok {
			end = s.Size()
		}
	case interface{ Stat() (fs.FileInfo, error) }:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return in
		}
		var pos int64
		if s, ok := r.(io.Seeker); ok {
			if pos, err = s.Seek(0, io.SeekCurrent); err != nil {
				return in
			}
		}
		in.size, end = max(fi.Size()-pos, 0), fi.Size()
	}
	if ra, ok := r.(io.ReaderAt); ok && end >= 4 && in.size >= 4 {
		var b [4]byte
		if _, err := ra.ReadAt(b[:], end-4); err == nil {
			in.trailer, in.hasTrailer = binary.LittleEndian.Uint32(b[:]), true
		}
	}
	return in
}

// readIDXData reads the n data bytes from r, converting each chunk with
// conv into a []T of n values. When exact, n was checked against the size
// of the source and is allocated at once; otherwise the slice grows as data
// arrives, so a lying header costs at most what the stream holds.
func readIDXData[T byte | float32](r io.Reader, n int, exact bool, dims []int, conv func(dst []T, src []byte)) ([]T, error) {
	if exact && n >= idxPipelineMin {
		return readIDXPipelined(r, n, dims, conv)
	}
	c := n
	if !exact {
		c = min(n, idxGrowStep)
	}
	out := make([]T, 0, c)
	buf := make([]byte, min(n, idxChunk))
	for len(out) < n {
		k, err := io.ReadFull(r, buf[:min(len(buf), n-len(out))])
		if k > 0 {
			if cap(out)-len(out) < k {
				next := make([]T, len(out), min(n, max(2*cap(out), len(out)+k)))
				copy(next, out)
				out = next
			}
			conv(out[len(out):len(out)+k], buf[:k])
			out = out[:len(out)+k]
		}
		if err != nil {
			return nil, errors.Wrapf(err, "truncated: dims %v need %d bytes of data, got %d", dims, n, len(out))
		}
	}
	return out, nil
}

// readIDXPipelined is readIDXData for large exact sizes: one goroutine
// reads (and inflates) the data in chunks while the caller's converts them
// into the output, so that the two, and the page faults of a fresh output,
// overlap on two cores.
func readIDXPipelined[T byte | float32](r io.Reader, n int, dims []int, conv func(dst []T, src []byte)) ([]T, error) {
	type chunk struct {
		b   []byte
		err error
	}
	const buffers = 4
	free := make(chan []byte, buffers)
	full := make(chan chunk, buffers) // never blocks: there are only so many buffers
	for i := 0; i < buffers; i++ {
		free <- make([]byte, idxPipelineChunk)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(full)
		for read := 0; read < n; {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			k, err := io.ReadFull(r, buf[:min(len(buf), n-read)])
			read += k
			full <- chunk{buf[:k], err}
			if err != nil {
				return
			}
		}
	}()
	out := make([]T, n)
	pos := 0
	for c := range full {
		conv(out[pos:pos+len(c.b)], c.b)
		pos += len(c.b)
		if c.err != nil {
			return nil, errors.Wrapf(c.err, "truncated: dims %v need %d bytes of data, got %d", dims, n, pos)
		}
		free <- c.b[:cap(c.b)]
	}
	return out, nil
}
