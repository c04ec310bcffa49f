package layers_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/layers"
)

func TestSpecRoundTrip(t *testing.T) {
	ls := []layers.Layer{
		&layers.Input{Name: "in", Shape: layers.Shape{8, 8}},
		&layers.Flatten{Name: "flat"},
		&layers.Dense{Name: "h", Units: 16, Activation: layers.ReLU, KernelInitializer: layers.RandomNormal{Stddev: 0.1}, BiasInitializer: layers.Constant{Value: 0.5}},
		&layers.Dropout{Name: "d", Rate: 0.25},
		&layers.Reshape{Name: "r", Target: []int{4, -1}},
		&layers.Activation{Name: "a", Func: layers.Tanh},
		&layers.Dense{Name: "out", Units: 3, NoBias: true},
		&layers.Rescaling{Name: "s", Scale: 76.5, Offset: 152.1},
	}
	for _, l := range ls {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		var back layers.Spec
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		got, err := layers.Unmarshal(back, nil)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("round trip of %s gave %#v, want %#v", js, got, l)
		}
	}
}

func TestSpecByHand(t *testing.T) {
	var spec layers.Spec
	src := `{"kind": "dense", "config": {"units": 64, "activation": "relu", "kernel_initializer": {"kind": "he_normal"}}}`
	if err := json.Unmarshal([]byte(src), &spec); err != nil {
		t.Fatal(err)
	}
	l, err := layers.Unmarshal(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := l.(*layers.Dense)
	if d.Units != 64 || d.Activation != layers.ReLU || d.KernelInitializer != (layers.HeNormal{}) {
		t.Errorf("got %#v", d)
	}
}

func TestSpecErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`{"kind": "dense2", "config": {}}`, `unknown layer kind "dense2"`},
		{`{"kind": "dense", "config": {"unit": 3}}`, `unknown field "unit"`},
		{`{"kind": "dropout", "config": {"rate": "high"}}`, "dropout: config"},
		{`{"kind": "dense", "config": {"units": 3, "kernel_initializer": {"kind": "magic"}}}`, `unknown initializer "magic"`},
	}
	for _, tt := range tests {
		var spec layers.Spec
		if err := json.Unmarshal([]byte(tt.src), &spec); err != nil {
			t.Fatal(err)
		}
		_, err := layers.Unmarshal(spec, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.src, err, tt.want)
		}
	}
}
