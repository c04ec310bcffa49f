package main

import (
	"context"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/profundo/profundo/examples/internal/text"
)

func TestWindows(t *testing.T) {
	x, y := Windows([]int{1, 2, 3, 4, 5, 6, 7}, 3)
	if got := x.Data().([]float32); len(got) != 6 || got[0] != 1 || got[3] != 4 {
		t.Errorf("x %v", got)
	}
	if got := y.Data().([]float32); len(got) != 6 || got[0] != 2 || got[5] != 7 {
		t.Errorf("y %v", got)
	}
}

// A small run: the validation perplexity falls every epoch, and the
// samples are as long as asked.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	if _, err := os.Stat(text.FortuneDir); err != nil {
		t.Skipf("%v (apt-get install fortunes)", err)
	}
	ctx := context.Background()
	lm, eps, err := Run(ctx, Config{Chars: 40000, Steps: 32, Dim: 32, Blocks: 1, Epochs: 3, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range eps {
		t.Logf("epoch %d: loss %.3f, validation perplexity %.2f", i+1, e.Loss, e.ValPerplexity)
		if i > 0 && e.ValPerplexity >= eps[i-1].ValPerplexity {
			t.Errorf("epoch %d: perplexity %.2f did not fall from %.2f", i+1, e.ValPerplexity, eps[i-1].ValPerplexity)
		}
	}
	if last := eps[len(eps)-1].ValPerplexity; last > float64(lm.Vocab.Size())/2 {
		t.Errorf("perplexity %.2f, want well below the %d characters", last, lm.Vocab.Size())
	}
	s, err := lm.Sample(ctx, "The ", 50, 0.7, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(s); n < 50 {
		t.Errorf("sample of %d characters, want 50: %q", n, s)
	}
	again, _ := lm.Sample(ctx, "The ", 50, 0.7, 1)
	if again != s {
		t.Errorf("one seed, two samples: %q and %q", s, again)
	}
}
