package datasets_test

import (
	"bytes"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// FuzzReadIDX feeds arbitrary bytes to ReadIDX, ReadIDXImages and
// ReadIDXLabels, as a sized reader and as a stream: they must never panic,
// and must return either an error or dims of 1 to 4 positive values whose
// product is the length of the data, the same for both readers.
func FuzzReadIDX(f *testing.F) {
	img := idxBytes(0x803, []uint32{2, 3, 4}, pattern(24))
	lab := idxBytes(0x801, []uint32{5}, pattern(5))
	gzImg := gzipBytes(f, img)
	for _, seed := range [][]byte{
		img,
		lab,
		gzImg,
		gzipBytes(f, lab),
		idxBytes(0x804, []uint32{1, 2, 2, 2}, pattern(8)),
		idxBytes(0x802, []uint32{2, 2}, pattern(4)),
		img[:len(img)-3],                                // truncated
		gzImg[:len(gzImg)-9],                            // truncated gzip
		idxBytes(0x903, nil, nil),                       // bad magic
		idxBytes(0x80d, []uint32{1}, pattern(4)),        // unsupported type
		idxBytes(0x803, []uint32{0, 28, 28}, nil),       // zero dimension
		idxBytes(0x803, []uint32{1 << 20, 28, 28}, nil), // lying header
		append(append([]byte(nil), lab...), 1, 2),       // trailing data
		{0x1f, 0x8b},
		nil,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sized, errSized := datasets.ReadIDX(bytes.NewReader(in))
		stream, errStream := datasets.ReadIDX(blindReader{bytes.NewReader(in)})
		if (errSized == nil) != (errStream == nil) {
			t.Fatalf("sized reader: %v; stream: %v", errSized, errStream)
		}
		if errSized == nil {
			checkIDX(t, sized)
			if !equalIDX(sized, stream) {
				t.Fatalf("sized reader read dims %v, stream dims %v", sized.Dims, stream.Dims)
			}
		}
		if x, err := datasets.ReadIDXImages(bytes.NewReader(in)); err == nil {
			s := x.Shape()
			if len(s) != 4 || s[3] != 1 || errSized != nil || len(x.Data().([]float32)) != len(sized.Data) {
				t.Fatalf("images shape %v from a file ReadIDX reads as %v, %v", s, sized, errSized)
			}
		}
		if y, err := datasets.ReadIDXLabels(bytes.NewReader(in)); err == nil {
			if errSized != nil || len(y.Shape()) != 1 || y.Shape()[0] != len(sized.Data) {
				t.Fatalf("labels shape %v from a file ReadIDX reads as %v, %v", y.Shape(), sized, errSized)
			}
		}
	})
}

func checkIDX(t *testing.T, m *datasets.IDX) {
	t.Helper()
	if len(m.Dims) < 1 || len(m.Dims) > 4 {
		t.Fatalf("%d dims %v", len(m.Dims), m.Dims)
	}
	n := 1
	for _, d := range m.Dims {
		if d <= 0 {
			t.Fatalf("dims %v", m.Dims)
		}
		n *= d
	}
	if n != len(m.Data) {
		t.Fatalf("dims %v hold %d values, data has %d", m.Dims, n, len(m.Data))
	}
}

func equalIDX(a, b *datasets.IDX) bool {
	if len(a.Dims) != len(b.Dims) || !bytes.Equal(a.Data, b.Data) {
		return false
	}
	for i := range a.Dims {
		if a.Dims[i] != b.Dims[i] {
			return false
		}
	}
	return true
}
