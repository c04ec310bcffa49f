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

func TestMultiHeadAttentionCheck(t *testing.T) {
	// Self-attention: one input.
	layertest.CheckMerge(t, &layers.MultiHeadAttention{NumHeads: 2, KeyDim: 3}, []layers.Shape{{4, 5}}, layers.Shape{4, 5}, layertest.Options{})
	layertest.CheckMerge(t, &layers.MultiHeadAttention{NumHeads: 2, KeyDim: 3, ValueDim: 2, OutputShape: 6, UseCausalMask: true},
		[]layers.Shape{{4, 5}}, layers.Shape{4, 6}, layertest.Options{})
	layertest.CheckMerge(t, &layers.MultiHeadAttention{NumHeads: 1, KeyDim: 4, NoBias: true}, []layers.Shape{{3, 2}}, layers.Shape{3, 2}, layertest.Options{Batch: 2})
	layertest.CheckMerge(t, &layers.MultiHeadAttention{NumHeads: 2, KeyDim: 2, Dropout: 0.3}, []layers.Shape{{4, 3}}, layers.Shape{4, 3}, layertest.Options{Training: true, Seed: 3})
}

func TestMultiHeadAttentionCheckMerge(t *testing.T) {
	// Cross-attention: query (3, 5) over value (6, 4), and with a key (6, 2).
	layertest.CheckMerge(t, &layers.MultiHeadAttention{NumHeads: 2, KeyDim: 3},
		[]layers.Shape{{3, 5}, {6, 4}}, layers.Shape{3, 5}, layertest.Options{})
	layertest.CheckMerge(t, &layers.MultiHeadAttention{NumHeads: 3, KeyDim: 2, ValueDim: 4, OutputShape: 7},
		[]layers.Shape{{3, 5}, {6, 4}, {6, 2}}, layers.Shape{3, 7}, layertest.Options{Seed: 1})
}

func TestMultiHeadAttentionScoresShape(t *testing.T) {
	l := &layers.MultiHeadAttention{Name: "mha", NumHeads: 2, KeyDim: 3, ReturnAttentionScores: true}
	b := &layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "mha"}
	got, err := l.BuildMerge(b, []layers.Shape{{3, 5}, {6, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(layers.Shape{2, 3, 6}) {
		t.Fatalf("scores shape %v, want (2, 3, 6)", got)
	}
}

func TestMultiHeadAttentionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    *layers.MultiHeadAttention
		in   []layers.Shape
		want string
	}{
		{"heads", &layers.MultiHeadAttention{KeyDim: 2}, []layers.Shape{{3, 4}, {3, 4}}, "num_heads and key_dim must be > 0, got 0 and 2"},
		{"dropout", &layers.MultiHeadAttention{NumHeads: 1, KeyDim: 2, Dropout: 1}, []layers.Shape{{3, 4}, {3, 4}}, "dropout must be in [0, 1), got 1"},
		{"axes", &layers.MultiHeadAttention{NumHeads: 1, KeyDim: 2, AttentionAxes: []int{2}}, []layers.Shape{{3, 4}, {3, 4}}, "attention_axes [2]"},
		{"rank", &layers.MultiHeadAttention{NumHeads: 1, KeyDim: 2}, []layers.Shape{{3}, {3, 4}}, "query has shape (None, 3), want (steps, features)"},
		{"key steps", &layers.MultiHeadAttention{NumHeads: 1, KeyDim: 2}, []layers.Shape{{3, 4}, {5, 4}, {6, 4}}, "different steps"},
		{"inputs", &layers.MultiHeadAttention{NumHeads: 1, KeyDim: 2}, []layers.Shape{{3, 4}, {3, 4}, {3, 4}, {3, 4}}, "got 4 inputs"},
		{"mask shape", &layers.MultiHeadAttention{NumHeads: 1, KeyDim: 2, AttentionMaskInput: true}, []layers.Shape{{3, 4}, {5, 4}, {3, 4}}, "attention mask (None, 3, 4), want (3, 5)"},
	} {
		tc.l.Name = "mha"
		b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "mha"}
		if _, err := tc.l.BuildMerge(b, tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestAttentionCheckMerge(t *testing.T) {
	layertest.CheckMerge(t, &layers.Attention{}, []layers.Shape{{3, 4}, {5, 2}, {5, 4}}, layers.Shape{3, 2}, layertest.Options{})
	layertest.CheckMerge(t, &layers.Attention{UseCausalMask: true}, []layers.Shape{{4, 3}, {4, 3}}, layers.Shape{4, 3}, layertest.Options{Seed: 2})
	layertest.CheckMerge(t, &layers.Attention{Dropout: 0.3}, []layers.Shape{{2, 3}, {4, 3}}, layers.Shape{2, 3}, layertest.Options{Training: true, Seed: 3})
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "att"}
	if _, err := (&layers.Attention{Name: "att"}).BuildMerge(b, []layers.Shape{{3, 4}, {5, 2}}); err == nil || !strings.Contains(err.Error(), "do not fit") {
		t.Errorf("a key narrower than the query: %v", err)
	}
}

// As in Keras, padded queries give zeros and padded values get no weight.
func TestAttentionMasks(t *testing.T) {
	l := &layers.Attention{Name: "att"}
	if _, err := l.BuildMerge(nil, []layers.Shape{{2, 2}, {3, 2}}); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float64, 1, false)
	node := func(name string, v []float64, shape ...int) *gorgonia.Node {
		return gorgonia.NewTensor(c.Graph, tensor.Float64, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name),
			gorgonia.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
	}
	q := node("q", []float64{1, 0, 5, 5}, 1, 2, 2)
	v := node("v", []float64{1, 2, 3, 4, 100, 100}, 1, 3, 2)
	if err := c.SetMask(q, node("qm", []float64{1, 0}, 1, 2)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetMask(v, node("vm", []float64{1, 1, 0}, 1, 3)); err != nil {
		t.Fatal(err)
	}
	out, err := l.ForwardMerge(c, []*gorgonia.Node{q, v})
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	// Query (1, 0) scores the keys 1 and 3 (the third is padding):
	// weights e/(e+e³), e³/(e+e³).
	w1 := math.Exp(1) / (math.Exp(1) + math.Exp(3))
	want := []float64{w1*1 + (1-w1)*3, w1*2 + (1-w1)*4, 0, 0}
	got := out.Value().Data().([]float64)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("output %v, want %v", got, want)
		}
	}
}

func TestAdditiveAttentionCheckMerge(t *testing.T) {
	layertest.CheckMerge(t, &layers.AdditiveAttention{}, []layers.Shape{{3, 4}, {5, 2}, {5, 4}}, layers.Shape{3, 2}, layertest.Options{})
	layertest.CheckMerge(t, &layers.AdditiveAttention{NoScale: true, UseCausalMask: true}, []layers.Shape{{4, 3}, {4, 3}}, layers.Shape{4, 3}, layertest.Options{Seed: 2})
	layertest.CheckMerge(t, &layers.AdditiveAttention{Dropout: 0.3}, []layers.Shape{{2, 3}, {4, 3}}, layers.Shape{2, 3}, layertest.Options{Training: true, Seed: 3})
}
