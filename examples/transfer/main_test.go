package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// The recipe on a few thousand pictures: the frozen base's weights are
// bit-identical after the frozen phase, the new head learns classes 5-9 on
// the base's features, and fine-tuning trains the base.
func TestTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a CNN on thousands of pictures: not in -short runs")
	}
	if _, err := os.Stat(filepath.Join(datasets.FashionMNISTDebianDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
	}
	t.Setenv(datasets.DataEnv, t.TempDir()) // an empty cache: the files come from Debian's directory
	var log bytes.Buffer
	res, err := run(context.Background(), config{limit: 1500, epochs: 1, dir: datasets.FashionMNISTDebianDir, out: t.TempDir()}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Logf("\n%s", log.String())
	if !res.frozenKept {
		t.Error("the frozen base's weights changed in the frozen phase")
	}
	if !res.tunedMoved {
		t.Error("fine-tuning did not train the unfrozen base")
	}
	if res.frozen < 0.75 {
		t.Errorf("classes 5-9 with the frozen base: test accuracy %.3f, want >= 0.75", res.frozen)
	}
	if res.tuned < res.frozen-0.05 {
		t.Errorf("fine-tuning dropped the accuracy from %.3f to %.3f", res.frozen, res.tuned)
	}
}
