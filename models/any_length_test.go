package models

import (
	"context"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/trainer"
)

// sequences returns n random sequences [n, steps, features] and a target
// per sequence, [n, 1]: the mean of the first feature over the steps.
func sequences(seed int64, n, steps, features int) (*tensor.Dense, *tensor.Dense) {
	r := rand.New(rand.NewSource(seed))
	x := make([]float64, n*steps*features)
	y := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for s := 0; s < n; s++ {
		for t := 0; t < steps; t++ {
			y[s] += x[(s*steps+t)*features] / float64(steps)
		}
	}
	return tensor.New(tensor.WithShape(n, steps, features), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))
}

func sequenceModel(t *testing.T, steps int) *Sequential {
	t.Helper()
	m := NewSequential(
		&layers.Input{Shape: layers.Shape{steps, 3}},
		&layers.LSTM{Units: 8, ReturnSequences: true},
		&layers.GRU{Units: 5},
		&layers.Dense{Units: 1},
	)
	if err := m.Compile(Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func copyWeights(t *testing.T, to, from *Functional) {
	t.Helper()
	tw, fw := to.Weights(), from.Weights()
	if len(tw) != len(fw) {
		t.Fatalf("%d weights, want %d", len(tw), len(fw))
	}
	for i := range tw {
		if tw[i].Name != fw[i].Name || !tw[i].Value.Shape().Eq(fw[i].Value.Shape()) {
			t.Fatalf("weight %d: %s %v, want %s %v", i, tw[i].Name, tw[i].Value.Shape(), fw[i].Name, fw[i].Value.Shape())
		}
		copy(tw[i].Value.Data().([]float64), fw[i].Value.Data().([]float64))
	}
}

func sameValues(t *testing.T, what string, got, want *tensor.Dense) {
	t.Helper()
	if !got.Shape().Eq(want.Shape()) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
	}
	g, w := got.Data().([]float64), want.Data().([]float64)
	for i := range g {
		if g[i] != w[i] {
			t.Fatalf("%s: value %d is %v, want %v (bit-identical)", what, i, g[i], w[i])
		}
	}
}

// A model trained on sequences of 20 steps predicts, evaluates and trains
// on 5 and 50, bit-identically to models built for those lengths with its
// weights.
func TestAnyLengthTrainedAt20(t *testing.T) {
	ctx := context.Background()
	m := sequenceModel(t, 20)
	x, y := sequences(1, 64, 20, 3)
	h, err := m.Fit(ctx, x, y, trainer.FitConfig{Epochs: 3, BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	if l := h.Values["loss"]; len(l) != 3 || !(l[2] < l[0]) {
		t.Fatalf("losses %v: want three, falling", l)
	}
	for _, steps := range []int{5, 50} {
		xs, ys := sequences(int64(steps), 10, steps, 3)
		got, err := m.Predict(ctx, xs)
		if err != nil {
			t.Fatalf("T=%d: %v", steps, err)
		}
		ref := sequenceModel(t, steps)
		copyWeights(t, &ref.Functional, &m.Functional)
		want, err := ref.Predict(ctx, xs)
		if err != nil {
			t.Fatal(err)
		}
		sameValues(t, "predict", got[0], want[0])
		gl, err := m.Evaluate(ctx, xs, ys)
		if err != nil {
			t.Fatalf("evaluate T=%d: %v", steps, err)
		}
		wl, err := ref.Evaluate(ctx, xs, ys)
		if err != nil {
			t.Fatal(err)
		}
		if gl["loss"] != wl["loss"] {
			t.Fatalf("evaluate T=%d: loss %v, want %v", steps, gl["loss"], wl["loss"])
		}
		// One training step at this length moves the weights as the
		// model built for it does, both with a fresh optimizer.
		if err := m.Compile(m.Config()); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Fit(ctx, xs, ys, trainer.FitConfig{BatchSize: 10}); err != nil {
			t.Fatalf("fit T=%d: %v", steps, err)
		}
		if _, err := ref.Fit(ctx, xs, ys, trainer.FitConfig{BatchSize: 10}); err != nil {
			t.Fatal(err)
		}
		for i, w := range m.Weights() {
			sameValues(t, "weights after a step "+w.Name, w.Value, ref.Weights()[i].Value)
		}
	}
	// The model still runs at the length it was built for.
	xs, _ := sequences(9, 4, 20, 3)
	if _, err := m.Predict(ctx, xs); err != nil {
		t.Fatal(err)
	}
}

// A functional model declared with a length of 0 (Keras's None) saves and
// loads as such and predicts at any length; the graph cache stays bounded.
func TestAnyLengthNoneSavesAndCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	in := Input("x", 0, 3)
	out := Apply(&layers.Dense{Units: 2}, Apply(&layers.SimpleRNN{Units: 4, ReturnSequences: true}, in))
	f, err := NewFunctional([]*Node{in}, []*Node{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Compile(Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	x7, _ := sequences(7, 3, 7, 3)
	y7 := tensor.New(tensor.WithShape(3, 7, 2), tensor.WithBacking(make([]float64, 3*7*2)))
	if _, err := f.Fit(ctx, x7, y7, trainer.FitConfig{BatchSize: 3}); err != nil {
		t.Fatal(err)
	}
	p7, err := f.Predict(ctx, x7)
	if err != nil {
		t.Fatal(err)
	}
	if !p7[0].Shape().Eq(tensor.Shape{3, 7, 2}) {
		t.Fatalf("prediction shape %v, want [3 7 2]", p7[0].Shape())
	}
	dir := filepath.Join(t.TempDir(), "m")
	if err := f.Save(dir); err != nil {
		t.Fatal(err)
	}
	g, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := g.declaredShape(0); !s.Equal(layers.Shape{0, 3}) {
		t.Fatalf("loaded input shape %v, want [0 3]", s)
	}
	q7, err := g.Predict(ctx, x7)
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, "loaded", q7[0], p7[0])
	for steps := 1; steps <= 3*maxInferenceGraphs; steps++ {
		xs, _ := sequences(int64(steps), 2, steps, 3)
		p, err := g.Predict(ctx, xs)
		if err != nil {
			t.Fatalf("T=%d: %v", steps, err)
		}
		if !p[0].Shape().Eq(tensor.Shape{2, steps, 2}) {
			t.Fatalf("T=%d: shape %v", steps, p[0].Shape())
		}
		if n := len(g.graphs.graphs); n > maxInferenceGraphs+2 {
			t.Fatalf("T=%d: %d graphs cached, bound %d", steps, n, maxInferenceGraphs)
		}
		bounded := 0
		for k := range g.graphs.graphs {
			if k.bounded() {
				bounded++
			}
		}
		if bounded > maxInferenceGraphs {
			t.Fatalf("T=%d: %d bounded graphs cached, want <= %d", steps, bounded, maxInferenceGraphs)
		}
	}
	if _, err := g.Predict(ctx, tensor.New(tensor.WithShape(2, 5, 4), tensor.WithBacking(make([]float64, 40)))); err == nil || !strings.Contains(err.Error(), "0, 3)") {
		t.Fatalf("features of another size: error %v, want one naming the shape (None, 0, 3)", err)
	}
}

// A layer whose output size depends on the length (Flatten after a
// sequence) makes another length an error that names it.
func TestAnyLengthFlattenNamesTheLayer(t *testing.T) {
	ctx := context.Background()
	m := NewSequential(
		&layers.Input{Shape: layers.Shape{6, 3}},
		&layers.LSTM{Units: 4, ReturnSequences: true},
		&layers.Flatten{Name: "flat"},
		&layers.Dense{Units: 1},
	)
	if err := m.Compile(Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	x6, _ := sequences(1, 2, 6, 3)
	if _, err := m.Predict(ctx, x6); err != nil {
		t.Fatal(err)
	}
	x9, y9 := sequences(1, 2, 9, 3)
	for name, run := range map[string]func() error{
		"predict": func() error { _, err := m.Predict(ctx, x9); return err },
		"fit":     func() error { _, err := m.Fit(ctx, x9, y9, trainer.FitConfig{}); return err },
	} {
		err := run()
		if err == nil || !strings.Contains(err.Error(), `"flat"`) || !strings.Contains(err.Error(), "sequence length") {
			t.Fatalf("%s at another length: error %v, want one naming flatten \"flat\" and the sequence length", name, err)
		}
	}
}
