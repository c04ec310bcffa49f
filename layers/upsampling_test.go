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

func TestUpSampling2DPassesTheHarness(t *testing.T) {
	tests := []struct {
		name string
		size []int
		want layers.Shape
		opt  layertest.Options
	}{
		{"default", nil, layers.Shape{6, 4, 2}, layertest.Options{}},
		{"one value", []int{3}, layers.Shape{9, 6, 2}, layertest.Options{}},
		{"two values", []int{1, 2}, layers.Shape{3, 4, 2}, layertest.Options{Training: true}},
		{"identity", []int{1}, layers.Shape{3, 2, 2}, layertest.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, &layers.UpSampling2D{Size: tt.size}, layers.Shape{3, 2, 2}, tt.want, tt.opt)
		})
	}
}

func TestUpSampling2DValues(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		u := &layers.UpSampling2D{Name: "up", Size: []int{2, 3}}
		in := layers.Shape{2, 2, 1}
		if _, err := build(t, u, in, dt); err != nil {
			t.Fatal(err)
		}
		_, got, _ := runLayerOnce(t, u, dt, false, in, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8})
		want := []float64{
			1, 1, 1, 2, 2, 2,
			1, 1, 1, 2, 2, 2,
			3, 3, 3, 4, 4, 4,
			3, 3, 3, 4, 4, 4,

			5, 5, 5, 6, 6, 6,
			5, 5, 5, 6, 6, 6,
			7, 7, 7, 8, 8, 8,
			7, 7, 7, 8, 8, 8,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got %v, want %v", dt, got, want)
		}
	}
}

func TestUpSampling2DErrors(t *testing.T) {
	tests := []struct {
		name string
		u    *layers.UpSampling2D
		in   layers.Shape
		want string
	}{
		{"zero", &layers.UpSampling2D{Size: []int{0}}, layers.Shape{2, 2, 1}, "size must be > 0, got [0]"},
		{"three values", &layers.UpSampling2D{Size: []int{1, 2, 3}}, layers.Shape{2, 2, 1}, "size must have 1 or 2 values, got [1 2 3]"},
		{"vector", &layers.UpSampling2D{}, layers.Shape{4}, "expected input shape (None, height, width, channels), got (None, 4)"},
		{"too large", &layers.UpSampling2D{Size: []int{1 << 16}}, layers.Shape{2, 2, 1}, "holds more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.u.Name = "up"
			_, err := build(t, tt.u, tt.in, tensor.Float32)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `up_sampling2d "up"`) {
				t.Errorf("error %v, want it to name the layer and contain %q", err, tt.want)
			}
		})
	}
	u := &layers.UpSampling2D{Name: "up"}
	c := layers.NewCall(tensor.Float32, 2, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float32, 4, gorgonia.WithShape(2, 2, 2, 3), gorgonia.WithName("x"))
	if _, err := u.Forward(c, x); err == nil || !strings.Contains(err.Error(), "forward before build") {
		t.Errorf("forward before build: error %v", err)
	}
}

func TestUpSampling2DSpec(t *testing.T) {
	u := &layers.UpSampling2D{Name: "up", Size: []int{2, 3}}
	spec, err := layers.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"up","size":[2,3]}`; string(spec.Config) != want {
		t.Errorf("config %s, want %s", spec.Config, want)
	}
	js, _ := json.Marshal(spec)
	var back layers.Spec
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	got, err := layers.Unmarshal(back, func(kind string) (layers.Layer, bool) {
		return &layers.UpSampling2D{}, kind == "up_sampling2d"
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, u) {
		t.Errorf("round trip gave %#v, want %#v", got, u)
	}
}

func ExampleUpSampling2D() {
	u := &layers.UpSampling2D{Name: "up"}
	out, err := u.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{7, 7, 32})
	fmt.Println(out, err)
	// Output:
	// (None, 14, 14, 32) <nil>
}
