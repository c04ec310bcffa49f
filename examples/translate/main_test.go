package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func needCatalogs(t *testing.T) {
	if m, _ := filepath.Glob(filepath.Join(CatalogDir, "*.mo")); len(m) == 0 {
		t.Skipf("no catalogs in %s", CatalogDir)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"_File":              "File",
		"Save &As...":        "Save As...",
		"  two\n lines  ":    "two lines",
		"snake_case stays":   "snake_case stays",
		"%s: not found (_x)": "%s: not found (x)",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoad(t *testing.T) {
	needCatalogs(t)
	d, err := Load(Config{Pairs: 400, Test: 100}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Train) != 300 || len(d.Test) != 100 || d.Files == 0 {
		t.Fatalf("%d training, %d test pairs from %d files", len(d.Train), len(d.Test), d.Files)
	}
	seen := map[string]bool{}
	for _, p := range append(d.Train, d.Test...) {
		if seen[p.Source] || len([]rune(p.Source)) >= 80 || len([]rune(p.Target)) >= 80 || strings.ContainsAny(p.Source, "\n") {
			t.Fatalf("pair %q kept", p)
		}
		seen[p.Source] = true
	}
}

// A small run trains (the loss falls) and translates every test message.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	needCatalogs(t)
	if _, err := os.Stat(CatalogDir); err != nil {
		t.Skip(err)
	}
	res, err := Run(context.Background(), Config{Pairs: 1200, Test: 100, Dim: 32, Epochs: 2, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Losses) != 2 || res.Losses[1] >= res.Losses[0] {
		t.Errorf("losses %v, want falling", res.Losses)
	}
	if len(res.Translations) != 100 {
		t.Fatalf("%d translations, want 100", len(res.Translations))
	}
	for _, s := range []Scores{res.Model, res.Copy} {
		if s.BLEU < 0 || s.BLEU > 100 || s.ChrF < 0 || s.ChrF > 100 {
			t.Errorf("scores %+v out of [0, 100]", s)
		}
	}
	t.Logf("model %+v, copy %+v", res.Model, res.Copy)
}
