package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/profundo/profundo/examples/internal/text"
)

// needFortunes skips when the fortune packages are not installed (CI
// installs them: fortunes fortunes-es fortunes-de fortunes-it).
func needFortunes(t *testing.T) {
	for _, l := range Languages {
		if _, err := os.Stat(filepath.Join(text.FortuneDir, l.Dir)); err != nil {
			t.Skipf("%s: %v (apt-get install fortunes fortunes-es fortunes-de fortunes-it)", l.Name, err)
		}
	}
}

func TestLoad(t *testing.T) {
	needFortunes(t)
	train, test, err := Load(Config{PerLang: 50}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 160 || len(test) != 40 {
		t.Fatalf("%d training and %d test sentences, want 160 and 40", len(train), len(test))
	}
	counts := make([]int, len(Languages))
	inTrain := map[string]bool{}
	for _, e := range train {
		counts[e.Label]++
		inTrain[e.Text] = true
	}
	for l, c := range counts {
		if c != 40 {
			t.Errorf("%s: %d training sentences, want 40", Languages[l].Name, c)
		}
	}
	for _, e := range test {
		if inTrain[e.Text] {
			t.Errorf("%q is in both splits", e.Text)
		}
	}
}

// A small run: the Transformer learns the languages well above chance
// (0.25) in a few epochs of 150 sentences each.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three models")
	}
	needFortunes(t)
	res, err := Run(context.Background(), Config{PerLang: 150, Epochs: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results, want 3", len(res))
	}
	for _, r := range res {
		t.Logf("%s: accuracy %.3f (%d parameters, %.1f s)", r.Model, r.Accuracy, r.Params, r.Seconds)
	}
	if res[0].Model != "transformer" || res[0].Accuracy < 0.5 {
		t.Errorf("transformer accuracy %.3f, want >= 0.5", res[0].Accuracy)
	}
}
