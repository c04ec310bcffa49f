package layers_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func ptr(v float64) *float64 { return &v }

// The activation layers pass the shared layer check (output shape,
// weights, gradients against finite differences away from the kinks).
func TestActivationLayersCheck(t *testing.T) {
	for _, tt := range []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
	}{
		{"relu", &layers.ReLUActivation{}, layers.Shape{6}},
		{"relu options", &layers.ReLUActivation{MaxValue: ptr(1.5), NegativeSlope: 0.1, Threshold: 0.2}, layers.Shape{3, 4}},
		{"leaky_relu", &layers.LeakyReLUActivation{NegativeSlope: ptr(0.05)}, layers.Shape{5}},
		{"elu", &layers.ELUActivation{Alpha: ptr(0.7)}, layers.Shape{2, 3}},
		{"prelu", &layers.PReLU{}, layers.Shape{4}},
		{"prelu 3d", &layers.PReLU{}, layers.Shape{2, 3, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.in, layertest.Options{})
		})
	}
}

// The options survive a spec round trip, and bad ones are refused at
// build with the field and value named.
func TestActivationLayersSpec(t *testing.T) {
	for _, l := range []layers.Layer{
		&layers.ReLUActivation{Name: "r", MaxValue: ptr(6), NegativeSlope: 0.1, Threshold: 0.5},
		&layers.ReLUActivation{MaxValue: ptr(0)},
		&layers.LeakyReLUActivation{NegativeSlope: ptr(0)},
		&layers.ELUActivation{Alpha: ptr(2)},
		&layers.PReLU{Name: "p"},
	} {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		var back layers.Spec
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		got, err := layers.Unmarshal(back, nil)
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("%s: round trip gives %#v, want %#v", data, got, l)
		}
	}
	for _, c := range []struct {
		layer layers.Layer
		want  string
	}{
		{&layers.ReLUActivation{MaxValue: ptr(-1)}, `relu "": max_value: must be >= 0 and finite, got -1`},
		{&layers.ReLUActivation{Threshold: -0.5}, `relu "": threshold: must be >= 0 and finite, got -0.5`},
		{&layers.LeakyReLUActivation{NegativeSlope: ptr(-0.1)}, `leaky_relu "": negative_slope: must be >= 0 and finite, got -0.1`},
	} {
		_, err := c.layer.Build(&layers.Builder{}, layers.Shape{3})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: error %v, want %q", c.layer, err, c.want)
		}
	}
}
