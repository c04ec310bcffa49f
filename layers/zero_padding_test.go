package layers_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestZeroPadding2DPassesTheHarness(t *testing.T) {
	tests := []struct {
		name    string
		padding []int
		want    layers.Shape
		opt     layertest.Options
	}{
		{"default", nil, layers.Shape{5, 6, 2}, layertest.Options{}},
		{"one value", []int{2}, layers.Shape{7, 8, 2}, layertest.Options{}},
		{"two values", []int{1, 2}, layers.Shape{5, 8, 2}, layertest.Options{Training: true}},
		{"four values", []int{0, 1, 2, 0}, layers.Shape{4, 6, 2}, layertest.Options{}},
		{"zero", []int{0}, layers.Shape{3, 4, 2}, layertest.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, &layers.ZeroPadding2D{Padding: tt.padding}, layers.Shape{3, 4, 2}, tt.want, tt.opt)
		})
	}
}

func TestZeroPadding2DValues(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		z := &layers.ZeroPadding2D{Name: "pad", Padding: []int{1, 0, 2, 1}}
		in := layers.Shape{2, 2, 1}
		if _, err := build(t, z, in, dt); err != nil {
			t.Fatal(err)
		}
		_, got, _ := runLayerOnce(t, z, dt, false, in, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8})
		want := []float64{
			0, 0, 0, 0, 0,
			0, 0, 1, 2, 0,
			0, 0, 3, 4, 0,

			0, 0, 0, 0, 0,
			0, 0, 5, 6, 0,
			0, 0, 7, 8, 0,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got %v, want %v", dt, got, want)
		}
	}
}

func TestZeroPadding2DErrors(t *testing.T) {
	tests := []struct {
		name string
		z    *layers.ZeroPadding2D
		in   layers.Shape
		want string
	}{
		{"three values", &layers.ZeroPadding2D{Padding: []int{1, 2, 3}}, layers.Shape{2, 2, 1}, "padding must have 1, 2 or 4 values, got [1 2 3]"},
		{"negative", &layers.ZeroPadding2D{Padding: []int{1, -1}}, layers.Shape{2, 2, 1}, "padding must be >= 0, got [1 -1]"},
		{"vector", &layers.ZeroPadding2D{}, layers.Shape{4}, "expected input shape (None, height, width, channels), got (None, 4)"},
		{"empty image", &layers.ZeroPadding2D{}, layers.Shape{0, 2, 1}, "dimension <= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.z.Name = "pad"
			_, err := build(t, tt.z, tt.in, tensor.Float32)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `zero_padding2d "pad"`) {
				t.Errorf("error %v, want it to name the layer and contain %q", err, tt.want)
			}
		})
	}
	z := &layers.ZeroPadding2D{Name: "pad"}
	c := layers.NewCall(tensor.Float32, 2, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float32, 4, gorgonia.WithShape(2, 2, 2, 3), gorgonia.WithName("x"))
	if _, err := z.Forward(c, x); err == nil || !strings.Contains(err.Error(), "forward before build") {
		t.Errorf("forward before build: error %v", err)
	}
}

func TestZeroPadding2DSpec(t *testing.T) {
	z := &layers.ZeroPadding2D{Name: "pad", Padding: []int{1, 2}}
	spec, err := layers.Marshal(z)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"pad","padding":[1,2]}`; string(spec.Config) != want {
		t.Errorf("config %s, want %s", spec.Config, want)
	}
	js, _ := json.Marshal(spec)
	var back layers.Spec
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	got, err := layers.Unmarshal(back, func(kind string) (layers.Layer, bool) {
		return &layers.ZeroPadding2D{}, kind == "zero_padding2d"
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, z) {
		t.Errorf("round trip gave %#v, want %#v", got, z)
	}
}

func ExampleZeroPadding2D() {
	z := &layers.ZeroPadding2D{Name: "pad", Padding: []int{1, 2}}
	out, err := z.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{28, 28, 1})
	fmt.Println(out, err)
	// Output:
	// (None, 30, 32, 1) <nil>
}
