// Command generate times generating 100 and 200 tokens with the key/value
// cache (package generate), in alternation, and prints the medians of the
// wall-clock and CPU seconds and their ratios: with the cache, n tokens
// cost n steps, so 200 should cost about twice 100 (a little more: each
// step attends over the tokens before it).
//
//	go run ./bench/generate -rounds 5
//
// The model is GPT-style: two TransformerDecoder blocks of width 128 (4
// heads, feed-forward 512) over 512 tokens and 256 positions, float32,
// random weights (the cost does not depend on them); greedy decoding from
// a one-token prompt.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"sort"
	"syscall"
	"time"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/generate"
	"github.com/profundo/profundo/layers"
)

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func model() (*generate.Model, error) {
	rng := rand.New(rand.NewSource(1))
	b := func(name string) *layers.Builder { return &layers.Builder{DType: tensor.Float32, RNG: rng, Name: name} }
	m := &generate.Model{DType: tensor.Float32}
	m.Embedding = &layers.TokenAndPositionEmbedding{Name: "emb", VocabularySize: 512, SequenceLength: 256, EmbeddingDim: 128}
	if _, err := m.Embedding.Build(b("emb"), layers.Shape{256}); err != nil {
		return nil, err
	}
	for i := 0; i < 2; i++ {
		d := &layers.TransformerDecoder{Name: fmt.Sprintf("dec%d", i), IntermediateDim: 512, NumHeads: 4}
		if _, err := d.BuildMerge(b(d.Name), []layers.Shape{{256, 128}}); err != nil {
			return nil, err
		}
		m.Blocks = append(m.Blocks, d)
	}
	head := &layers.Dense{Name: "head", Units: 512}
	if _, err := head.Build(b("head"), layers.Shape{128}); err != nil {
		return nil, err
	}
	m.Head = head
	return m, nil
}

func main() {
	rounds := flag.Int("rounds", 5, "alternating rounds")
	flag.Parse()
	m, err := model()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	wall := map[int][]float64{}
	cpu := map[int][]float64{}
	for r := 0; r < *rounds; r++ {
		for _, n := range []int{100, 200} {
			t0, c0 := time.Now(), cpuSeconds()
			out, err := m.Generate(ctx, []int{1}, generate.Greedy{}, generate.Config{MaxTokens: n})
			if err != nil {
				log.Fatal(err)
			}
			if len(out) != n {
				log.Fatalf("%d tokens, want %d", len(out), n)
			}
			wall[n] = append(wall[n], time.Since(t0).Seconds())
			cpu[n] = append(cpu[n], cpuSeconds()-c0)
		}
	}
	fmt.Printf("| tokens | wall s (median of %d) | CPU s | tokens/s | tokens per CPU-second |\n|---|---|---|---|---|\n", *rounds)
	for _, n := range []int{100, 200} {
		w, c := median(wall[n]), median(cpu[n])
		fmt.Printf("| %d | %.3f | %.3f | %.0f | %.0f |\n", n, w, c, float64(n)/w, float64(n)/c)
	}
	fmt.Printf("\n200 tokens cost %.2fx the wall-clock time and %.2fx the CPU time of 100\n",
		median(wall[200])/median(wall[100]), median(cpu[200])/median(cpu[100]))
}
