package datasets_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

func TestReadIDX(t *testing.T) {
	img := idxBytes(0x803, []uint32{2, 3, 4}, pattern(24))
	lab := idxBytes(0x801, []uint32{5}, pattern(5))
	four := idxBytes(0x804, []uint32{2, 1, 2, 3}, pattern(12))
	for _, tc := range []struct {
		name string
		in   []byte
		dims []int
		data []byte
	}{
		{"images", img, []int{2, 3, 4}, pattern(24)},
		{"images gzipped", gzipBytes(t, img), []int{2, 3, 4}, pattern(24)},
		{"labels", lab, []int{5}, pattern(5)},
		{"labels gzipped", gzipBytes(t, lab), []int{5}, pattern(5)},
		{"two dims", idxBytes(0x802, []uint32{3, 2}, pattern(6)), []int{3, 2}, pattern(6)},
		{"four dims", four, []int{2, 1, 2, 3}, pattern(12)},
		{"four dims gzipped", gzipBytes(t, four), []int{2, 1, 2, 3}, pattern(12)},
		{"two gzip members", append(gzipBytes(t, img[:10]), gzipBytes(t, img[10:])...), []int{2, 3, 4}, pattern(24)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []struct {
				how string
				r   io.Reader
			}{{"sized", bytes.NewReader(tc.in)}, {"stream", blindReader{bytes.NewReader(tc.in)}}} {
				m, err := datasets.ReadIDX(r.r)
				if err != nil {
					t.Fatalf("%s: %v", r.how, err)
				}
				if !reflect.DeepEqual(m.Dims, tc.dims) || !bytes.Equal(m.Data, tc.data) {
					t.Fatalf("%s: got dims %v data %v, want %v %v", r.how, m.Dims, m.Data, tc.dims, tc.data)
				}
				if got, want := m.Magic(), uint32(0x800+len(tc.dims)); got != want {
					t.Errorf("%s: Magic() = %#x, want %#x", r.how, got, want)
				}
			}
		})
	}
}

func TestReadIDXErrors(t *testing.T) {
	img := idxBytes(0x803, []uint32{2, 3, 4}, pattern(24))
	gz := gzipBytes(t, img)
	corrupt := append([]byte(nil), gz...)
	corrupt[len(corrupt)-6] ^= 0xff // the CRC-32 in the trailer
	flipped := append([]byte(nil), gz...)
	flipped[12] ^= 0x55 // the deflate data
	for _, tc := range []struct {
		name string
		in   []byte
		want []string // substrings of the error, sized and stream readers alike
	}{
		{"empty", nil, []string{"idx: empty input"}},
		{"short magic", []byte{0, 0, 8}, []string{"read 3 of the 4 bytes of the magic number"}},
		{"not idx", []byte("hello, world"), []string{"magic number 0x68656c6c at offset 0 is not an IDX magic number"}},
		{"float type", idxBytes(0x0d01, []uint32{1}, []byte{0, 0, 0, 0}), []string{"type code 0x0d (float) is not supported"}},
		{"no dims", idxBytes(0x800, nil, nil), []string{"0 dimensions, want 1 to 4"}},
		{"five dims", idxBytes(0x805, []uint32{1, 1, 1, 1, 1}, []byte{1}), []string{"5 dimensions, want 1 to 4"}},
		{"zero dim", idxBytes(0x803, []uint32{2, 0, 4}, nil), []string{"dimension 1 (offset 8) is 0"}},
		{"short dims", idxBytes(0x803, []uint32{2, 3}, nil), []string{"3 dimensions need 12 bytes at offset 4, got 8"}},
		{"too many values", idxBytes(0x803, []uint32{1 << 16, 1 << 16, 1}, nil), []string{"hold more than 2^31 values"}},
		{"truncated", img[:len(img)-5], []string{"truncated: dims [2 3 4] need 24 bytes of data", "19"}},
		{"trailing data", append(append([]byte(nil), img...), 9), []string{"data continues past the 24 bytes (offset 40) declared by dims [2 3 4]"}},
		{"gzip truncated", gz[:len(gz)/2], []string{"idx (gzip): truncated: dims [2 3 4] need 24 bytes of data, got"}},
		{"gzip trailer truncated", gz[:len(gz)-4], []string{"idx (gzip): after the data (offset 40): gzip stream truncated: unexpected EOF"}},
		{"gzip bad checksum", corrupt, []string{"idx (gzip)", "checksum"}},
		{"gzip corrupt data", flipped, []string{"idx (gzip)"}},
		{"gzip bad header", []byte{0x1f, 0x8b, 1, 2, 3}, []string{"idx (gzip): header"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []struct {
				how string
				r   io.Reader
			}{{"sized", bytes.NewReader(tc.in)}, {"stream", blindReader{bytes.NewReader(tc.in)}}} {
				m, err := datasets.ReadIDX(r.r)
				if err == nil {
					t.Fatalf("%s: got dims %v, want an error", r.how, m.Dims)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error %q does not contain %q", r.how, err, w)
					}
				}
			}
		})
	}
}

