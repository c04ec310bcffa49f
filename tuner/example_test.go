package tuner_test

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

// A search: a space, a build function that reads it, a strategy and an
// objective scored on the validation split; then the best configuration
// trained again and scored once on the test split.
func ExampleSearch() {
	d, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	train, val, test, err := datasets.Split(d, datasets.SplitFractions{Train: 0.6, Validation: 0.2, Test: 0.2}, rand.New(rand.NewSource(1)), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	scaler := &datasets.StandardScaler{}
	if err := scaler.Fit(train.X); err != nil {
		fmt.Println(err)
		return
	}

	search := &tuner.Search{
		Space: tuner.Space{
			tuner.Float{Name: "lr", Min: 1e-3, Max: 3e-2, Log: true},
			tuner.Int{Name: "units", Min: 16, Max: 64, Step: 16},
			tuner.Float{Name: "dropout", Min: 0, Max: 0.3, Step: 0.1},
			tuner.Choice{Name: "batch_size", Values: []any{32, 64}},
		},
		Build: func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
			m, err := models.NewMLP(layers.Shape{64}, []int{hp.Int("units")}, hp.Float("dropout"), 10)
			if err != nil {
				return nil, trainer.FitConfig{}, err
			}
			m.Preprocessing = scaler
			err = m.Compile(models.Config{
				Loss:      losses.SparseCategoricalCrossentropy{},
				Optimizer: optimizers.Adam{LearningRate: hp.Float("lr")},
				Metrics:   []metrics.Metric{&metrics.Accuracy{}},
				Seed:      hp.Seed(),
			})
			return m, trainer.FitConfig{Epochs: 5, BatchSize: hp.Int("batch_size")}, err
		},
		Strategy:  tuner.Random{},
		Objective: tuner.Objective{Metric: "val_accuracy", Direction: tuner.Max},
		MaxTrials: 6,
		Seed:      1,
	}
	ctx := context.Background()
	data := tuner.Data{Train: train, Validation: val, Test: test}
	res, err := search.Run(ctx, data)
	if err != nil {
		fmt.Println(err)
		return
	}
	best, _ := res.Best()
	fmt.Println("trials:", len(res.Trials), "failed:", len(res.Failed()), "epochs:", res.TotalEpochs())
	fmt.Println("best has", best.Values.Names())
	fmt.Println("best val_accuracy above 0.9:", best.Score > 0.9)

	final, err := search.TrainBest(ctx, res, data, tuner.Final{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("test accuracy above 0.9:", final.Test["accuracy"] > 0.9)
	// Output:
	// trials: 6 failed: 0 epochs: 30
	// best has [lr units dropout batch_size]
	// best val_accuracy above 0.9: true
	// test accuracy above 0.9: true
}

// A random search draws each configuration from the seed and its index
// alone; a conditional hyperparameter appears only where its parent allows.
func ExampleSpace_Sample() {
	space := tuner.Space{
		tuner.Float{Name: "lr", Min: 1e-4, Max: 1e-1, Log: true},
		tuner.Int{Name: "units", Min: 32, Max: 512, Step: 2, Log: true},
		tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
		tuner.Float{Name: "momentum", Min: 0, Max: 0.9, Step: 0.3, When: tuner.When("optimizer", "sgd")},
	}
	configs, err := space.Sample(1, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range configs {
		fmt.Println(v.Text())
	}
	// Output:
	// lr=0.0002624 units=512 optimizer=sgd momentum=0
	// lr=0.0004476 units=32 optimizer=sgd momentum=0.9
	// lr=0.07653 units=256 optimizer=adam
	// lr=0.01507 units=256 optimizer=adam
}

// A grid search tries every combination in order, the last hyperparameter
// varying fastest; a Float without a Step takes Grid.Points values.
func ExampleSpace_Enumerate() {
	space := tuner.Space{
		tuner.Boolean{Name: "batchnorm"},
		tuner.Float{Name: "lr", Min: 1e-3, Max: 1e-1, Log: true},
	}
	configs, err := space.Enumerate(3)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range configs {
		fmt.Println(v.Text())
	}
	// Output:
	// batchnorm=false lr=0.001
	// batchnorm=false lr=0.01
	// batchnorm=false lr=0.1
	// batchnorm=true lr=0.001
	// batchnorm=true lr=0.01
	// batchnorm=true lr=0.1
}

// Hyperband's schedule: each bracket keeps the best third of its trials and
// trains them three times longer.
func ExampleHyperband_Brackets() {
	hb := tuner.Hyperband{MaxEpochs: 27, Factor: 3}
	brackets, err := hb.Brackets()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, b := range brackets {
		fmt.Print("bracket ", i, ":")
		for _, r := range b.Rungs {
			fmt.Printf(" %d trials x %d epochs,", r.Trials, r.Epochs)
		}
		fmt.Println()
	}
	epochs, _ := hb.Epochs()
	fmt.Println("epochs in all:", epochs, "for 49 configurations; random search trains 49 x 27 =", 49*27)
	// Output:
	// bracket 0: 27 trials x 1 epochs, 9 trials x 3 epochs, 3 trials x 9 epochs, 1 trials x 27 epochs,
	// bracket 1: 12 trials x 3 epochs, 4 trials x 9 epochs, 1 trials x 27 epochs,
	// bracket 2: 6 trials x 9 epochs, 2 trials x 27 epochs,
	// bracket 3: 4 trials x 27 epochs,
	// epochs in all: 357 for 49 configurations; random search trains 49 x 27 = 1323
}

// Values read a trial's hyperparameters; a mistake is recorded, not
// panicked, and fails the trial with a message that says what was wrong.
func ExampleValues() {
	space := tuner.Space{
		tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
		tuner.Float{Name: "momentum", Min: 0, Max: 0.9, Step: 0.3, When: tuner.When("optimizer", "sgd")},
	}
	hp, err := space.Values(map[string]any{"optimizer": "adam"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hp.String("optimizer"), hp.Active("momentum"))
	fmt.Println(hp.Float("momentum"), hp.Err())
	// Output:
	// adam false
	// 0 hyperparameter "momentum" is not active in this trial (it needs optimizer = sgd); check Active first
}
