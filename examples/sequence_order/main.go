// Command sequence_order trains two classifiers on a task where only the
// order of the tokens tells the answer, and shows that a recurrent network
// learns it while a bag-of-embeddings model cannot.
//
//	go run ./examples/sequence_order
//
// Each sequence holds Length token ids: the marker A (id 1) once, the marker
// B (id 2) once, at random positions, and filler ids from 3 to Vocab-1
// elsewhere. The class is 1 when A comes before B, else 0. Swapping A and B
// turns a sequence into one of the other class with the same tokens, so a
// model that sees only which tokens occur, not where, such as the mean of
// their embeddings, scores 50% at best; the test set is built of such pairs,
// so that it scores exactly 50%. An LSTM reads the tokens in order and can
// remember which marker it saw first.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"os"
	"os/signal"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// The marker ids; 0 is left unused (Keras's padding id), fillers start at 3.
const (
	markerA     = 1
	markerB     = 2
	firstFiller = 3
)

// Config says what the task and the models are. Its zero value is the
// program's defaults.
type Config struct {
	// Length is the number of tokens per sequence; zero means 12. It must be
	// at least 2.
	Length int
	// Vocab is the number of token ids, markers and fillers; zero means 10.
	// It must be at least 4.
	Vocab int
	// Train is the number of training sequences; zero means 2000.
	Train int
	// TestPairs is the number of test pairs (a sequence and its swap); zero
	// means 500.
	TestPairs int
	// Dim is the size of the embeddings; zero means 8.
	Dim int
	// Units is the LSTM's size; zero means 16.
	Units int
	// Epochs is the number of training epochs of each model; zero means 8.
	Epochs int
	// Seed seeds the data, the weights and the shuffling.
	Seed int64
	// Progress receives one line per epoch; nil means none.
	Progress io.Writer
}

func (c Config) withDefaults() Config {
	if c.Length == 0 {
		c.Length = 12
	}
	if c.Vocab == 0 {
		c.Vocab = 10
	}
	if c.Train == 0 {
		c.Train = 2000
	}
	if c.TestPairs == 0 {
		c.TestPairs = 500
	}
	if c.Dim == 0 {
		c.Dim = 8
	}
	if c.Units == 0 {
		c.Units = 16
	}
	if c.Epochs == 0 {
		c.Epochs = 8
	}
	return c
}

// Result holds the test accuracies of the two models.
type Result struct {
	// LSTM and Bag are the test accuracies of Embedding-LSTM-Dense and of
	// Embedding-GlobalAveragePooling1D-Dense.
	LSTM, Bag float64
}

func main() {
	var cfg Config
	flag.IntVar(&cfg.Length, "length", 12, "tokens per sequence")
	flag.IntVar(&cfg.Epochs, "epochs", 8, "training epochs of each model")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed of the data, the weights and the shuffling")
	flag.Parse()
	cfg.Progress = os.Stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Run(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test accuracy, LSTM:              %.4f\n", res.LSTM)
	fmt.Printf("test accuracy, bag of embeddings: %.4f (order-blind: 0.5 on swapped pairs)\n", res.Bag)
}

// Run makes the data, trains both models on the same training sequences
// and scores them on the same test pairs.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg = cfg.withDefaults()
	rng := rand.New(rand.NewSource(cfg.Seed))
	xTrain, yTrain, err := Sequences(rng, cfg.Train, cfg.Length, cfg.Vocab, false)
	if err != nil {
		return nil, err
	}
	xTest, yTest, err := Sequences(rng, 2*cfg.TestPairs, cfg.Length, cfg.Vocab, true)
	if err != nil {
		return nil, err
	}
	var res Result
	for _, c := range []struct {
		name  string
		inner []layers.Layer
		acc   *float64
	}{
		{"LSTM", []layers.Layer{&layers.LSTM{Units: cfg.Units}}, &res.LSTM},
		{"bag of embeddings", []layers.Layer{&layers.GlobalAveragePooling1D{}}, &res.Bag},
	} {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%s:\n", c.name)
		}
		ls := []layers.Layer{
			&layers.Input{Shape: layers.Shape{cfg.Length}},
			&layers.Embedding{InputDim: cfg.Vocab, OutputDim: cfg.Dim},
		}
		ls = append(ls, c.inner...)
		ls = append(ls, &layers.Dense{Units: 2, Activation: layers.Softmax})
		acc, err := trainAndScore(ctx, models.NewSequential(ls...), xTrain, yTrain, xTest, yTest, cfg)
		if err != nil {
			return nil, errors.Wrap(err, c.name)
		}
		*c.acc = acc
	}
	return &res, nil
}

// trainAndScore compiles, trains and evaluates m, and returns its test
// accuracy.
func trainAndScore(ctx context.Context, m *models.Sequential, xTrain, yTrain, xTest, yTest *tensor.Dense, cfg Config) (float64, error) {
	if err := m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 0.01},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      cfg.Seed,
		BatchSize: 250,
	}); err != nil {
		return 0, err
	}
	fit := trainer.FitConfig{
		Epochs: cfg.Epochs, BatchSize: 32, Seed: cfg.Seed,
		ValidationData: trainer.XY(xTest, yTest),
		Silent:         cfg.Progress == nil, Progress: cfg.Progress,
	}
	if _, err := m.Fit(ctx, xTrain, yTrain, fit); err != nil {
		return 0, err
	}
	scores, err := m.Evaluate(ctx, xTest, yTest)
	if err != nil {
		return 0, err
	}
	return scores["accuracy"], nil
}

// Sequences draws n sequences of length ids from rng, each with the markers
// A and B once and fillers elsewhere, and their classes (1: A before B):
// x float32 [n, length], y float32 [n]. With pairs, n must be even and
// sequence 2k+1 is sequence 2k with A and B swapped.
func Sequences(rng *rand.Rand, n, length, vocab int, pairs bool) (x, y *tensor.Dense, err error) {
	switch {
	case n <= 0:
		return nil, nil, errors.Errorf("sequences: n must be > 0, got %d", n)
	case pairs && n%2 != 0:
		return nil, nil, errors.Errorf("sequences: n must be even for pairs, got %d", n)
	case length < 2:
		return nil, nil, errors.Errorf("sequences: length must be >= 2, got %d", length)
	case vocab < firstFiller+1:
		return nil, nil, errors.Errorf("sequences: vocab must be >= %d (two markers, a filler and the unused id 0), got %d", firstFiller+1, vocab)
	}
	xs := make([]float32, n*length)
	ys := make([]float32, n)
	for i := 0; i < n; i++ {
		row := xs[i*length : (i+1)*length]
		if pairs && i%2 == 1 {
			for j, v := range xs[(i-1)*length : i*length] {
				switch v {
				case markerA:
					v = markerB
				case markerB:
					v = markerA
				}
				row[j] = v
			}
			ys[i] = 1 - ys[i-1]
			continue
		}
		for j := range row {
			row[j] = float32(firstFiller + rng.Intn(vocab-firstFiller))
		}
		a := rng.Intn(length)
		b := rng.Intn(length - 1)
		if b >= a {
			b++
		}
		row[a], row[b] = markerA, markerB
		if a < b {
			ys[i] = 1
		}
	}
	return tensor.New(tensor.WithShape(n, length), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n), tensor.WithBacking(ys)), nil
}
