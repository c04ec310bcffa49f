package layers_test

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestLayerNormalizationPassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.LayerNormalization
		in    layers.Shape
		opt   layertest.Options
	}{
		{"features inference", &layers.LayerNormalization{}, layers.Shape{5}, layertest.Options{}},
		{"features training", &layers.LayerNormalization{}, layers.Shape{5}, layertest.Options{Training: true}},
		{"sequence training", &layers.LayerNormalization{Epsilon: 1e-2}, layers.Shape{3, 4}, layertest.Options{Training: true}},
		{"image inference", &layers.LayerNormalization{}, layers.Shape{2, 3, 4}, layertest.Options{Batch: 2}},
		{"volume training", &layers.LayerNormalization{}, layers.Shape{2, 2, 2, 3}, layertest.Options{Batch: 2, Training: true}},
		{"no center training", &layers.LayerNormalization{NoCenter: true}, layers.Shape{4}, layertest.Options{Training: true}},
		{"no scale inference", &layers.LayerNormalization{NoScale: true}, layers.Shape{2, 4}, layertest.Options{}},
		{"neither training", &layers.LayerNormalization{NoCenter: true, NoScale: true}, layers.Shape{4}, layertest.Options{Training: true}},
		{"one feature training", &layers.LayerNormalization{}, layers.Shape{3, 1}, layertest.Options{Training: true}},
		{"batch of one", &layers.LayerNormalization{}, layers.Shape{6}, layertest.Options{Batch: 1, Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.in, tt.opt)
		})
	}
}

// TestLayerNormalizationValues normalizes rows by hand: (1, 2, 3) has mean
// 2 and variance 2/3; (5, 5, 5) is constant and becomes beta.
func TestLayerNormalizationValues(t *testing.T) {
	x := []float64{1, 2, 3, 5, 5, 5, -3, 0, 3, 10, 20, 30} // [2, 2, 3]
	gamma, beta := []float64{1, 2, 0.5}, []float64{0, 1, -1}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, training := range []bool{false, true} {
			ln := &layers.LayerNormalization{Name: "ln", Epsilon: 0.01}
			if _, err := build(t, ln, layers.Shape{2, 3}, dt); err != nil {
				t.Fatal(err)
			}
			ws := ln.Weights()
			if len(ws) != 2 || ws[0].Name != "ln/gamma" || ws[1].Name != "ln/beta" {
				t.Fatalf("weights %v, want ln/gamma, ln/beta", ws)
			}
			for i, w := range ws {
				if got, want := bnFloats(w.Value), [][]float64{{1, 1, 1}, {0, 0, 0}}[i]; !lnFloatsEqual(got, want) {
					t.Errorf("%s starts as %v, want %v", w.Name, got, want)
				}
			}
			bnSetFloats(ws[0].Value, gamma)
			bnSetFloats(ws[1].Value, beta)
			_, y := seqForwardOnce(t, ln, dt, training, layers.Shape{2, 3}, 2, x)
			got := bnFloats(y.Value().(*tensor.Dense))
			s1 := 1 / math.Sqrt(2.0/3+0.01) // rows (1,2,3)
			s3 := 1 / math.Sqrt(6+0.01)     // (-3,0,3): variance 6
			s4 := 1 / math.Sqrt(200.0/3+0.01)
			want := []float64{
				-s1, 1, 0.5*s1 - 1,
				0, 1, -1,
				-3 * s3, 1, 0.5*3*s3 - 1,
				-10 * s4, 1, 0.5*10*s4 - 1,
			}
			for i := range want {
				if !bnClose(got[i], want[i], 1e-5) {
					t.Errorf("%v training=%v: y[%d] = %v, want %v", dt, training, i, got[i], want[i])
				}
			}
		}
	}
}

func lnFloatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLayerNormalizationErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.LayerNormalization
		in    layers.Shape
		want  string
	}{
		{"negative epsilon", &layers.LayerNormalization{Name: "n", Epsilon: -1}, layers.Shape{3}, `layer_normalization "n": epsilon must be > 0, got -1`},
		{"infinite epsilon", &layers.LayerNormalization{Name: "n", Epsilon: math.Inf(1)}, layers.Shape{3}, "epsilon must be > 0, got +Inf"},
		{"no features", &layers.LayerNormalization{Name: "n"}, layers.Shape{}, `layer_normalization "n": input has no dimensions besides the batch`},
		{"zero dimension", &layers.LayerNormalization{Name: "n"}, layers.Shape{2, 0}, "has a dimension <= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.layer, tt.in, tensor.Float32)
			wantError(t, err, tt.want)
		})
	}
	ln := &layers.LayerNormalization{Name: "n"}
	c := layers.NewCall(tensor.Float64, 2, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(2, 3, 4), gorgonia.WithName("x"))
	_, err := ln.Forward(c, x)
	wantError(t, err, `layer_normalization "n": forward before build`)
	if _, err := build(t, ln, layers.Shape{4}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	_, err = ln.Forward(c, x)
	wantError(t, err, `layer_normalization "n": built for input (2, 4), got a node of shape (2, 3, 4)`)
}

// A mask on the input is passed on.
func TestLayerNormalizationPassesTheMask(t *testing.T) {
	e := &layers.Embedding{Name: "e", InputDim: 4, OutputDim: 3, MaskZero: true}
	ln := &layers.LayerNormalization{Name: "n"}
	if _, err := build(t, e, layers.Shape{2}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	if _, err := build(t, ln, layers.Shape{2, 3}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float32, 2, false)
	x := gorgonia.NewMatrix(c.Graph, tensor.Float32, gorgonia.WithShape(2, 2), gorgonia.WithName("x"))
	h, err := e.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	y, err := ln.Forward(c, h)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := c.MaskOf(y)
	if hm, _ := c.MaskOf(h); !ok || m != hm {
		t.Errorf("output mask %v (set: %v), want the input's %v", m, ok, hm)
	}
}