// A header declaring much more data than the input holds is refused before
// any allocation when the size is known, and costs no more than the input
// as it arrives otherwise.
func TestReadIDXLyingHeaderAllocatesLittle(t *testing.T) {
	huge := idxBytes(0x803, []uint32{1 << 20, 32, 32}, pattern(100)) // declares 1 GiB
	for _, tc := range []struct {
		name string
		in   func() io.Reader
		want string
	}{
		{"sized", func() io.Reader { return bytes.NewReader(huge) }, "the input holds 100"},
		{"sized gzip", func() io.Reader { return bytes.NewReader(gzipBytes(t, huge)) }, "gzipped bytes inflate to at most"},
		{"stream", func() io.Reader { return blindReader{bytes.NewReader(huge)} }, "got 100"},
		{"stream gzip", func() io.Reader { return blindReader{bytes.NewReader(gzipBytes(t, huge))} }, "got 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := datasets.ReadIDXImages(in)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("allocated %d bytes for a %d-byte input", alloc, len(huge))
			}
		})
	}
}

func TestReadIDXImagesAndLabels(t *testing.T) {
	px := []byte{0, 51, 102, 255, 1, 254}
	x, err := datasets.ReadIDXImages(bytes.NewReader(gzipBytes(t, idxBytes(0x803, []uint32{2, 1, 3}, px))))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := []int(x.Shape()), []int{2, 1, 3, 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("images shape %v, want %v", got, want)
	}
	got := x.Data().([]float32)
	for i, p := range px {
		if want := float32(p) / 255; got[i] != want {
			t.Errorf("pixel %d = %v, want %v", i, got[i], want)
		}
	}
	if got[0] != 0 || got[3] != 1 || got[1] != 0.2 {
		t.Errorf("pixels %v, want 0, 0.2 and 1 exactly for 0, 51 and 255", got)
	}

	y, err := datasets.ReadIDXLabels(blindReader{bytes.NewReader(idxBytes(0x801, []uint32{4}, []byte{3, 0, 9, 255}))})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := y.Data().([]float32), []float32{3, 0, 9, 255}; !reflect.DeepEqual(got, want) || !reflect.DeepEqual([]int(y.Shape()), []int{4}) {
		t.Errorf("labels %v shape %v, want %v shape [4]", got, y.Shape(), want)
	}

	// Each reader wants its own magic number.
	_, err = datasets.ReadIDXImages(bytes.NewReader(idxBytes(0x801, []uint32{4}, []byte{3, 0, 9, 255})))
	if want := "idx: magic number 0x00000801 at offset 0, want 0x00000803 (unsigned-byte images [n, rows, cols])"; err == nil || err.Error() != want {
		t.Errorf("images from a labels file: error %v, want %q", err, want)
	}
	_, err = datasets.ReadIDXLabels(bytes.NewReader(idxBytes(0x803, []uint32{2, 1, 3}, px)))
	if want := "idx: magic number 0x00000803 at offset 0, want 0x00000801 (unsigned-byte labels [n])"; err == nil || err.Error() != want {
		t.Errorf("labels from an images file: error %v, want %q", err, want)
	}
}

func TestIDXFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	img := idxBytes(0x803, []uint32{5, 28, 28}, pattern(5*28*28))
	lab := idxBytes(0x801, []uint32{5}, []byte{0, 1, 2, 3, 4})
	imgPath := write("images", img)
	imgGz := write("images.gz", gzipBytes(t, img))
	labPath := write("labels", lab)
	short := write("short", img[:100])
	shortGz := write("short.gz", gzipBytes(t, img)[:200])

	for _, p := range []string{imgPath, imgGz} {
		x, err := datasets.IDXImages(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := []int(x.Shape()), []int{5, 28, 28, 1}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: shape %v, want %v", p, got, want)
		}
		if got, want := x.Data().([]float32)[1000], float32(pattern(1001)[1000])/255; got != want {
			t.Errorf("%s: value 1000 = %v, want %v", p, got, want)
		}
	}
	y, err := datasets.IDXLabels(labPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := y.Data().([]float32), []float32{0, 1, 2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}

	for _, tc := range []struct {
		name string
		read func(string) error
		path string
		want string
	}{
		{"labels as images", func(p string) error { _, err := datasets.IDXImages(p); return err }, labPath,
			`idx "` + labPath + `": magic number 0x00000801 at offset 0, want 0x00000803`},
		{"images as labels", func(p string) error { _, err := datasets.IDXLabels(p); return err }, imgGz,
			`idx "` + imgGz + `" (gzip): magic number 0x00000803 at offset 0, want 0x00000801`},
		{"truncated", func(p string) error { _, err := datasets.IDXImages(p); return err }, short,
			`idx "` + short + `": truncated: dims [5 28 28] need 3920 bytes of data after the 16-byte header, the input holds 84`},
		{"truncated gzip", func(p string) error { _, err := datasets.IDXImages(p); return err }, shortGz,
			`idx "` + shortGz + `" (gzip): truncated: dims [5 28 28] need 3920 bytes of data, got `},
		{"missing", func(p string) error { _, err := datasets.IDXImages(p); return err }, filepath.Join(dir, "nope"),
			"no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestIDXWriteTo(t *testing.T) {
	m := &datasets.IDX{Dims: []int{2, 2, 3}, Data: pattern(12)}
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if want := idxBytes(0x803, []uint32{2, 2, 3}, pattern(12)); n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("wrote %d bytes % x, want % x", n, buf.Bytes(), want)
	}
	back, err := datasets.ReadIDX(&buf)
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Fatalf("read back %+v, %v; want %+v", back, err, m)
	}
	for _, bad := range []*datasets.IDX{
		{Dims: []int{2, 2}, Data: pattern(3)},
		{Dims: nil, Data: nil},
		{Dims: []int{1, 1, 1, 1, 1}, Data: pattern(1)},
		{Dims: []int{2, -1}, Data: nil},
	} {
		if _, err := bad.WriteTo(io.Discard); err == nil {
			t.Errorf("WriteTo(dims %v, %d bytes) succeeded, want an error", bad.Dims, len(bad.Data))
		}
	}
}

// Large inputs of known size are decoded on two goroutines: the result is
// the same as from a stream, and a corrupt stream is still an error.
func TestReadIDXLarge(t *testing.T) {
	const n = 9 << 20
	img := idxBytes(0x803, []uint32{n / 1024, 32, 32}, pattern(n))
	gz := gzipBytes(t, img)
	corrupt := append([]byte(nil), gz...)
	for i := len(corrupt) / 2; i < len(corrupt)/2+64; i++ {
		corrupt[i] ^= 0xa5
	}
	for _, in := range [][]byte{img, gz} {
		sized, err := datasets.ReadIDX(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		stream, err := datasets.ReadIDX(blindReader{bytes.NewReader(in)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sized, stream) || !bytes.Equal(sized.Data, pattern(n)) {
			t.Fatal("sized and stream readers read different data")
		}
		x, err := datasets.ReadIDXImages(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := x.Data().([]float32)[n-1], float32(pattern(n)[n-1])/255; got != want {
			t.Errorf("last pixel %v, want %v", got, want)
		}
	}
	for _, read := range []func() error{
		func() error { _, err := datasets.ReadIDX(bytes.NewReader(corrupt)); return err },
		func() error { _, err := datasets.ReadIDXImages(bytes.NewReader(corrupt)); return err },
		func() error { _, err := datasets.ReadIDXImages(bytes.NewReader(gz[:len(gz)-100])); return err },
	} {
		if err := read(); err == nil || !strings.HasPrefix(err.Error(), "idx (gzip): ") {
			t.Errorf("corrupt large input: error %v, want an idx (gzip) error", err)
		}
	}
}
