package layers_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestConv3DAndPoolingPassTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"conv3d valid", &layers.Conv3D{Filters: 2, KernelSize: []int{2}}, layers.Shape{3, 4, 3, 2}, layers.Shape{2, 3, 2, 2}, layertest.Options{}},
		{"conv3d same strides", &layers.Conv3D{Filters: 3, KernelSize: []int{3, 2, 3}, Strides: []int{2}, Padding: "same", Activation: layers.Tanh}, layers.Shape{3, 4, 5, 1}, layers.Shape{2, 2, 3, 3}, layertest.Options{Training: true}},
		{"conv3d dilated", &layers.Conv3D{Filters: 2, KernelSize: []int{2}, DilationRate: []int{2, 1, 1}, NoBias: true}, layers.Shape{4, 3, 3, 2}, layers.Shape{2, 2, 2, 2}, layertest.Options{}},
		{"conv3d groups", &layers.Conv3D{Filters: 4, KernelSize: []int{2}, Groups: 2, Padding: "same"}, layers.Shape{3, 3, 3, 4}, layers.Shape{3, 3, 3, 4}, layertest.Options{Training: true}},
		{"max pooling3d", &layers.MaxPooling3D{}, layers.Shape{4, 4, 5, 2}, layers.Shape{2, 2, 2, 2}, layertest.Options{}},
		{"max pooling3d same strides", &layers.MaxPooling3D{PoolSize: []int{3, 2, 2}, Strides: []int{2, 1, 2}, Padding: "same"}, layers.Shape{5, 3, 4, 2}, layers.Shape{3, 3, 2, 2}, layertest.Options{}},
		{"average pooling3d", &layers.AveragePooling3D{PoolSize: []int{2, 1, 2}}, layers.Shape{4, 3, 4, 2}, layers.Shape{2, 3, 2, 2}, layertest.Options{}},
		{"average pooling3d same", &layers.AveragePooling3D{PoolSize: []int{2}, Padding: "same"}, layers.Shape{3, 3, 3, 1}, layers.Shape{2, 2, 2, 1}, layertest.Options{Training: true}},
		{"global average pooling3d", &layers.GlobalAveragePooling3D{}, layers.Shape{2, 3, 2, 4}, layers.Shape{4}, layertest.Options{}},
		{"global max pooling3d", &layers.GlobalMaxPooling3D{}, layers.Shape{2, 3, 2, 4}, layers.Shape{4}, layertest.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

// TestPooling3DValues checks 3-D max and average pooling with "same"
// padding against a direct loop over each window (the mean over the
// positions inside the input).
func TestPooling3DValues(t *testing.T) {
	in := layers.Shape{5, 4, 3, 2}
	pool, strides := [3]int{3, 2, 2}, [3]int{2, 2, 1}
	rng := rand.New(rand.NewSource(1))
	x := make([]float64, in.Size())
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for _, kind := range []string{"max", "average"} {
		var l layers.Layer = &layers.MaxPooling3D{Name: "p", PoolSize: pool[:], Strides: strides[:], Padding: "same"}
		if kind == "average" {
			l = &layers.AveragePooling3D{Name: "p", PoolSize: pool[:], Strides: strides[:], Padding: "same"}
		}
		out, err := l.Build(nil, in)
		if err != nil {
			t.Fatal(err)
		}
		c := layers.NewCall(tensor.Float64, 1, false)
		xn := gorgonia.NewTensor(c.Graph, tensor.Float64, 5, gorgonia.WithShape(in.WithBatch(1)...), gorgonia.WithName("x"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(in.WithBatch(1)...), tensor.WithBacking(x))))
		y, err := l.Forward(c, xn)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(c.Graph)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		got := y.Value().Data().([]float64)
		vm.Close()
		var before [3]int
		for a := 0; a < 3; a++ {
			total := max((out[a]-1)*strides[a]+pool[a]-in[a], 0)
			before[a] = total / 2
		}
		i := 0
		for od := 0; od < out[0]; od++ {
			for oh := 0; oh < out[1]; oh++ {
				for ow := 0; ow < out[2]; ow++ {
					for ch := 0; ch < in[3]; ch++ {
						m, sum, n := math.Inf(-1), 0.0, 0
						for kd := 0; kd < pool[0]; kd++ {
							for kh := 0; kh < pool[1]; kh++ {
								for kw := 0; kw < pool[2]; kw++ {
									d, h, w := od*strides[0]-before[0]+kd, oh*strides[1]-before[1]+kh, ow*strides[2]-before[2]+kw
									if d < 0 || d >= in[0] || h < 0 || h >= in[1] || w < 0 || w >= in[2] {
										continue
									}
									v := x[((d*in[1]+h)*in[2]+w)*in[3]+ch]
									m, sum, n = math.Max(m, v), sum+v, n+1
								}
							}
						}
						want := m
						if kind == "average" {
							want = sum / float64(n)
						}
						if math.Abs(got[i]-want) > 1e-12 {
							t.Fatalf("%s pooling: output %d = %v, want %v", kind, i, got[i], want)
						}
						i++
					}
				}
			}
		}
	}
}

