package trainer_test

import (
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// TestDeepStackTimes times two epochs of a spec of N dense layers (8 tanh
// units each, on the digits, batches of 32), for each N in
// PROFUNDO_DEEP_LAYERS (say 250,1000,4000,10000), once with the training
// graph run directly and, below 2,000 layers (or at any depth with
// PROFUNDO_DEEP_TAPE=1), on Gorgonia's tape machine. The first epoch
// includes building the graph and its gradients. It only measures: run it
// by hand, with -v.
func TestDeepStackTimes(t *testing.T) {
	list := os.Getenv("PROFUNDO_DEEP_LAYERS")
	if list == "" {
		t.Skip("set PROFUNDO_DEEP_LAYERS, e.g. 250,1000,10000")
	}
	cpu := func() float64 {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	}
	defer func(v int) { *trainer.DirectTrainNodes = v }(*trainer.DirectTrainNodes)
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 0 {
			t.Fatalf("PROFUNDO_DEEP_LAYERS: %q is not a number of layers", field)
		}
		for _, direct := range []bool{true, false} {
			if !direct && n >= 2000 && os.Getenv("PROFUNDO_DEEP_TAPE") != "1" {
				continue
			}
			*trainer.DirectTrainNodes = math.MaxInt
			if direct {
				*trainer.DirectTrainNodes = 0
			}
			var spec strings.Builder
			spec.WriteString(`{"input_shape": [64], "layers": [`)
			for i := 0; i < n; i++ {
				spec.WriteString(`{"kind": "dense", "config": {"units": 8, "activation": "tanh"}}, `)
			}
			spec.WriteString(`{"kind": "dense", "config": {"units": 10, "activation": "softmax"}}], "compile": {"loss": {"kind": "sparse_categorical_crossentropy"}, "optimizer": {"kind": "adam"}}}`)
			m, err := models.FromSpec(strings.NewReader(spec.String()), models.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var wall [2]time.Duration
			var cpus [2]float64
			var loss float64
			for e := 0; e < 2; e++ {
				t0, c0 := time.Now(), cpu()
				h, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 1, BatchSize: 32, Silent: true})
				if err != nil {
					t.Fatalf("%d layers, direct %v: %v", n, direct, err)
				}
				wall[e], cpus[e] = time.Since(t0), cpu()-c0
				loss = h.Values["loss"][0]
			}
			t.Logf("%5d layers, direct %-5v: first epoch %6.2f s (%6.2f CPU-s), second %6.2f s (%6.2f CPU-s), loss %.4f",
				n, direct, wall[0].Seconds(), cpus[0], wall[1].Seconds(), cpus[1], loss)
		}
	}
}
