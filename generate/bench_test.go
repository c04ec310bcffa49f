package generate_test

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/generate"
	"github.com/profundo/profundo/layers"
)

// benchModel is a GPT-style model of two blocks of width 128 (4 heads,
// feed-forward 512) over 512 tokens and 256 positions, in float32.
func benchModel(b *testing.B) *generate.Model {
	rng := rand.New(rand.NewSource(1))
	bl := func(name string) *layers.Builder { return &layers.Builder{DType: tensor.Float32, RNG: rng, Name: name} }
	m := &generate.Model{DType: tensor.Float32}
	m.Embedding = &layers.TokenAndPositionEmbedding{Name: "emb", VocabularySize: 512, SequenceLength: 256, EmbeddingDim: 128}
	if _, err := m.Embedding.Build(bl("emb"), layers.Shape{256}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		d := &layers.TransformerDecoder{Name: fmt.Sprintf("dec%d", i), IntermediateDim: 512, NumHeads: 4}
		if _, err := d.BuildMerge(bl(d.Name), []layers.Shape{{256, 128}}); err != nil {
			b.Fatal(err)
		}
		m.Blocks = append(m.Blocks, d)
	}
	head := &layers.Dense{Name: "head", Units: 512}
	if _, err := head.Build(bl("head"), layers.Shape{128}); err != nil {
		b.Fatal(err)
	}
	m.Head = head
	return m
}

// BenchmarkGenerate generates 100 and 200 tokens greedily from a one-token
// prompt with the cache: the second should cost about twice the first
// (the steps cost the same but for attention over the cache, which grows).
func BenchmarkGenerate(b *testing.B) {
	m := benchModel(b)
	for _, n := range []int{100, 200} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				out, err := m.Generate(context.Background(), []int{1}, generate.Greedy{}, generate.Config{MaxTokens: n})
				if err != nil {
					b.Fatal(err)
				}
				if len(out) != n {
					b.Fatalf("%d tokens, want %d", len(out), n)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