func TestConv3DErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  string
	}{
		{"conv3d rank", &layers.Conv3D{Filters: 2, KernelSize: []int{2}}, layers.Shape{3, 3, 2}, "expected input shape (None, depth, height, width, channels)"},
		{"conv3d kernel", &layers.Conv3D{Filters: 2, KernelSize: []int{2, 2}}, layers.Shape{3, 3, 3, 2}, "kernel size must be [n] or [depth, height, width], got [2 2]"},
		{"conv3d stride and dilation", &layers.Conv3D{Filters: 2, KernelSize: []int{2}, Strides: []int{2}, DilationRate: []int{2}}, layers.Shape{5, 5, 5, 1}, "cannot be combined"},
		{"conv3d groups", &layers.Conv3D{Filters: 4, KernelSize: []int{2}, Groups: 3}, layers.Shape{3, 3, 3, 3}, "must both be multiples of groups (3)"},
		{"conv3d too big", &layers.Conv3D{Filters: 2, KernelSize: []int{4}}, layers.Shape{3, 5, 5, 1}, "larger than the padded input"},
		{"pooling too big", &layers.MaxPooling3D{PoolSize: []int{4}}, layers.Shape{3, 5, 5, 1}, `larger than the input (None, 3, 5, 5, 1) with padding "valid"`},
		{"pooling padding", &layers.AveragePooling3D{Padding: "full"}, layers.Shape{3, 5, 5, 1}, `padding must be "valid" or "same", got "full"`},
		{"global rank", &layers.GlobalMaxPooling3D{}, layers.Shape{3, 5, 1}, "expected input shape (None, depth, height, width, channels)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.layer.SetLayerName("v")
			_, err := tt.layer.Build(&layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "v"}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"v"`) {
				t.Fatalf("error %v, want one naming the layer and containing %q", err, tt.want)
			}
		})
	}
}

func TestConv3DSpecRoundTrip(t *testing.T) {
	for _, l := range []layers.Layer{
		&layers.Conv3D{Name: "c", Filters: 2, KernelSize: []int{3, 3, 1}, Padding: "same", KernelInitializer: layers.HeNormal{}},
		&layers.MaxPooling3D{Name: "m", PoolSize: []int{2, 2, 1}},
		&layers.AveragePooling3D{Name: "a", Strides: []int{1}},
		&layers.GlobalAveragePooling3D{Name: "g"},
		&layers.GlobalMaxPooling3D{Name: "h"},
	} {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		back, err := layers.Unmarshal(spec, nil)
		if err != nil {
			t.Fatalf("%s: %v", spec.Config, err)
		}
		again, err := layers.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if string(again.Config) != string(spec.Config) || again.Kind != l.Kind() {
			t.Fatalf("round trip changed %s %s to %s %s", spec.Kind, spec.Config, again.Kind, again.Config)
		}
	}
}
