package layers_test

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestBidirectionalPassesTheHarness(t *testing.T) {
	in := layers.Shape{4, 3}
	tests := []struct {
		name  string
		layer layers.Layer
		want  layers.Shape
		opt   layertest.Options
	}{
		{"lstm concat", &layers.Bidirectional{Layer: &layers.LSTM{Units: 2}}, layers.Shape{4}, layertest.Options{}},
		{"lstm concat sequences", &layers.Bidirectional{Layer: &layers.LSTM{Units: 2, ReturnSequences: true}}, layers.Shape{4, 4}, layertest.Options{}},
		{"gru sum sequences", &layers.Bidirectional{Layer: &layers.GRU{Units: 2, ReturnSequences: true}, MergeMode: layers.MergeSum}, layers.Shape{4, 2}, layertest.Options{}},
		{"simple_rnn mul", &layers.Bidirectional{Layer: &layers.SimpleRNN{Units: 3}, MergeMode: layers.MergeMul}, layers.Shape{3}, layertest.Options{}},
		{"gru ave, backwards inner", &layers.Bidirectional{Layer: &layers.GRU{Units: 2, GoBackwards: true}, MergeMode: layers.MergeAve}, layers.Shape{2}, layertest.Options{}},
		{"lstm training dropout", &layers.Bidirectional{Layer: &layers.LSTM{Units: 2, ReturnSequences: true, Dropout: 0.2, RecurrentDropout: 0.3}}, layers.Shape{4, 4}, layertest.Options{Training: true, Seed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, in, tt.want, tt.opt)
		})
	}
}

func TestBidirectionalWeights(t *testing.T) {
	inner := &layers.GRU{Units: 4}
	l := &layers.Bidirectional{Name: "bidi", Layer: inner}
	if out := rnnBuild(t, l, layers.Shape{5, 3}, tensor.Float32, 1); !out.Equal(layers.Shape{8}) {
		t.Fatalf("output shape %v, want (None, 8)", out)
	}
	want := []string{
		"bidi/forward_gru/kernel", "bidi/forward_gru/recurrent_kernel", "bidi/forward_gru/bias",
		"bidi/backward_gru/kernel", "bidi/backward_gru/recurrent_kernel", "bidi/backward_gru/bias",
	}
	ws := l.Weights()
	if len(ws) != len(want) {
		t.Fatalf("%d weights, want %d", len(ws), len(want))
	}
	for i, w := range ws {
		if w.Name != want[i] {
			t.Errorf("weight %d is %q, want %q", i, w.Name, want[i])
		}
	}
	if inner.Weights() != nil || inner.Name != "" || inner.GoBackwards {
		t.Error("Build changed the wrapped layer")
	}
	named := &layers.Bidirectional{Name: "b", Layer: &layers.LSTM{Name: "enc", Units: 2}}
	rnnBuild(t, named, layers.Shape{5, 3}, tensor.Float32, 1)
	if got := named.Weights()[3].Name; got != "b/backward_enc/kernel" {
		t.Errorf("backward kernel of a named layer is %q, want b/backward_enc/kernel", got)
	}
}

// TestBidirectionalMergeModes checks that sum, mul and ave combine the two
// halves concat gives (the same seed gives the same weights).
func TestBidirectionalMergeModes(t *testing.T) {
	const steps, features, units, batch = 4, 3, 2, 2
	x := rnnRandom(11, batch*steps*features)
	for _, seqs := range []bool{false, true} {
		run := func(mode layers.MergeMode) []float64 {
			l := &layers.Bidirectional{Name: "b", Layer: &layers.LSTM{Units: units, ReturnSequences: seqs}, MergeMode: mode}
			rnnBuild(t, l, layers.Shape{steps, features}, tensor.Float64, 5)
			c := layers.NewCall(tensor.Float64, batch, false)
			out, err := l.Forward(c, rnnNode(c, "x", tensor.Shape{batch, steps, features}, x))
			if err != nil {
				t.Fatal(err)
			}
			return rnnRun(t, c, out)[0]
		}
		cat := run(layers.MergeConcat)
		if def := run(""); !reflect.DeepEqual(def, cat) {
			t.Errorf("the default merge mode is not concat")
		}
		rows := len(cat) / (2 * units)
		f, b := make([]float64, 0, rows*units), make([]float64, 0, rows*units)
		for r := 0; r < rows; r++ {
			f = append(f, cat[r*2*units:r*2*units+units]...)
			b = append(b, cat[r*2*units+units:(r+1)*2*units]...)
		}
		combine := func(op func(a, b float64) float64) []float64 {
			out := make([]float64, len(f))
			for i := range f {
				out[i] = op(f[i], b[i])
			}
			return out
		}
		rnnClose(t, "sum", run(layers.MergeSum), combine(func(a, b float64) float64 { return a + b }), 1e-12)
		rnnClose(t, "mul", run(layers.MergeMul), combine(func(a, b float64) float64 { return a * b }), 1e-12)
		rnnClose(t, "ave", run(layers.MergeAve), combine(func(a, b float64) float64 { return (a + b) / 2 }), 1e-12)
	}
}

