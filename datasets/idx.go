package datasets

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// IDX magic numbers: two zero bytes, the type code 0x08 (unsigned byte) and
// the number of dimensions.
const (
	// IDXLabelsMagic starts an IDX file of unsigned-byte labels, [n].
	IDXLabelsMagic = 0x00000801
	// IDXImagesMagic starts an IDX file of unsigned-byte images, [n, rows, cols].
	IDXImagesMagic = 0x00000803
)

const (
	// idxMaxDims is the most dimensions ReadIDX accepts.
	idxMaxDims = 4
	// idxMaxValues caps the number of values a header may declare (2^31),
	// whatever the source, so that a corrupt header cannot ask for more.
	idxMaxValues = 1 << 31
	// deflateMaxRatio bounds how many bytes one compressed byte can inflate
	// to (deflate's limit is about 1032:1), which caps what a gzipped source
	// of known size may declare.
	deflateMaxRatio = 1032
	// idxChunk is the size of the buffer the data is decoded through.
	idxChunk = 64 << 10
	// idxPipelineMin is the data size from which reading and decoding run
	// on two goroutines, in chunks of idxPipelineChunk bytes.
	idxPipelineMin   = 8 << 20
	idxPipelineChunk = 256 << 10
	// idxGrowStep is what is allocated at first when the size of the source
	// is unknown; the buffer then grows as data arrives.
	idxGrowStep = 64 << 10
)

// IDX is the content of an IDX file of unsigned bytes (type code 0x08), the
// format of MNIST and Fashion-MNIST: 1 to 4 dimensions and their values in
// row-major order.
type IDX struct {
	// Dims is the size of each dimension, all > 0: [n] for labels,
	// [n, rows, cols] for images.
	Dims []int
	// Data holds the product of Dims bytes, row-major (the last dimension
	// varies fastest).
	Data []byte
}

// Magic is the magic number of m, as written in an IDX file:
// 0x0000080N for N dimensions.
func (m *IDX) Magic() uint32 {
	return 0x00000800 | uint32(len(m.Dims))
}

// WriteTo writes m in the IDX format, uncompressed: the magic number, the
// dimensions as big-endian uint32 and the data. It returns an error when the
// dimensions are not 1 to 4 values > 0 whose product is len(Data).
func (m *IDX) WriteTo(w io.Writer) (int64, error) {
	n, err := idxSize(m.Dims)
	if err != nil {
		return 0, errors.Wrap(err, "idx: write")
	}
	if n != len(m.Data) {
		return 0, errors.Errorf("idx: write: dims %v need %d bytes of data, got %d", m.Dims, n, len(m.Data))
	}
	hdr := make([]byte, 4+4*len(m.Dims))
	binary.BigEndian.PutUint32(hdr, m.Magic())
	for i, d := range m.Dims {
		binary.BigEndian.PutUint32(hdr[4+4*i:], uint32(d))
	}
	k, err := w.Write(hdr)
	total := int64(k)
	if err != nil {
		return total, errors.Wrap(err, "idx: write")
	}
	k, err = w.Write(m.Data)
	total += int64(k)
	return total, errors.Wrap(err, "idx: write")
}

