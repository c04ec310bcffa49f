package layers_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestSpatialDropout2DPassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.SpatialDropout2D
		opt   layertest.Options
	}{
		{"inference", &layers.SpatialDropout2D{Rate: 0.5}, layertest.Options{}},
		{"training", &layers.SpatialDropout2D{Rate: 0.5}, layertest.Options{Training: true}},
		{"rate zero training", &layers.SpatialDropout2D{}, layertest.Options{Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, layers.Shape{3, 4, 2}, layers.Shape{3, 4, 2}, tt.opt)
		})
	}
}

func TestSpatialDropout2DDropsWholeChannels(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		d := &layers.SpatialDropout2D{Name: "sd", Rate: 0.25}
		in := layers.Shape{3, 5, 100}
		if _, err := build(t, d, in, dt); err != nil {
			t.Fatal(err)
		}
		x := make([]float64, in.Size()*4)
		for i := range x {
			x[i] = float64(i%7) + 1
		}
		c, out, _ := runLayerOnce(t, d, dt, true, in, 4, x)
		if len(c.Feeds()) != 1 || c.Feeds()[0].Node.Name() != "sd/mask" {
			t.Fatalf("the training graph has feeds %v, want the mask sd/mask", c.Feeds())
		}
		if got := c.Feeds()[0].Value.Shape(); !got.Eq(in.WithBatch(4)) {
			t.Errorf("mask shape %v, want %v", got, in.WithBatch(4))
		}
		dropped := 0
		for b := 0; b < 4; b++ {
			for k := 0; k < 100; k++ {
				// Every pixel of a channel is kept (scaled) or dropped together.
				first := b*1500 + k
				kept := out[first] != 0
				if !kept {
					dropped++
				}
				for p := 0; p < 15; p++ {
					i := first + p*100
					want := 0.0
					if kept {
						want = x[i] / 0.75
					}
					if !bnClose(out[i], want, 1e-6) {
						t.Fatalf("%v: sample %d channel %d pixel %d: got %v, want %v", dt, b, k, p, out[i], want)
					}
				}
			}
		}
		if frac := float64(dropped) / 400; frac < 0.17 || frac > 0.33 {
			t.Errorf("%v: dropped %v of the channels, want about 0.25", dt, frac)
		}

		inf := layers.NewCall(dt, 4, false)
		xi := gorgonia.NewTensor(inf.Graph, dt, 4, gorgonia.WithShape(in.WithBatch(4)...), gorgonia.WithName("x"))
		o, err := d.Forward(inf, xi)
		if err != nil {
			t.Fatal(err)
		}
		if o != xi || len(inf.Feeds()) != 0 {
			t.Error("the inference graph has a mask: it must pass inputs through")
		}
	}
}

// The same seed draws the same mask; another seed another.
func TestSpatialDropout2DMaskIsSeeded(t *testing.T) {
	d := &layers.SpatialDropout2D{Name: "sd", Rate: 0.5}
	if _, err := build(t, d, layers.Shape{2, 2, 16}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	mask := func(seed int64) []float32 {
		c := layers.NewCall(tensor.Float32, 2, true)
		x := gorgonia.NewTensor(c.Graph, tensor.Float32, 4, gorgonia.WithShape(2, 2, 2, 16), gorgonia.WithName("x"))
		if _, err := d.Forward(c, x); err != nil {
			t.Fatal(err)
		}
		f := c.Feeds()[0]
		f.Fill(rand.New(rand.NewSource(seed)), f.Value)
		return append([]float32(nil), f.Value.Data().([]float32)...)
	}
	if a, b := mask(1), mask(1); !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave two masks")
	}
	if a, b := mask(1), mask(2); reflect.DeepEqual(a, b) {
		t.Error("two seeds gave the same mask")
	}
}

func TestSpatialDropout2DErrors(t *testing.T) {
	tests := []struct {
		name string
		d    *layers.SpatialDropout2D
		in   layers.Shape
		want string
	}{
		{"rate negative", &layers.SpatialDropout2D{Rate: -0.1}, layers.Shape{2, 2, 3}, "rate must be in [0, 1), got -0.1"},
		{"rate one", &layers.SpatialDropout2D{Rate: 1}, layers.Shape{2, 2, 3}, "rate must be in [0, 1), got 1"},
		{"vector", &layers.SpatialDropout2D{Rate: 0.5}, layers.Shape{4}, "expected input shape (None, height, width, channels), got (None, 4)"},
		{"rank 4", &layers.SpatialDropout2D{Rate: 0.5}, layers.Shape{2, 2, 2, 2}, "expected input shape (None, height, width, channels)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.d.Name = "drop"
			_, err := build(t, tt.d, tt.in, tensor.Float32)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `spatial_dropout2d "drop"`) {
				t.Errorf("error %v, want it to name the layer and contain %q", err, tt.want)
			}
		})
	}
	d := &layers.SpatialDropout2D{Name: "drop", Rate: 0.5}
	c := layers.NewCall(tensor.Float32, 2, true)
	x := gorgonia.NewTensor(c.Graph, tensor.Float32, 4, gorgonia.WithShape(2, 2, 2, 3), gorgonia.WithName("x"))
	if _, err := d.Forward(c, x); err == nil || !strings.Contains(err.Error(), "forward before build") {
		t.Errorf("forward before build: error %v", err)
	}
}

func TestSpatialDropout2DSpec(t *testing.T) {
	d := &layers.SpatialDropout2D{Name: "sd", Rate: 0.3}
	spec, err := layers.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"sd","rate":0.3}`; string(spec.Config) != want {
		t.Errorf("config %s, want %s", spec.Config, want)
	}
	js, _ := json.Marshal(spec)
	var back layers.Spec
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	got, err := layers.Unmarshal(back, func(kind string) (layers.Layer, bool) {
		return &layers.SpatialDropout2D{}, kind == "spatial_dropout2d"
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("round trip gave %#v, want %#v", got, d)
	}
}

func ExampleSpatialDropout2D() {
	d := &layers.SpatialDropout2D{Name: "drop", Rate: 0.2}
	out, err := d.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{14, 14, 32})
	fmt.Println(out, err, d.Weights() == nil)
	// Output:
	// (None, 14, 14, 32) <nil> true
}
