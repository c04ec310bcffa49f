package layers_test

import (
	"encoding/json"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestPoolingLayersPassTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"max 2d defaults", &layers.MaxPooling2D{}, layers.Shape{4, 4, 2}, layers.Shape{2, 2, 2}, layertest.Options{}},
		{"max 2d odd valid", &layers.MaxPooling2D{}, layers.Shape{5, 3, 2}, layers.Shape{2, 1, 2}, layertest.Options{}},
		{"max 2d 3x3 stride 1 same", &layers.MaxPooling2D{PoolSize: []int{3}, Strides: []int{1}, Padding: "same"}, layers.Shape{5, 4, 3}, layers.Shape{5, 4, 3}, layertest.Options{}},
		{"max 2d rectangular", &layers.MaxPooling2D{PoolSize: []int{2, 3}, Strides: []int{1, 2}}, layers.Shape{5, 7, 2}, layers.Shape{4, 3, 2}, layertest.Options{Batch: 2}},
		{"max 2d training", &layers.MaxPooling2D{Padding: "same"}, layers.Shape{5, 5, 1}, layers.Shape{3, 3, 1}, layertest.Options{Training: true}},
		{"average 2d defaults", &layers.AveragePooling2D{}, layers.Shape{5, 5, 2}, layers.Shape{2, 2, 2}, layertest.Options{}},
		{"average 2d same", &layers.AveragePooling2D{Padding: "same"}, layers.Shape{5, 5, 2}, layers.Shape{3, 3, 2}, layertest.Options{}},
		{"average 2d 3x3 stride 2 same", &layers.AveragePooling2D{PoolSize: []int{3, 3}, Strides: []int{2, 2}, Padding: "same"}, layers.Shape{6, 5, 1}, layers.Shape{3, 3, 1}, layertest.Options{Training: true}},
		{"global average 2d", &layers.GlobalAveragePooling2D{}, layers.Shape{3, 4, 5}, layers.Shape{5}, layertest.Options{}},
		{"global max 2d", &layers.GlobalMaxPooling2D{}, layers.Shape{3, 4, 5}, layers.Shape{5}, layertest.Options{Training: true}},
		{"max 1d defaults", &layers.MaxPooling1D{}, layers.Shape{7, 3}, layers.Shape{3, 3}, layertest.Options{}},
		{"max 1d 3 stride 1 same", &layers.MaxPooling1D{PoolSize: 3, Strides: 1, Padding: "same"}, layers.Shape{6, 2}, layers.Shape{6, 2}, layertest.Options{Training: true}},
		{"average 1d 3 stride 2", &layers.AveragePooling1D{PoolSize: 3, Strides: 2}, layers.Shape{8, 2}, layers.Shape{3, 2}, layertest.Options{}},
		{"average 1d same", &layers.AveragePooling1D{Padding: "same"}, layers.Shape{7, 3}, layers.Shape{4, 3}, layertest.Options{}},
		{"global average 1d", &layers.GlobalAveragePooling1D{}, layers.Shape{6, 4}, layers.Shape{4}, layertest.Options{}},
		{"global max 1d", &layers.GlobalMaxPooling1D{}, layers.Shape{6, 4}, layers.Shape{4}, layertest.Options{Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
			if w := tt.layer.Weights(); w != nil {
				t.Errorf("Weights() = %v, want nil", w)
			}
		})
	}
}

func TestPoolingBuildErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  string
	}{
		{"max 2d rank 2", &layers.MaxPooling2D{Name: "p"}, layers.Shape{4, 4},
			`max_pooling2d "p": expected input shape (None, height, width, channels), got (None, 4, 4)`},
		{"max 2d zero dimension", &layers.MaxPooling2D{Name: "p"}, layers.Shape{4, 0, 2}, `max_pooling2d "p": expected input shape`},
		{"max 2d pool 0", &layers.MaxPooling2D{Name: "p", PoolSize: []int{0, 2}}, layers.Shape{4, 4, 1},
			`max_pooling2d "p": pool size must be > 0, got [0 2]`},
		{"max 2d pool of 3 values", &layers.MaxPooling2D{Name: "p", PoolSize: []int{2, 2, 2}}, layers.Shape{4, 4, 1},
			`max_pooling2d "p": pool size must have 1 or 2 values, got [2 2 2]`},
		{"max 2d negative stride", &layers.MaxPooling2D{Name: "p", Strides: []int{-1}}, layers.Shape{4, 4, 1},
			`max_pooling2d "p": strides must be > 0, got [-1]`},
		{"max 2d strides of 3 values", &layers.MaxPooling2D{Name: "p", Strides: []int{1, 1, 1}}, layers.Shape{4, 4, 1},
			`max_pooling2d "p": strides must have 1 or 2 values`},
		{"max 2d window larger than the input", &layers.MaxPooling2D{Name: "p", PoolSize: []int{5}}, layers.Shape{4, 6, 1},
			`max_pooling2d "p": pool size [5 5] is larger than the input (None, 4, 6, 1) with padding "valid"`},
		{"max 2d unknown padding", &layers.MaxPooling2D{Name: "p", Padding: "full"}, layers.Shape{4, 4, 1},
			`max_pooling2d "p": padding must be "valid" or "same", got "full"`},
		{"average 2d rank 4", &layers.AveragePooling2D{Name: "a"}, layers.Shape{2, 4, 4, 1},
			`average_pooling2d "a": expected input shape (None, height, width, channels)`},
		{"average 2d wide window", &layers.AveragePooling2D{Name: "a", PoolSize: []int{1, 9}}, layers.Shape{4, 4, 1},
			`average_pooling2d "a": pool size [1 9] is larger than the input`},
		{"average 2d upper-case padding", &layers.AveragePooling2D{Name: "a", Padding: "SAME"}, layers.Shape{4, 4, 1},
			`average_pooling2d "a": padding must be "valid" or "same", got "SAME"`},
		{"max 1d rank 3", &layers.MaxPooling1D{Name: "m"}, layers.Shape{4, 4, 1},
			`max_pooling1d "m": expected input shape (None, steps, channels), got (None, 4, 4, 1)`},
		{"max 1d negative pool", &layers.MaxPooling1D{Name: "m", PoolSize: -1}, layers.Shape{4, 1},
			`max_pooling1d "m": pool size must be > 0, got -1`},
		{"max 1d negative stride", &layers.MaxPooling1D{Name: "m", Strides: -2}, layers.Shape{4, 1},
			`max_pooling1d "m": strides must be > 0, got -2`},
		{"max 1d window larger than the input", &layers.MaxPooling1D{Name: "m", PoolSize: 5}, layers.Shape{4, 1},
			`max_pooling1d "m": pool size 5 is larger than the input (None, 4, 1) with padding "valid"`},
		{"average 1d unknown padding", &layers.AveragePooling1D{Name: "m", Padding: "causal"}, layers.Shape{4, 1},
			`average_pooling1d "m": padding must be "valid" or "same", got "causal"`},
		{"global average 2d rank 2", &layers.GlobalAveragePooling2D{Name: "g"}, layers.Shape{4, 4},
			`global_average_pooling2d "g": expected input shape (None, height, width, channels), got (None, 4, 4)`},
		{"global max 2d rank 1", &layers.GlobalMaxPooling2D{Name: "g"}, layers.Shape{4},
			`global_max_pooling2d "g": expected input shape (None, height, width, channels)`},
		{"global average 1d rank 3", &layers.GlobalAveragePooling1D{Name: "g"}, layers.Shape{4, 4, 1},
			`global_average_pooling1d "g": expected input shape (None, steps, channels), got (None, 4, 4, 1)`},
		{"global max 1d zero steps", &layers.GlobalMaxPooling1D{Name: "g"}, layers.Shape{0, 3},
			`global_max_pooling1d "g": expected input shape (None, steps, channels)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.layer, tt.in, tensor.Float32)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build(%v): error %v, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func poolingLayers() []layers.Layer {
	return []layers.Layer{
		&layers.MaxPooling2D{}, &layers.AveragePooling2D{},
		&layers.GlobalMaxPooling2D{}, &layers.GlobalAveragePooling2D{},
		&layers.MaxPooling1D{}, &layers.AveragePooling1D{},
		&layers.GlobalMaxPooling1D{}, &layers.GlobalAveragePooling1D{},
	}
}

func TestPoolingForwardErrors(t *testing.T) {
	for _, l := range poolingLayers() {
		l.SetLayerName("p")
		in := layers.Shape{4, 4, 2}
		if strings.HasSuffix(l.Kind(), "1d") {
			in = layers.Shape{4, 2}
		}
		c := layers.NewCall(tensor.Float32, 2, false)
		x := gorgonia.NewTensor(c.Graph, tensor.Float32, len(in)+1, gorgonia.WithShape(in.WithBatch(2)...), gorgonia.WithName("x"))
		if _, err := l.Forward(c, x); err == nil || !strings.Contains(err.Error(), l.Kind()+` "p": forward before build`) {
			t.Errorf("%s: Forward before Build: error %v", l.Kind(), err)
		}
		if _, err := build(t, l, in, tensor.Float32); err != nil {
			t.Fatalf("%s: %v", l.Kind(), err)
		}
		other := gorgonia.NewTensor(c.Graph, tensor.Float32, len(in)+1, gorgonia.WithShape(in.WithBatch(3)...), gorgonia.WithName("other"))
		if _, err := l.Forward(c, other); err == nil || !strings.Contains(err.Error(), "built for input") {
			t.Errorf("%s: Forward on a node of another shape: error %v", l.Kind(), err)
		}
	}
}

// runPooling runs l, built for in, on one float32 sample x and returns the
// output's values.
func runPooling(t *testing.T, l layers.Layer, in layers.Shape, x []float32) ([]float32, tensor.Shape) {
	t.Helper()
	if _, err := build(t, l, in, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float32, 1, false)
	shape := in.WithBatch(1)
	xn := gorgonia.NewTensor(c.Graph, tensor.Float32, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))))
	out, err := l.Forward(c, xn)
	if err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(c.Graph)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), out.Value().Data().([]float32)...), out.Shape().Clone()
}

// TestPoolingValues checks float32 outputs against values worked out by
// hand on a 4x4 image whose channel 0 is 1..16 row by row and channel 1 its
// negation, and on the sequence 1, 3, 2, 5, 4.
func TestPoolingValues(t *testing.T) {
	image := make([]float32, 32)
	for i := 0; i < 16; i++ {
		image[2*i] = float32(i + 1)
		image[2*i+1] = -float32(i + 1)
	}
	seq := []float32{1, 3, 2, 5, 4}
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		x     []float32
		shape tensor.Shape
		want  []float32
	}{
		{"max 2x2", &layers.MaxPooling2D{}, layers.Shape{4, 4, 2}, image, tensor.Shape{1, 2, 2, 2},
			[]float32{6, -1, 8, -3, 14, -9, 16, -11}},
		{"average 2x2", &layers.AveragePooling2D{}, layers.Shape{4, 4, 2}, image, tensor.Shape{1, 2, 2, 2},
			[]float32{3.5, -3.5, 5.5, -5.5, 11.5, -11.5, 13.5, -13.5}},
		// Windows rows/columns [0, 3) and [2, 4): the padding is not counted.
		{"average 3x3 stride 2 same", &layers.AveragePooling2D{PoolSize: []int{3}, Strides: []int{2}, Padding: "same"}, layers.Shape{4, 4, 2}, image, tensor.Shape{1, 2, 2, 2},
			[]float32{6, -6, 7.5, -7.5, 12, -12, 13.5, -13.5}},
		{"max 3x3 stride 2 same", &layers.MaxPooling2D{PoolSize: []int{3}, Strides: []int{2}, Padding: "same"}, layers.Shape{4, 4, 2}, image, tensor.Shape{1, 2, 2, 2},
			[]float32{11, -1, 12, -3, 15, -9, 16, -11}},
		{"global average 2d", &layers.GlobalAveragePooling2D{}, layers.Shape{4, 4, 2}, image, tensor.Shape{1, 2}, []float32{8.5, -8.5}},
		{"global max 2d", &layers.GlobalMaxPooling2D{}, layers.Shape{4, 4, 2}, image, tensor.Shape{1, 2}, []float32{16, -1}},
		{"max 1d", &layers.MaxPooling1D{}, layers.Shape{5, 1}, seq, tensor.Shape{1, 2, 1}, []float32{3, 5}},
		// Windows [0, 2), [2, 4), [4, 6) with step 5 padding.
		{"average 1d same", &layers.AveragePooling1D{Padding: "same"}, layers.Shape{5, 1}, seq, tensor.Shape{1, 3, 1}, []float32{2, 3.5, 4}},
		{"max 1d 3 stride 1 same", &layers.MaxPooling1D{PoolSize: 3, Strides: 1, Padding: "same"}, layers.Shape{5, 1}, seq, tensor.Shape{1, 5, 1}, []float32{3, 3, 5, 5, 5}},
		{"global average 1d", &layers.GlobalAveragePooling1D{}, layers.Shape{5, 1}, seq, tensor.Shape{1, 1}, []float32{3}},
		{"global max 1d", &layers.GlobalMaxPooling1D{}, layers.Shape{5, 1}, seq, tensor.Shape{1, 1}, []float32{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, shape := runPooling(t, tt.layer, tt.in, tt.x)
			if !shape.Eq(tt.shape) {
				t.Fatalf("output shape %v, want %v", shape, tt.shape)
			}
			for i := range tt.want {
				if math.Abs(float64(got[i]-tt.want[i])) > 1e-6 {
					t.Errorf("output %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}

// The configuration is the exported fields, with Keras's names.
func TestPoolingConfigJSON(t *testing.T) {
	p := &layers.MaxPooling2D{Name: "pool", PoolSize: []int{3}, Strides: []int{1, 2}, Padding: "same"}
	spec, err := layers.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"pool","pool_size":[3],"strides":[1,2],"padding":"same"}`; spec.Kind != "max_pooling2d" || string(spec.Config) != want {
		t.Errorf("spec %s %s, want max_pooling2d %s", spec.Kind, spec.Config, want)
	}
	var back layers.MaxPooling2D
	if err := json.Unmarshal(spec.Config, &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != p.Name || back.Padding != p.Padding || len(back.PoolSize) != 1 || back.PoolSize[0] != 3 || len(back.Strides) != 2 {
		t.Errorf("round trip gave %+v, want %+v", back, *p)
	}
	spec1, err := layers.Marshal(&layers.AveragePooling1D{PoolSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"pool_size":4}`; string(spec1.Config) != want {
		t.Errorf("average_pooling1d config %s, want %s", spec1.Config, want)
	}
}

// A pooling layer's graph runs again with new input values and gives the
// new result: the op's buffers are reused, not stale.
func TestPoolingGraphRunsTwice(t *testing.T) {
	l := &layers.MaxPooling2D{Name: "p", Padding: "same"}
	in := layers.Shape{5, 5, 3}
	if _, err := build(t, l, in, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float64, 2, true)
	xv := tensor.New(tensor.WithShape(in.WithBatch(2)...), tensor.WithBacking(make([]float64, 150)))
	x := gorgonia.NewTensor(c.Graph, tensor.Float64, 4, gorgonia.WithShape(in.WithBatch(2)...), gorgonia.WithName("x"), gorgonia.WithValue(xv))
	out, err := l.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(c.Graph)
	defer m.Close()
	rng := rand.New(rand.NewSource(2))
	for run := 0; run < 2; run++ {
		data := xv.Float64s()
		for i := range data {
			data[i] = rng.NormFloat64() + float64(10*run)
		}
		m.Reset()
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		got := out.Value().Data().([]float64)
		// Output (0, 0, 0) of sample 0 is the maximum of rows and columns 0-1.
		want := math.Inf(-1)
		for _, cell := range []int{0, 1, 5, 6} {
			want = math.Max(want, data[cell*3])
		}
		if got[0] != want {
			t.Errorf("run %d: output %v, want %v", run, got[0], want)
		}
	}
}
