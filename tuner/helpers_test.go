package tuner_test

import (
	"math/rand"
	"sync"
	"testing"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

var (
	digitsOnce sync.Once
	digitsData tuner.Data
	digitsErr  error
)

// digits returns the embedded digits, standardized on the training
// split: 1,078 training, 359 validation and 360 test samples.
func digits(t testing.TB) tuner.Data {
	t.Helper()
	digitsOnce.Do(func() {
		d, err := datasets.Digits()
		if err != nil {
			digitsErr = err
			return
		}
		train, val, test, err := datasets.Split(d, datasets.SplitFractions{Train: 0.6, Validation: 0.2, Test: 0.2}, rand.New(rand.NewSource(1)), true)
		if err != nil {
			digitsErr = err
			return
		}
		s := &datasets.StandardScaler{}
		if err := s.Fit(train.X); err != nil {
			digitsErr = err
			return
		}
		for _, part := range []*datasets.Dataset{train, val, test} {
			if part.X, err = s.Transform(part.X); err != nil {
				digitsErr = err
				return
			}
		}
		digitsData = tuner.Data{Train: train, Validation: val, Test: test}
	})
	if digitsErr != nil {
		t.Fatal(digitsErr)
	}
	return digitsData
}

// mlpSpace is a small space over the learning rate, units and dropout.
func mlpSpace() tuner.Space {
	return tuner.Space{
		tuner.Float{Name: "lr", Min: 1e-3, Max: 3e-2, Log: true},
		tuner.Int{Name: "units", Min: 8, Max: 32, Step: 8},
		tuner.Float{Name: "dropout", Min: 0, Max: 0.3, Step: 0.1},
	}
}

// buildMLP builds a one-hidden-layer classifier of the digits from "lr",
// "units" and "dropout" (each optional), trained for epochs in batches of
// 64 with Adam.
func buildMLP(epochs int) tuner.BuildFunc {
	return func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		lr, units, dropout := 0.01, 16, 0.0
		if hp.Active("lr") {
			lr = hp.Float("lr")
		}
		if hp.Active("units") {
			units = hp.Int("units")
		}
		if hp.Active("dropout") {
			dropout = hp.Float("dropout")
		}
		m, err := models.NewMLP(layers.Shape{64}, []int{units}, dropout, 10)
		if err != nil {
			return nil, trainer.FitConfig{}, err
		}
		err = m.Compile(models.Config{
			Loss:      losses.SparseCategoricalCrossentropy{},
			Optimizer: optimizers.Adam{LearningRate: lr},
			Metrics:   []metrics.Metric{&metrics.Accuracy{}},
			Seed:      hp.Seed(),
		})
		return m, trainer.FitConfig{Epochs: epochs, BatchSize: 64}, err
	}
}
