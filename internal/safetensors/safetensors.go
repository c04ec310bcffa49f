// Package safetensors reads and writes the safetensors format
// (github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header naming each tensor's dtype, shape and byte range,
// then the raw little-endian data. Python tools (safetensors, numpy, torch)
// read the files Profundo writes.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MaxHeader bounds the JSON header a reader accepts (100 MB, as the
// reference implementation does).
const MaxHeader = 100 << 20

// Tensor is one named tensor of a file.
type Tensor struct {
	Name  string
	Value *tensor.Dense
}

type entry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

func dtypeCode(dt tensor.Dtype) (string, int, error) {
	switch dt {
	case tensor.Float32:
		return "F32", 4, nil
	case tensor.Float64:
		return "F64", 8, nil
	}
	return "", 0, errors.Errorf("dtype %v is not supported (float32 and float64 are)", dt)
}

// Write writes the tensors, in the order given, and the metadata to w.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	offset := 0
	for _, t := range tensors {
		if t.Name == "" || t.Name == "__metadata__" {
			return errors.Errorf("tensor name %q is not allowed", t.Name)
		}
		if _, dup := header[t.Name]; dup {
			return errors.Errorf("tensor %q appears twice", t.Name)
		}
		code, size, err := dtypeCode(t.Value.Dtype())
		if err != nil {
			return errors.Wrapf(err, "tensor %q", t.Name)
		}
		n := t.Value.Shape().TotalSize() * size
		header[t.Name] = entry{DType: code, Shape: append([]int{}, t.Value.Shape()...), DataOffsets: [2]int{offset, offset + n}}
		offset += n
	}
	js, err := json.Marshal(header)
	if err != nil {
		return errors.Wrap(err, "header")
	}
	// Pad the header with spaces so the data starts 8-byte aligned.
	if pad := (8 - len(js)%8) % 8; pad > 0 {
		js = append(js, bytes.Repeat([]byte(" "), pad)...)
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return errors.Wrap(err, "write header length")
	}
	if _, err := w.Write(js); err != nil {
		return errors.Wrap(err, "write header")
	}
	for _, t := range tensors {
		if err := writeData(w, t.Value); err != nil {
			return errors.Wrapf(err, "write tensor %q", t.Name)
		}
	}
	return nil
}

func writeData(w io.Writer, t *tensor.Dense) error {
	switch d := t.Data().(type) {
	case []float32:
		buf := make([]byte, 4*len(d))
		for i, v := range d {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		_, err := w.Write(buf)
		return err
	case []float64:
		buf := make([]byte, 8*len(d))
		for i, v := range d {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
		}
		_, err := w.Write(buf)
		return err
	case float32:
		return binary.Write(w, binary.LittleEndian, d)
	case float64:
		return binary.Write(w, binary.LittleEndian, d)
	}
	return errors.Errorf("values of type %T are not supported", t.Data())
}

// File is a read safetensors file.
type File struct {
	// Tensors in the order of their data in the file.
	Tensors []Tensor
	// Metadata is the header's __metadata__, nil when absent.
	Metadata map[string]string
}

// Get returns the tensor named name.
func (f *File) Get(name string) (*tensor.Dense, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t.Value, true
		}
	}
	return nil, false
}

// Read parses a whole safetensors file. Every byte range is checked against
// the data that is there: a truncated, overlapping or corrupt file is an
// error saying what is wrong, never a panic. A value that is NaN or
// infinite is an error naming its tensor.
func Read(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, errors.Errorf("file is %d bytes, too short for a safetensors header", len(data))
	}
	n := binary.LittleEndian.Uint64(data[:8])
	if n > MaxHeader {
		return nil, errors.Errorf("header length %d exceeds the %d byte limit", n, MaxHeader)
	}
	if uint64(len(data)-8) < n {
		return nil, errors.Errorf("header length %d exceeds the %d bytes that follow: the file is truncated", n, len(data)-8)
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(data[8:8+n], &raw); err != nil {
		return nil, errors.Wrap(err, "header is not a JSON object")
	}
	body := data[8+n:]
	f := &File{}
	if md, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(md, &f.Metadata); err != nil {
			return nil, errors.Wrap(err, "__metadata__ is not an object of strings")
		}
		delete(raw, "__metadata__")
	}
	type span struct {
		name string
		e    entry
	}
	spans := make([]span, 0, len(raw))
	for name, js := range raw {
		var e entry
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, errors.Wrapf(err, "tensor %q: bad header entry", name)
		}
		spans = append(spans, span{name, e})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].e.DataOffsets[0] < spans[j].e.DataOffsets[0] })
	end := 0
	for _, s := range spans {
		t, err := decode(s.e, body, end)
		if err != nil {
			return nil, errors.Wrapf(err, "tensor %q", s.name)
		}
		end = s.e.DataOffsets[1]
		f.Tensors = append(f.Tensors, Tensor{Name: s.name, Value: t})
	}
	if end != len(body) {
		return nil, errors.Errorf("%d bytes after the last tensor's data", len(body)-end)
	}
	return f, nil
}

// notFinite is the error for a value that is NaN or infinite: weights
// like that only come from a run that diverged or a corrupt file, and a
// model holding them would predict NaN.
func notFinite(x float64, i int, shape []int) error {
	return errors.Errorf("value %d of shape %v is %v: weights must be finite (the run that saved them diverged, or the file is corrupt)", i, shape, x)
}

// decode checks e against the body (its data must start where the previous
// tensor's ended) and copies its values out.
func decode(e entry, body []byte, start int) (*tensor.Dense, error) {
	size := 0
	switch e.DType {
	case "F32":
		size = 4
	case "F64":
		size = 8
	default:
		return nil, errors.Errorf("dtype %q is not supported (F32 and F64 are)", e.DType)
	}
	count := 1
	for _, d := range e.Shape {
		if d < 0 || (d > 0 && count > math.MaxInt32/d) {
			return nil, errors.Errorf("shape %v is invalid", e.Shape)
		}
		count *= d
	}
	b, en := e.DataOffsets[0], e.DataOffsets[1]
	if b != start {
		return nil, errors.Errorf("data starts at byte %d, expected %d (gaps and overlaps are not allowed)", b, start)
	}
	if en < b || en > len(body) {
		return nil, errors.Errorf("data range [%d, %d) is outside the %d bytes of data", b, en, len(body))
	}
	if en-b != count*size {
		return nil, errors.Errorf("shape %v of %s needs %d bytes, the range holds %d", e.Shape, e.DType, count*size, en-b)
	}
	raw := body[b:en]
	shape := e.Shape
	if len(shape) == 0 {
		shape = []int{1}
	}
	if count == 0 {
		return nil, errors.Errorf("shape %v has no values", e.Shape)
	}
	if size == 4 {
		v := make([]float32, count)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			if x := float64(v[i]); math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, notFinite(x, i, e.Shape)
			}
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)), nil
	}
	v := make([]float64, count)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		if math.IsNaN(v[i]) || math.IsInf(v[i], 0) {
			return nil, notFinite(v[i], i, e.Shape)
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)), nil
}