// ReadIDX reads an IDX file of unsigned bytes with 1 to 4 dimensions from r,
// gzipped or not (a gzip stream is recognised by its magic bytes 1f 8b). The
// whole stream must be one IDX file: a bad magic number, a zero dimension,
// more than 2^31 values, missing data, data past the declared size and a
// corrupt gzip stream are errors naming the offset and the values read.
//
// When r tells its size (an *os.File, or a reader with a Len method such as
// *bytes.Reader), a header declaring more data than r can hold (1032 times
// its size when gzipped, deflate's greatest ratio) is refused before anything
// is allocated. The data is allocated at once when the size of r, or the
// length in its gzip trailer, agrees with the header; otherwise the buffer
// grows as the data arrives, so that a corrupt header costs no more memory
// than about twice the data the stream really holds.
func ReadIDX(r io.Reader) (*IDX, error) {
	var m *IDX
	err := decodeIDX(inputOf(r), "", 0, func(dims []int, n int, body io.Reader, exact bool) error {
		data, err := readIDXData(body, n, exact, dims, func(dst, src []byte) { copy(dst, src) })
		m = &IDX{Dims: dims, Data: data}
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ReadIDXImages reads unsigned-byte images, an IDX file with magic 0x00000803
// and dims [n, rows, cols], from r (gzipped or not, as ReadIDX), and returns
// them as float32 [n, rows, cols, 1], channels last, each pixel scaled to
// [0, 1] as x/255. It decodes in one pass into one preallocated slice when r
// tells its size (see ReadIDX).
func ReadIDXImages(r io.Reader) (*tensor.Dense, error) {
	return readIDXImages(inputOf(r), "")
}

// ReadIDXLabels reads unsigned-byte labels, an IDX file with magic 0x00000801
// and dims [n], from r (gzipped or not, as ReadIDX), and returns them as
// float32 [n] class ids 0..255.
func ReadIDXLabels(r io.Reader) (*tensor.Dense, error) {
	return readIDXLabels(inputOf(r), "")
}

// IDXImages reads the IDX images file at path (gzipped or not) as
// ReadIDXImages does: float32 [n, rows, cols, 1] in [0, 1]. Errors name the
// file.
func IDXImages(path string) (*tensor.Dense, error) {
	return readIDXFile(context.Background(), path, readIDXImages)
}

// IDXLabels reads the IDX labels file at path (gzipped or not) as
// ReadIDXLabels does: float32 [n] class ids. Errors name the file.
func IDXLabels(path string) (*tensor.Dense, error) {
	return readIDXFile(context.Background(), path, readIDXLabels)
}

func readIDXImages(in idxInput, name string) (*tensor.Dense, error) {
	var scale [256]float32
	for i := range scale {
		scale[i] = float32(i) / 255
	}
	var x *tensor.Dense
	err := decodeIDX(in, name, IDXImagesMagic, func(dims []int, n int, body io.Reader, exact bool) error {
		data, err := readIDXData(body, n, exact, dims, func(dst []float32, src []byte) {
			dst = dst[:len(src)]
			for i, b := range src {
				dst[i] = scale[b]
			}
		})
		if err != nil {
			return err
		}
		x = tensor.New(tensor.WithShape(dims[0], dims[1], dims[2], 1), tensor.WithBacking(data))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

func readIDXLabels(in idxInput, name string) (*tensor.Dense, error) {
	var y *tensor.Dense
	err := decodeIDX(in, name, IDXLabelsMagic, func(dims []int, n int, body io.Reader, exact bool) error {
		data, err := readIDXData(body, n, exact, dims, func(dst []float32, src []byte) {
			dst = dst[:len(src)]
			for i, b := range src {
				dst[i] = float32(b)
			}
		})
		if err != nil {
			return err
		}
		y = tensor.New(tensor.WithShape(dims[0]), tensor.WithBacking(data))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return y, nil
}

// readIDXFile opens path and decodes it with read, stopping when ctx is
// cancelled.
func readIDXFile(ctx context.Context, path string, read func(idxInput, string) (*tensor.Dense, error)) (*tensor.Dense, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "idx")
	}
	defer f.Close()
	in := inputOf(f)
	in.r = ctxReader{ctx: ctx, r: f}
	return read(in, path)
}

// idxBody receives the checked header of an IDX file: its dims, the number
// of data bytes n, the reader positioned at the data, and whether n is
// known to match the size of the source (so that it may be allocated at
// once).
type idxBody func(dims []int, n int, body io.Reader, exact bool) error

// decodeIDX reads the header from in, gunzipping it if it starts with the
// gzip magic, checks the magic number (against want unless want is 0) and
// the dims, hands the data to body, and checks that the stream ends, and the
// gzip checksum holds, after the data. Errors are prefixed with "idx", the
// file name when there is one, and "(gzip)" for gzipped input.
func decodeIDX(in idxInput, name string, want uint32, body idxBody) error {
	gz, err := decodeIDXStream(in, want, body)
	if err == nil {
		return nil
	}
	prefix := "idx"
	if name != "" {
		prefix = fmt.Sprintf("idx %q", name)
	}
	if gz {
		prefix += " (gzip)"
	}
	return errors.Wrap(err, prefix)
}

func decodeIDXStream(in idxInput, want uint32, body idxBody) (gz bool, err error) {
	bufSize := idxChunk
	if in.size >= 0 {
		bufSize = int(min(in.size+1, idxChunk))
	}
	br := bufio.NewReaderSize(in.r, bufSize)
	head, err := br.Peek(2)
	if len(head) == 0 {
		if err == io.EOF {
			return false, errors.New("empty input, want an IDX header")
		}
		return false, errors.Wrap(err, "read")
	}
	var src io.Reader = br
	var zr *gzip.Reader
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		if zr, err = gzip.NewReader(br); err != nil {
			return true, errors.Wrap(err, "header")
		}
		src = zr
	}
	dims, err := readIDXHeader(src, want)
	if err != nil {
		return zr != nil, err
	}
	n, err := idxSize(dims)
	if err != nil {
		return zr != nil, errors.Wrap(err, "header")
	}
	hdrLen := int64(4 + 4*len(dims))
	exact := false
	switch {
	case zr == nil && in.size >= 0:
		if int64(n) > in.size-hdrLen {
			return false, errors.Errorf("truncated: dims %v need %d bytes of data after the %d-byte header, the input holds %d", dims, n, hdrLen, max(in.size-hdrLen, 0))
		}
		exact = true
	case zr != nil && in.size >= 0:
		if int64(n) > in.size*deflateMaxRatio {
			return true, errors.Errorf("truncated: dims %v need %d bytes of data, %d gzipped bytes inflate to at most %d", dims, n, in.size, in.size*deflateMaxRatio)
		}
		// The gzip trailer agrees with the header: allocate at once.
		exact = in.hasTrailer && in.trailer == uint32(hdrLen+int64(n))
	}
	if err := body(dims, n, src, exact); err != nil {
		return zr != nil, err
	}
	// Reading to the end makes gzip check its CRC and length.
	var one [1]byte
	k, err := io.ReadFull(src, one[:])
	if k > 0 {
		return zr != nil, errors.Errorf("data continues past the %d bytes (offset %d) declared by dims %v", n, hdrLen+int64(n), dims)
	}
	if err != io.EOF {
		if zr != nil && err == io.ErrUnexpectedEOF {
			err = errors.Wrap(err, "gzip stream truncated")
		}
		return zr != nil, errors.Wrapf(err, "after the data (offset %d)", hdrLen+int64(n))
	}
	if zr != nil {
		if err := zr.Close(); err != nil {
			return true, err
		}
	}
	return zr != nil, nil
}

// readIDXHeader reads the magic number and the dims.
func readIDXHeader(r io.Reader, want uint32) ([]int, error) {
	var b [4]byte
	if k, err := io.ReadFull(r, b[:]); err != nil {
		return nil, errors.Wrapf(err, "header: read %d of the 4 bytes of the magic number", k)
	}
	magic := binary.BigEndian.Uint32(b[:])
	if want != 0 && magic != want {
		return nil, errors.Errorf("magic number 0x%08x at offset 0, want 0x%08x (%s)", magic, want, idxKind(want))
	}
	if b[0] != 0 || b[1] != 0 {
		return nil, errors.Errorf("magic number 0x%08x at offset 0 is not an IDX magic number 0x000008NN (bytes 0 and 1 must be 0)", magic)
	}
	if b[2] != 0x08 {
		return nil, errors.Errorf("magic number 0x%08x at offset 0: type code 0x%02x (%s) is not supported, only 0x08 (unsigned byte)", magic, b[2], idxType(b[2]))
	}
	nd := int(b[3])
	if nd < 1 || nd > idxMaxDims {
		return nil, errors.Errorf("magic number 0x%08x at offset 0: %d dimensions, want 1 to %d", magic, nd, idxMaxDims)
	}
	raw := make([]byte, 4*nd)
	if k, err := io.ReadFull(r, raw); err != nil {
		return nil, errors.Wrapf(err, "header: %d dimensions need %d bytes at offset 4, got %d", nd, 4*nd, k)
	}
	dims := make([]int, nd)
	for i := range dims {
		d := binary.BigEndian.Uint32(raw[4*i:])
		if d == 0 {
			return nil, errors.Errorf("header: dimension %d (offset %d) is 0", i, 4+4*i)
		}
		dims[i] = int(d)
	}
	return dims, nil
}

// idxSize is the number of values dims hold, checked against idxMaxValues.
func idxSize(dims []int) (int, error) {
	if len(dims) < 1 || len(dims) > idxMaxDims {
		return 0, errors.Errorf("dims %v: want 1 to %d dimensions", dims, idxMaxDims)
	}
	n := 1
	for i, d := range dims {
		if d <= 0 {
			return 0, errors.Errorf("dims %v: dimension %d is %d, want > 0", dims, i, d)
		}
		if d > idxMaxValues/n {
			return 0, errors.Errorf("dims %v hold more than 2^31 values", dims)
		}
		n *= d
	}
	return n, nil
}

func idxKind(magic uint32) string {
	switch magic {
	case IDXImagesMagic:
		return "unsigned-byte images [n, rows, cols]"
	case IDXLabelsMagic:
		return "unsigned-byte labels [n]"
	}
	return fmt.Sprintf("unsigned bytes, %d dimensions", magic&0xff)
}

func idxType(code byte) string {
	switch code {
	case 0x09:
		return "signed byte"
	case 0x0b:
		return "short"
	case 0x0c:
		return "int"
	case 0x0d:
		return "float"
	case 0x0e:
		return "double"
	}
	return "unknown"
}
