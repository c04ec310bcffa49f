//go:build mpi

package distributed_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/mpi"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

// search is a small search on digits, spread over ranks when r is set.
func search(t *testing.T, strategy tuner.Strategy, r tuner.Ranks) string {
	d := digits(t)
	train, val, _, err := datasets.Split(d, datasets.SplitFractions{Train: 0.6, Validation: 0.2, Test: 0.2}, rand.New(rand.NewSource(1)), true)
	if err != nil {
		t.Fatal(err)
	}
	s := &tuner.Search{
		Space: tuner.Space{
			tuner.Float{Name: "lr", Min: 1e-3, Max: 3e-2, Log: true},
			tuner.Int{Name: "units", Min: 8, Max: 32, Step: 8},
		},
		Build: func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
			m, err := models.NewMLP(layers.Shape{64}, []int{hp.Int("units")}, 0, 10)
			if err != nil {
				return nil, trainer.FitConfig{}, err
			}
			err = m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: hp.Float("lr")},
				Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: hp.Seed()})
			return m, trainer.FitConfig{Epochs: 3, BatchSize: 32}, err
		},
		Strategy:  strategy,
		Objective: tuner.Objective{Metric: "val_accuracy", Direction: tuner.Max},
		MaxTrials: 5,
		Seed:      2,
		Workers:   1,
		Ranks:     r,
	}
	res, err := s.Run(context.Background(), tuner.Data{Train: train, Validation: val})
	if err != nil {
		t.Fatal(err)
	}
	return res.Table()
}

// TestTunerOverRanks runs a random search and a Hyperband search with
// their trials spread over two ranks: both ranks end with the table one
// process gives.
func TestTunerOverRanks(t *testing.T) {
	// In one order on every rank: each search's collectives must pair up.
	names := []string{"random", "hyperband"}
	strategies := map[string]tuner.Strategy{"random": tuner.Random{}, "hyperband": tuner.Hyperband{MaxEpochs: 4, Factor: 2}}
	if mpi.Launched() {
		c := rankComm(t)
		for _, name := range names {
			table := search(t, strategies[name], c)
			path := filepath.Join(os.Getenv("PROFUNDO_DP_OUT"), fmt.Sprintf("%s-%d.txt", name, c.Rank()))
			if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	dir := t.TempDir()
	passRanks(t, t.Name(), "PROFUNDO_DP_OUT="+dir)
	for _, name := range names {
		one := search(t, strategies[name], nil)
		for r := 0; r < ranks; r++ {
			got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s-%d.txt", name, r)))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != one {
				t.Errorf("%s: rank %d's table differs from one process's:\n%s\nwant\n%s", name, r, got, one)
			}
		}
		t.Logf("%s:\n%s", name, one)
	}
}
