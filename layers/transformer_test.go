package layers_test

import (
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestTransformerEncoderCheck(t *testing.T) {
	layertest.Check(t, &layers.TransformerEncoder{IntermediateDim: 5, NumHeads: 2}, layers.Shape{3, 4}, layers.Shape{3, 4}, layertest.Options{})
	layertest.Check(t, &layers.TransformerEncoder{IntermediateDim: 3, NumHeads: 1, NormalizeFirst: true, Activation: layers.GELU},
		layers.Shape{4, 2}, layers.Shape{4, 2}, layertest.Options{Batch: 2})
	layertest.Check(t, &layers.TransformerEncoder{IntermediateDim: 4, NumHeads: 2, Dropout: 0.2}, layers.Shape{3, 4}, layers.Shape{3, 4}, layertest.Options{Training: true, Seed: 2})
}

func TestTransformerEncoderWeightNames(t *testing.T) {
	l := &layers.TransformerEncoder{Name: "enc", IntermediateDim: 8, NumHeads: 2}
	if _, err := l.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "enc"}, layers.Shape{5, 4}); err != nil {
		t.Fatal(err)
	}
	var names []string
	params := 0
	for _, w := range l.Weights() {
		names = append(names, w.Name)
		params += w.Params()
	}
	want := "enc/self_attention/query/kernel enc/self_attention/query/bias enc/self_attention/key/kernel enc/self_attention/key/bias " +
		"enc/self_attention/value/kernel enc/self_attention/value/bias enc/self_attention/attention_output/kernel enc/self_attention/attention_output/bias " +
		"enc/self_attention_layer_norm/gamma enc/self_attention_layer_norm/beta enc/feedforward_intermediate_dense/kernel enc/feedforward_intermediate_dense/bias " +
		"enc/feedforward_output_dense/kernel enc/feedforward_output_dense/bias enc/feedforward_layer_norm/gamma enc/feedforward_layer_norm/beta"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("weights\n%s\nwant\n%s", got, want)
	}
	// keras-hub's count for dim 4, 2 heads, intermediate 8: attention
	// 4·(4·4+4) = 80, two norms 16, feed-forward 4·8+8 + 8·4+4 = 76.
	if params != 172 {
		t.Errorf("%d parameters, want 172", params)
	}
}

func TestTransformerEncoderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    *layers.TransformerEncoder
		in   layers.Shape
		want string
	}{
		{"heads divide", &layers.TransformerEncoder{IntermediateDim: 4, NumHeads: 3}, layers.Shape{3, 4}, "3 heads do not divide the 4 features"},
		{"intermediate", &layers.TransformerEncoder{NumHeads: 2}, layers.Shape{3, 4}, "intermediate_dim and num_heads must be > 0, got 0 and 2"},
		{"rank", &layers.TransformerEncoder{IntermediateDim: 4, NumHeads: 2}, layers.Shape{4}, "want (steps, features)"},
		{"dropout", &layers.TransformerEncoder{IntermediateDim: 4, NumHeads: 2, Dropout: -0.1}, layers.Shape{3, 4}, "dropout must be in [0, 1)"},
		{"activation", &layers.TransformerEncoder{IntermediateDim: 4, NumHeads: 2, Activation: "nope"}, layers.Shape{3, 4}, "nope"},
	} {
		b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "enc"}
		tc.l.Name = "enc"
		if _, err := tc.l.Build(b, tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestTransformerDecoderCheck(t *testing.T) {
	// Decoder-only, and with cross-attention to an encoder sequence of
	// another length and width.
	layertest.CheckMerge(t, &layers.TransformerDecoder{IntermediateDim: 5, NumHeads: 2}, []layers.Shape{{3, 4}}, layers.Shape{3, 4}, layertest.Options{})
	layertest.CheckMerge(t, &layers.TransformerDecoder{IntermediateDim: 3, NumHeads: 2, NormalizeFirst: true},
		[]layers.Shape{{3, 4}, {5, 6}}, layers.Shape{3, 4}, layertest.Options{Batch: 2})
	layertest.CheckMerge(t, &layers.TransformerDecoder{IntermediateDim: 3, NumHeads: 1, Dropout: 0.25},
		[]layers.Shape{{2, 2}, {3, 2}}, layers.Shape{2, 2}, layertest.Options{Training: true, Seed: 4})
}

func TestTransformerDecoderErrors(t *testing.T) {
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "dec"}
	l := &layers.TransformerDecoder{Name: "dec", IntermediateDim: 4, NumHeads: 2}
	for _, tc := range []struct {
		in   []layers.Shape
		want string
	}{
		{nil, "got 0 inputs"},
		{[]layers.Shape{{3, 4}, {3}}, "encoder sequence (None, 3), want (steps, features)"},
		{[]layers.Shape{{3, 5}}, "2 heads do not divide the 5 features"},
	} {
		if _, err := l.BuildMerge(b, tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}
