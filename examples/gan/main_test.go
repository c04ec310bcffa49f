package main

import (
	"context"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/examples/internal/pictures"
	"github.com/profundo/profundo/images"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// fashion skips the test when Debian's Fashion-MNIST is not installed.
func fashion(t testing.TB) {
	if _, err := os.Stat(filepath.Join(datasets.FashionMNISTDebianDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
	}
}

// TestGANTrains runs the example on 1,024 pictures for 2 epochs: both
// losses are logged per epoch, the grids are written as PNGs of 64
// pictures, the generator moved away from its initial output, and the
// saved generator reproduces the trained one.
func TestGANTrains(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on thousands of pictures: not in -short runs")
	}
	fashion(t)
	out := t.TempDir()
	c := config{data: "fashion-mnist", out: out, epochs: 2, batch: 64, latent: 16, every: 1, limit: 1024, seed: 3}
	res, err := run(context.Background(), c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"d_loss", "d_accuracy", "g_loss"} {
		v := res.hist.Values[name]
		if len(v) != 2 {
			t.Errorf("%s: %d values, want one per epoch", name, len(v))
		}
		for _, x := range v {
			if !(x >= 0) {
				t.Errorf("%s = %v", name, x)
			}
		}
	}
	if len(res.grids) != 2 {
		t.Fatalf("grids %v, want one per epoch", res.grids)
	}
	img, err := images.Load(res.grids[1])
	if err != nil {
		t.Fatal(err)
	}
	// 8 x 8 tiles of 28x28 pixels drawn 2x2 with 2-pixel gaps.
	if b := img.Bounds(); b.Dx() != 8*58+2 || b.Dy() != 8*58+2 {
		t.Errorf("grid is %v", b)
	}
	gen, err := models.Load(filepath.Join(out, "generator.zip"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := build(c) // fresh weights from the same seed
	if err != nil {
		t.Fatal(err)
	}
	z := g.noise(rand.New(rand.NewSource(9)), 4)
	as, err := gen.Predict(context.Background(), z)
	if err != nil {
		t.Fatal(err)
	}
	a := as[0]
	bs, err := g.gen.Predict(context.Background(), z)
	if err != nil {
		t.Fatal(err)
	}
	b := bs[0]
	moved := false
	for i, v := range a.Data().([]float32) {
		moved = moved || v != b.Data().([]float32)[i]
	}
	if !moved {
		t.Error("the trained generator gives what the untrained one does")
	}
}

// BenchmarkGANStep times one discriminator and one generator step on 64
// real pictures.
func BenchmarkGANStep(b *testing.B) {
	fashion(b)
	set, err := pictures.Load(context.Background(), "fashion-mnist", "", 64, 1)
	if err != nil {
		b.Fatal(err)
	}
	g, err := build(config{latent: 64, seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	batch := &trainer.Batch{Data: *trainer.XY(set.Train, nil), RNG: rand.New(rand.NewSource(1))}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := g.TrainStep(batch); err != nil {
			b.Fatal(err)
		}
	}
}
