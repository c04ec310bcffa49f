package models_test

import (
	"context"
	"math/rand"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
)

// An encoder-decoder Transformer saves and loads with every attention
// layer's configuration and weights: the loaded model predicts the same.
func TestTransformerSaveLoad(t *testing.T) {
	const steps, vocab = 6, 11
	src, tgt := models.Input("source", steps), models.Input("target", steps)
	e := models.Apply(&layers.TokenAndPositionEmbedding{VocabularySize: vocab, SequenceLength: steps, EmbeddingDim: 8, MaskZero: true}, src)
	e = models.Apply(&layers.TransformerEncoder{IntermediateDim: 16, NumHeads: 2, NormalizeFirst: true, Activation: layers.GELU}, e)
	d := models.Apply(&layers.TokenAndPositionEmbedding{VocabularySize: vocab, SequenceLength: steps, EmbeddingDim: 8}, tgt)
	d = models.Merge(&layers.Add{}, d, models.Apply(&layers.SinePositionEncoding{}, d))
	d = models.Merge(&layers.TransformerDecoder{IntermediateDim: 16, NumHeads: 4, Dropout: 0.1}, d, e)
	d = models.Merge(&layers.MultiHeadAttention{NumHeads: 2, KeyDim: 3, ValueDim: 5, UseCausalMask: true}, d)
	d = models.Merge(&layers.Attention{}, d, e)
	d = models.Merge(&layers.AdditiveAttention{UseCausalMask: true}, d, e)
	d = models.Merge(&layers.Add{}, d, models.Apply(&layers.PositionEmbedding{SequenceLength: steps}, d))
	out := models.Apply(&layers.Dense{Units: 3, Activation: layers.Softmax}, models.Apply(&layers.GlobalMaxPooling1D{}, d))
	m, err := models.NewFunctional([]*models.Node{src, tgt}, []*models.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	ids := func() *tensor.Dense {
		v := make([]float32, 4*steps)
		for i := range v {
			if i%steps < 4 {
				v[i] = float32(1 + rng.Intn(vocab-1))
			}
		}
		return tensor.New(tensor.WithShape(4, steps), tensor.WithBacking(v))
	}
	xs, ys := ids(), ids()
	labels := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float32{0, 1, 2, 1}))
	if _, err := m.TrainOnBatch([]*tensor.Dense{xs, ys}, labels, rand.New(rand.NewSource(2))); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before, err := m.Predict(ctx, []*tensor.Dense{xs, ys})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "model")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	loaded, err := models.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	after, err := loaded.Predict(ctx, []*tensor.Dense{xs, ys})
	if err != nil {
		t.Fatal(err)
	}
	b, a := before[0].Data().([]float32), after[0].Data().([]float32)
	for i := range b {
		if a[i] != b[i] {
			t.Fatalf("prediction %d: %v after loading, %v before", i, a[i], b[i])
		}
	}
	if s := loaded.Summary(); len(s) == 0 {
		t.Error("no summary")
	}
}
