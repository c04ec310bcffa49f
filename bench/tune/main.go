// Command tune measures the hyperparameter tuner on the embedded digits,
// prepared as profundo train and profundo tune prepare them (a stratified
// 80/20 test split from the seed, features standardized on the training
// split, the last 10% of the training rows for validation), over the space
// of profundo tune's defaults: lr 1e-4 to 3e-2 on a log scale, units 16 to
// 256 by 16, dropout 0 to 0.5 by 0.1; Adam, batch 32.
//
//	go run ./bench/tune --workers 1                # a 12-trial random search, 30 epochs a trial
//	go run ./bench/tune --workers 2
//	go run ./bench/tune --compare-workers --rounds 3   # 1 vs 2 workers, interleaved; tables compared
//	go run ./bench/tune --search hyperband --epochs 27 # Hyperband; compare its best and epochs
//	go run ./bench/tune --baseline                 # also profundo train's default configuration
//
// It prints the wall clock, the epochs trained, the table best first and
// the best configuration's test score (trained again, scored once). Timings
// depend on the machine and on what else runs on it.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

func main() {
	search := flag.String("search", "random", "random or hyperband")
	trials := flag.Int("trials", 12, "trials of the random search")
	epochs := flag.Int("epochs", 30, "epochs a trial trains (random), the most a trial trains (hyperband)")
	factor := flag.Int("factor", 3, "hyperband's factor")
	workers := flag.Int("workers", 0, "trials at once; 0 means one per core")
	seed := flag.Int64("seed", 1, "seed of the split and the search")
	compare := flag.Bool("compare-workers", false, "run the search with 1 and with 2 workers, --rounds times each, interleaved; report the medians and whether the tables match")
	rounds := flag.Int("rounds", 1, "rounds of --compare-workers")
	baseline := flag.Bool("baseline", false, "also train profundo train's default configuration (hidden 64, no dropout, Adam 0.001, batch 32, 30 epochs) and print its validation score")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tune:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "tune:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if err := run(*search, *trials, *epochs, *factor, *workers, *seed, *compare, *rounds, *baseline); err != nil {
		fmt.Fprintln(os.Stderr, "tune:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(search string, trials, epochs, factor, workers int, seed int64, compare bool, rounds int, baseline bool) error {
	data, pre, err := digits(seed)
	if err != nil {
		return err
	}
	fmt.Printf("digits: %d training, %d validation, %d test samples; GOMAXPROCS %d, %d CPUs\n",
		data.Train.Len(), data.Validation.Len(), data.Test.Len(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	s := &tuner.Search{
		Space: tuner.Space{
			tuner.Float{Name: "lr", Min: 1e-4, Max: 3e-2, Log: true},
			tuner.Int{Name: "units", Min: 16, Max: 256, Step: 16},
			tuner.Float{Name: "dropout", Min: 0, Max: 0.5, Step: 0.1},
		},
		Build:     build(pre, epochs),
		Objective: tuner.Objective{Metric: "val_accuracy"},
		MaxTrials: trials,
		Seed:      seed,
		Workers:   workers,
	}
	switch search {
	case "random":
	case "hyperband":
		s.Strategy = tuner.Hyperband{MaxEpochs: epochs, Factor: factor}
	default:
		return fmt.Errorf("--search must be random or hyperband, got %q", search)
	}
	ctx := context.Background()
	if baseline {
		v, err := trainBaseline(ctx, pre, data, seed)
		if err != nil {
			return err
		}
		fmt.Printf("baseline (profundo train's defaults, seed %d): val_accuracy %.4f\n", seed, v)
	}
	if compare {
		return compareWorkers(ctx, s, data, rounds)
	}
	start := time.Now()
	res, err := s.Run(ctx, data)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	fmt.Printf("%s search, %d workers: %.2f s wall clock, %d trials, %d epochs trained\n\n", search, workers, wall.Seconds(), len(res.Trials), res.TotalEpochs())
	fmt.Print(res.Table(), "\n", res.Summary())
	best, err := s.TrainBest(ctx, res, data, tuner.Final{})
	if err != nil {
		return err
	}
	fmt.Printf("best, trained again: val_accuracy %.4f; test_accuracy %.4f, test_loss %.4f (scored once)\n",
		best.Trial.Score, best.Test["accuracy"], best.Test["loss"])
	return nil
}

// compareWorkers runs the search with 1 and 2 workers, rounds times each,
// alternating, and reports the median wall clocks and whether every run
// printed the same table.
func compareWorkers(ctx context.Context, s *tuner.Search, data tuner.Data, rounds int) error {
	walls := map[int][]float64{}
	var first string
	same := true
	for r := range rounds {
		for _, w := range []int{1, 2} {
			s.Workers = w
			start := time.Now()
			res, err := s.Run(ctx, data)
			if err != nil {
				return err
			}
			wall := time.Since(start).Seconds()
			walls[w] = append(walls[w], wall)
			table := res.Table()
			if first == "" {
				first = table
				fmt.Print(table, "\n", res.Summary())
			} else if table != first {
				same = false
				fmt.Printf("round %d, %d workers: the table differs:\n%s", r+1, w, table)
			}
			fmt.Printf("round %d: %d worker(s): %.2f s\n", r+1, w, wall)
		}
	}
	m1, m2 := median(walls[1]), median(walls[2])
	fmt.Printf("median wall clock: 1 worker %.2f s, 2 workers %.2f s: speedup %.2fx; identical tables: %v\n", m1, m2, m1/m2, same)
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// digits prepares the data as profundo train does: a stratified test split
// of 20% from the seed, features standardized on the training split, and
// the last 10% of the training rows held out for validation.
// The models standardize their features with the returned transformer.
func digits(seed int64) (tuner.Data, datasets.Transformer, error) {
	full, err := datasets.Digits()
	if err != nil {
		return tuner.Data{}, nil, err
	}
	train, test, err := datasets.TrainTestSplit(full, 0.2, rand.New(rand.NewSource(seed)), true)
	if err != nil {
		return tuner.Data{}, nil, err
	}
	pipe := &datasets.Pipeline{Steps: []datasets.Transformer{&datasets.StandardScaler{}}}
	if err := pipe.Fit(train.X); err != nil {
		return tuner.Data{}, nil, err
	}
	n := train.Len()
	at := int(float64(n) * 0.9)
	idx := func(from, to int) []int {
		r := make([]int, 0, to-from)
		for i := from; i < to; i++ {
			r = append(r, i)
		}
		return r
	}
	tr, err := train.Subset(idx(0, at))
	if err != nil {
		return tuner.Data{}, nil, err
	}
	val, err := train.Subset(idx(at, n))
	if err != nil {
		return tuner.Data{}, nil, err
	}
	return tuner.Data{Train: tr, Validation: val, Test: test}, pipe, nil
}

// newModel is profundo train's default network: hidden dense ReLU layers
// of units, dropout after each when > 0, a softmax over the 10 digits, its
// features standardized by preprocessing.
func newModel(preprocessing datasets.Transformer, units int, dropout, lr float64, seed int64) (*models.Sequential, error) {
	m, err := models.NewMLP(layers.Shape{64}, []int{units}, dropout, 10)
	if err != nil {
		return nil, err
	}
	m.Preprocessing = preprocessing
	return m, m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: lr},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      seed,
	})
}

func build(pre datasets.Transformer, epochs int) tuner.BuildFunc {
	return func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		m, err := newModel(pre, hp.Int("units"), hp.Float("dropout"), hp.Float("lr"), hp.Seed())
		if err != nil {
			return nil, trainer.FitConfig{}, err
		}
		return m, trainer.FitConfig{Epochs: epochs, BatchSize: 32}, nil
	}
}

// trainBaseline trains profundo train's default configuration with the
// seed and returns its last val_accuracy.
func trainBaseline(ctx context.Context, pre datasets.Transformer, data tuner.Data, seed int64) (float64, error) {
	m, err := newModel(pre, 64, 0, 0, seed)
	if err != nil {
		return 0, err
	}
	hist, err := m.Fit(ctx, data.Train.X, data.Train.Y, trainer.FitConfig{
		Epochs: 30, BatchSize: 32, Seed: seed, Silent: true,
		ValidationData: trainer.XY(data.Validation.X, data.Validation.Y),
	})
	if err != nil {
		return 0, err
	}
	v, _ := hist.Last("val_accuracy")
	return v, nil
}