// TestBidirectionalMasks checks that a sample padded at the end gives, at
// its valid steps, the output of its valid steps on their own, and zeros
// at its padded steps, as Keras's Bidirectional does.
func TestBidirectionalMasks(t *testing.T) {
	const steps, features, units, valid = 5, 3, 2, 3
	x := rnnRandom(12, 2*steps*features)
	mask := []float64{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		l := &layers.Bidirectional{Name: "b", Layer: &layers.GRU{Units: units, ReturnSequences: true}}
		rnnBuild(t, l, layers.Shape{steps, features}, dt, 6)
		c := layers.NewCall(dt, 2, false)
		xn := rnnNode(c, "x", tensor.Shape{2, steps, features}, x)
		mn := rnnNode(c, "mask", tensor.Shape{2, steps}, mask)
		if err := c.SetMask(xn, mn); err != nil {
			t.Fatal(err)
		}
		out, err := l.Forward(c, xn)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := c.MaskOf(out); !ok || m != mn {
			t.Error("the output does not carry the input's mask")
		}
		got := rnnRun(t, c, out)[0]

		alone := &layers.Bidirectional{Name: "b", Layer: &layers.GRU{Units: units, ReturnSequences: true}}
		rnnBuild(t, alone, layers.Shape{valid, features}, dt, 6)
		ca := layers.NewCall(dt, 1, false)
		oa, err := alone.Forward(ca, rnnNode(ca, "x", tensor.Shape{1, valid, features}, rnnSample(x, steps, features, 1, 0, valid)))
		if err != nil {
			t.Fatal(err)
		}
		want := append(rnnRun(t, ca, oa)[0], make([]float64, (steps-valid)*2*units)...)
		rnnClose(t, "padded sample", got[steps*2*units:], want, tol)
	}
}

func TestBidirectionalErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.Bidirectional
		in    layers.Shape
		want  string
	}{
		{"no layer", &layers.Bidirectional{Name: "b"}, layers.Shape{5, 3}, `bidirectional "b": layer must be a *SimpleRNN, *LSTM or *GRU, got <nil>`},
		{"dense", &layers.Bidirectional{Name: "b", Layer: &layers.Dense{Units: 2}}, layers.Shape{5, 3}, `got *layers.Dense`},
		{"merge mode", &layers.Bidirectional{Name: "b", Layer: &layers.LSTM{Units: 2}, MergeMode: "max"}, layers.Shape{5, 3}, `bidirectional "b": unknown merge mode "max"`},
		{"inner error", &layers.Bidirectional{Name: "b", Layer: &layers.LSTM{Units: 2}}, layers.Shape{5}, `bidirectional "b": lstm "b/forward_lstm": expected input shape (None, steps, features), got (None, 5)`},
		{"inner units", &layers.Bidirectional{Name: "b", Layer: &layers.GRU{Name: "g"}}, layers.Shape{5, 3}, `gru "b/forward_g": units must be > 0, got 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.layer.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "b"}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	c := layers.NewCall(tensor.Float32, 1, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float32, 3, gorgonia.WithShape(1, 5, 3), gorgonia.WithName("x"))
	if _, err := (&layers.Bidirectional{Name: "b", Layer: &layers.LSTM{Units: 2}}).Forward(c, x); err == nil || !strings.Contains(err.Error(), "forward before build") {
		t.Errorf("forward before build: error %v", err)
	}
}
