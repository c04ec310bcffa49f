package layers_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestPositionEmbeddingCheck(t *testing.T) {
	layertest.Check(t, &layers.TokenAndPositionEmbedding{VocabularySize: 7, SequenceLength: 5, EmbeddingDim: 3}, layers.Shape{5}, layers.Shape{5, 3}, layertest.Options{IDs: 7})
	layertest.Check(t, &layers.TokenAndPositionEmbedding{VocabularySize: 7, SequenceLength: 9, EmbeddingDim: 2, MaskZero: true}, layers.Shape{4}, layers.Shape{4, 2}, layertest.Options{IDs: 7})
}

// PositionEmbedding's output depends on the input's shape only, so its
// gradient is checked with respect to its weight alone.
func TestPositionEmbeddingGradient(t *testing.T) {
	l := &layers.PositionEmbedding{Name: "pos", SequenceLength: 6}
	b := &layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "pos"}
	if _, err := l.Build(b, layers.Shape{4, 3}); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float64, 2, true)
	x := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(2, 4, 3), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 4, 3), tensor.Of(tensor.Float64))))
	y, err := l.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	r := make([]float64, 24)
	for i := range r {
		r[i] = float64(i%5) - 2
	}
	rn := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(2, 4, 3), gorgonia.WithName("r"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 4, 3), tensor.WithBacking(r))))
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn))))
	if err := gradcheck.Graph(cost, c.Learnables(), gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(c.Learnables()) != 1 {
		t.Fatalf("learnables %v, want the embeddings", c.Learnables())
	}
}

func TestPositionEmbeddingErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    layers.Layer
		in   layers.Shape
		want string
	}{
		{"too long", &layers.PositionEmbedding{SequenceLength: 3}, layers.Shape{4, 2}, "at least the 4 steps of the input, got 3"},
		{"rank", &layers.PositionEmbedding{SequenceLength: 3}, layers.Shape{4}, "want (steps, features)"},
		{"vocabulary", &layers.TokenAndPositionEmbedding{SequenceLength: 3, EmbeddingDim: 2}, layers.Shape{3}, "vocabulary_size and embedding_dim must be > 0, got 0 and 2"},
		{"ids rank", &layers.TokenAndPositionEmbedding{VocabularySize: 3, SequenceLength: 3, EmbeddingDim: 2}, layers.Shape{3, 1}, "want (steps) of ids"},
		{"wavelength", &layers.SinePositionEncoding{MaxWavelength: -1}, layers.Shape{3, 2}, "max_wavelength must be > 0"},
	} {
		b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "l"}
		if _, err := tc.l.Build(b, tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// The encodings are keras-hub's: sin at even features, cos at odd ones,
// with wavelengths 10000^(2i/dim).
func TestSinePositionEncodingValues(t *testing.T) {
	l := &layers.SinePositionEncoding{Name: "sine"}
	b := &layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "sine"}
	if _, err := l.Build(b, layers.Shape{3, 4}); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float64, 2, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(2, 3, 4), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 3, 4), tensor.Of(tensor.Float64))))
	y, err := l.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := y.Value().Data().([]float64)
	row := func(p float64) []float64 {
		return []float64{math.Sin(p), math.Cos(p), math.Sin(p / 100), math.Cos(p / 100)}
	}
	var want []float64
	for s := 0; s < 2; s++ {
		for p := 0; p < 3; p++ {
			want = append(want, row(float64(p))...)
		}
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("encoding %d = %v, want %v", i, got[i], want[i])
		}
	}
}
