package ops

import (
	"math/rand"
	"testing"
)

// BenchmarkEmbedding times the lookup and the table's gradient for a batch
// of 128 sequences of 100 ids, float32, at two vocabulary sizes.
func BenchmarkEmbedding(b *testing.B) {
	for _, bc := range []struct {
		name       string
		vocab, dim int
	}{
		{"vocab1000_dim32", 1000, 32},
		{"vocab20000_dim128", 20000, 128},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const batch, steps = 128, 100
			rng := rand.New(rand.NewSource(1))
			ids := make([]float32, batch*steps)
			for i := range ids {
				ids[i] = float32(rng.Intn(bc.vocab))
			}
			table := make([]float32, bc.vocab*bc.dim)
			out, dy := make([]float32, len(ids)*bc.dim), make([]float32, len(ids)*bc.dim)
			for i := range dy {
				dy[i] = float32(rng.NormFloat64())
			}
			dt := make([]float32, len(table))
			rows := make([]int, len(ids))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if bad := toRows(ids, bc.vocab, rows); bad >= 0 {
					b.Fatalf("bad id at %d", bad)
				}
				gather(rows, table, out, bc.dim)
				scatterAdd(rows, dy, dt, bc.dim)
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkLayerNorm times the forward pass and the three gradients for a
// batch of 128 samples of (steps, features), float32.
func BenchmarkLayerNorm(b *testing.B) {
	for _, bc := range []struct {
		name        string
		steps, feat int
	}{
		{"steps1_feat256", 1, 256},
		{"steps50_feat64", 50, 64},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const batch = 128
			rng := rand.New(rand.NewSource(1))
			n, c := batch*bc.steps*bc.feat, bc.feat
			fill := func(n int) []float32 {
				s := make([]float32, n)
				for i := range s {
					s[i] = float32(rng.NormFloat64())
				}
				return s
			}
			x, dy, gamma, beta := fill(n), fill(n), fill(c), fill(c)
			out, dx, dg, db := make([]float32, n), make([]float32, n), make([]float32, c), make([]float32, c)
			mean, inv := make([]float64, n/c), make([]float64, n/c)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rowStatsAll(x, c, 1e-3, mean, inv)
				lnForward(x, gamma, beta, out, c, mean, inv)
				lnGradInput(x, gamma, dy, dx, c, mean, inv)
				lnGradGammaSum(x, dy, dg, c, mean, inv)
				colSums(dy, db, c)
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
