package layers_test

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// Padding is invisible: a sequence padded with id 0 (MaskZero) classifies
// as the same sequence without the padding, through the embedding, an
// encoder block, a decoder block and the masked poolings.
func TestTransformerPaddingMasks(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	emb := &layers.TokenAndPositionEmbedding{Name: "emb", VocabularySize: 9, SequenceLength: 8, EmbeddingDim: 4, MaskZero: true}
	enc := &layers.TransformerEncoder{Name: "enc", IntermediateDim: 6, NumHeads: 2}
	dec := &layers.TransformerDecoder{Name: "dec", IntermediateDim: 6, NumHeads: 2}
	avg := &layers.GlobalAveragePooling1D{Name: "avg"}
	max := &layers.GlobalMaxPooling1D{Name: "max"}
	b := func(name string) *layers.Builder { return &layers.Builder{DType: tensor.Float64, RNG: rng, Name: name} }
	if _, err := emb.Build(b("emb"), layers.Shape{5}); err != nil {
		t.Fatal(err)
	}
	if _, err := enc.Build(b("enc"), layers.Shape{5, 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := dec.BuildMerge(b("dec"), []layers.Shape{{5, 4}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []layers.Layer{avg, max} {
		if _, err := p.Build(b(p.LayerName()), layers.Shape{5, 4}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(ids []float64) []float64 {
		c := layers.NewCall(tensor.Float64, 1, false)
		x := gorgonia.NewTensor(c.Graph, tensor.Float64, 2, gorgonia.WithShape(1, len(ids)), gorgonia.WithName("ids"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(1, len(ids)), tensor.WithBacking(ids))))
		h, err := emb.Forward(c, x)
		if err != nil {
			t.Fatal(err)
		}
		if h, err = enc.Forward(c, h); err != nil {
			t.Fatal(err)
		}
		if h, err = dec.ForwardMerge(c, []*gorgonia.Node{h}); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.MaskOf(h); !ok {
			t.Fatal("the decoder's output has no mask")
		}
		a, err := avg.Forward(c, h)
		if err != nil {
			t.Fatal(err)
		}
		m, err := max.Forward(c, h)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(c.Graph)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return append(append([]float64(nil), a.Value().Data().([]float64)...), m.Value().Data().([]float64)...)
	}
	padded, plain := run([]float64{3, 1, 4, 0, 0}), run([]float64{3, 1, 4})
	for i := range plain {
		if math.Abs(padded[i]-plain[i]) > 1e-12 {
			t.Fatalf("padded %v, unpadded %v", padded, plain)
		}
	}
	// A different padded token would change the result if the mask were
	// ignored: check that the padding did take part in the unmasked case.
	other := run([]float64{3, 1, 4, 2, 2})
	same := true
	for i := range plain {
		same = same && math.Abs(other[i]-plain[i]) < 1e-9
	}
	if same {
		t.Fatal("tokens after the sequence changed nothing; the test proves nothing")
	}
}
