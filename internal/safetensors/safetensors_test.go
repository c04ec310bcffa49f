package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/safetensors"
)

func sample() []safetensors.Tensor {
	return []safetensors.Tensor{
		{Name: "dense/kernel", Value: tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, -2, 3.5, 4, 5e-8, -6e10}))},
		{Name: "dense/bias", Value: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{0.25, 0, -1}))},
		{Name: "other/w", Value: tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float64{1.0 / 3, 2, 3, 4}))},
	}
}

func encode(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, sample(), map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	data := encode(t)
	if hl := binary.LittleEndian.Uint64(data[:8]); hl%8 != 0 {
		t.Errorf("header length %d: data is not 8-byte aligned", hl)
	}
	f, err := safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" {
		t.Errorf("metadata %v", f.Metadata)
	}
	for _, want := range sample() {
		got, ok := f.Get(want.Name)
		if !ok {
			t.Fatalf("%s missing", want.Name)
		}
		if !reflect.DeepEqual(got.Shape(), want.Value.Shape()) || !reflect.DeepEqual(got.Data(), want.Value.Data()) {
			t.Errorf("%s: got %v %v, want %v %v", want.Name, got.Shape(), got.Data(), want.Value.Shape(), want.Value.Data())
		}
	}
}

func TestCorruptFiles(t *testing.T) {
	good := encode(t)
	hl := int(binary.LittleEndian.Uint64(good[:8]))
	withHeader := func(h string) []byte {
		b := make([]byte, 8, 8+len(h)+16)
		binary.LittleEndian.PutUint64(b, uint64(len(h)))
		return append(append(b, h...), make([]byte, 16)...)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated header", good[:20], "truncated"},
		{"truncated data", good[:len(good)-3], "outside"},
		{"trailing bytes", append(append([]byte{}, good...), 1, 2, 3), "bytes after the last tensor"},
		{"huge header length", append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, good[8:]...), "exceeds"},
		{"not json", withHeader("{nope"), "not a JSON object"},
		{"bad dtype", withHeader(`{"a":{"dtype":"I8","shape":[16],"data_offsets":[0,16]}}`), `dtype "I8"`},
		{"size mismatch", withHeader(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}`), "needs 12 bytes"},
		{"gap", withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`), "expected 0"},
		{"negative shape", withHeader(`{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}`), "invalid"},
		{"unknown field", withHeader(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"x":1}}`), "bad header entry"},
	}
	_ = hl
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := safetensors.Read(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	dup := []safetensors.Tensor{sample()[0], sample()[0]}
	if err := safetensors.Write(&buf, dup, nil); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate names: %v", err)
	}
	ints := []safetensors.Tensor{{Name: "i", Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))}}
	if err := safetensors.Write(&buf, ints, nil); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("int tensor: %v", err)
	}
}

// TestPythonReadsIt reads a Profundo file with numpy, the way Python tools
// do, and checks the numbers.
func TestPythonReadsIt(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import numpy").Run(); err != nil {
		t.Skip("numpy is not installed for /usr/bin/python3: apt-get install python3-numpy")
	}
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := os.WriteFile(path, encode(t), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
body = raw[8 + n:]
for name in sorted(k for k in header if k != "__metadata__"):
    e = header[name]
    a, b = e["data_offsets"]
    arr = np.frombuffer(body[a:b], dtype={"F32": "<f4", "F64": "<f8"}[e["dtype"]]).reshape(e["shape"])
    print(name, list(arr.shape), " ".join(repr(float(v)) for v in arr.ravel()))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	want := strings.Join([]string{
		"dense/bias [3] 0.25 0.0 -1.0",
		"dense/kernel [2, 3] 1.0 -2.0 3.5 4.0 5.000000058430487e-08 -60000002048.0",
		"other/w [1, 2, 2] 0.3333333333333333 2.0 3.0 4.0",
	}, "\n")
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("python read\n%s\nwant\n%s", got, want)
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = safetensors.Write(&buf, sample(), map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := safetensors.Read(data)
		if err != nil {
			return
		}
		for _, tn := range file.Tensors {
			if tn.Value.Shape().TotalSize() == 0 {
				t.Fatalf("%s has no values", tn.Name)
			}
		}
	})
}

// Weights that are NaN or infinite are refused, naming the tensor and the
// value.
func TestNonFiniteRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		ts   []safetensors.Tensor
		want string
	}{
		{"nan f32", []safetensors.Tensor{{Name: "dense/kernel", Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, float32(math.NaN())}))}}, `tensor "dense/kernel": value 1 of shape [2] is NaN`},
		{"inf f64", []safetensors.Tensor{{Name: "out/bias", Value: tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{math.Inf(-1), 0}))}}, `tensor "out/bias": value 0 of shape [1 2] is -Inf`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := safetensors.Write(&buf, tc.ts, nil); err != nil {
				t.Fatal(err)
			}
			_, err := safetensors.Read(buf.Bytes())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}
