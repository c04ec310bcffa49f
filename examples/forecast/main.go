// Command forecast predicts next month's sea surface temperature off the
// coast of Peru (NOAA's Niño 1+2 index, 1950-2010, embedded from
// data/elnino.csv) with an LSTM, and compares it on the held-out last 20%
// of the months with the naive forecast, "next month equals this month".
//
//	go run ./examples/forecast
//	go run ./examples/forecast -epochs 60 -units 32
//
// The series is cut into windows of the previous months (datasets.Windows),
// standardized with the mean and standard deviation of the training months
// only, and the model, LSTM then Dense(1), learns the next value. Both
// RMSEs are in degrees Celsius.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

//go:embed data/elnino.csv
var elninoCSV []byte

// Config says how the forecaster is trained. Its zero value is the
// program's defaults.
type Config struct {
	// Window is the number of past months each forecast sees; zero means 12.
	Window int
	// Units is the LSTM's size; zero means 16.
	Units int
	// Epochs is the number of passes over the training windows; zero means 30.
	Epochs int
	// BatchSize is the number of windows per step; zero means 32.
	BatchSize int
	// LearningRate is Adam's; zero means 0.01.
	LearningRate float64
	// TestFraction is the share of the series held out at its end; zero
	// means 0.2.
	TestFraction float64
	// Seed seeds the weights and the shuffling.
	Seed int64
	// Progress receives one line per epoch; nil means none.
	Progress io.Writer
}

func (c Config) withDefaults() Config {
	if c.Window == 0 {
		c.Window = 12
	}
	if c.Units == 0 {
		c.Units = 16
	}
	if c.Epochs == 0 {
		c.Epochs = 30
	}
	if c.BatchSize == 0 {
		c.BatchSize = 32
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.01
	}
	if c.TestFraction == 0 {
		c.TestFraction = 0.2
	}
	return c
}

// Result is what a run measured on the held-out months.
type Result struct {
	// Train and Test are the numbers of training and held-out forecasts.
	Train, Test int
	// LSTM and Naive are the RMSEs, in °C, of the model and of the
	// last-value forecast; Seasonal is the RMSE of "the same month last
	// year", a stronger baseline for a series with a yearly cycle.
	LSTM, Naive, Seasonal float64
	// Loss is the training loss (MSE on standardized values) per epoch.
	Loss []float64
}

func main() {
	var cfg Config
	flag.IntVar(&cfg.Window, "window", 12, "months each forecast sees")
	flag.IntVar(&cfg.Units, "units", 16, "LSTM units")
	flag.IntVar(&cfg.Epochs, "epochs", 30, "training epochs")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed of the weights and the shuffling")
	flag.Parse()
	cfg.Progress = os.Stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	series, err := Elnino()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Niño 1+2 sea surface temperature: %d months, 1950-2010\n", len(series))
	res, err := Run(ctx, series, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("held-out forecasts: %d (trained on %d)\n", res.Test, res.Train)
	fmt.Printf("RMSE naive (last month):   %.4f °C\n", res.Naive)
	fmt.Printf("RMSE same month last year: %.4f °C\n", res.Seasonal)
	fmt.Printf("RMSE LSTM:                 %.4f °C (%.0f%% of naive)\n", res.LSTM, 100*res.LSTM/res.Naive)
}

// Elnino returns the embedded monthly series, January 1950 to December
// 2010, in °C.
func Elnino() ([]float64, error) {
	rows, err := csv.NewReader(bytes.NewReader(elninoCSV)).ReadAll()
	if err != nil {
		return nil, errors.Wrap(err, "elnino.csv")
	}
	if len(rows) < 2 {
		return nil, errors.Errorf("elnino.csv: %d rows, want a header and data", len(rows))
	}
	var series []float64
	for i, row := range rows[1:] {
		if len(row) != 13 {
			return nil, errors.Errorf("elnino.csv: line %d has %d fields, want 13 (year and 12 months)", i+2, len(row))
		}
		for j, cell := range row[1:] {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				return nil, errors.Errorf("elnino.csv: line %d, month %d: %q is not a number", i+2, j+1, cell)
			}
			series = append(series, v)
		}
	}
	return series, nil
}

// Run trains the forecaster on the first part of series and scores it and
// the naive forecast on the held-out end: the forecasts of the values at
// indices from len(series) - round(TestFraction*len(series)) on.
func Run(ctx context.Context, series []float64, cfg Config) (*Result, error) {
	cfg = cfg.withDefaults()
	if cfg.TestFraction <= 0 || cfg.TestFraction >= 1 {
		return nil, errors.Errorf("test fraction must be in (0, 1), got %v", cfg.TestFraction)
	}
	split := len(series) - int(math.Round(cfg.TestFraction*float64(len(series))))
	if split-cfg.Window < 2 || split < 12 || split >= len(series) {
		return nil, errors.Errorf("a series of %d values is too short for window %d and test fraction %v", len(series), cfg.Window, cfg.TestFraction)
	}

	// Standardize with the training months' statistics only.
	var scaler datasets.StandardScaler
	if err := scaler.Fit(column(series[:split])); err != nil {
		return nil, err
	}
	scaledT, err := scaler.Transform(column(series))
	if err != nil {
		return nil, err
	}
	scaled := scaledT.Data().([]float64)

	// Sample i forecasts the value at index i+Window from the Window before it.
	x, y, err := datasets.Windows(scaled, cfg.Window, 1)
	if err != nil {
		return nil, err
	}
	nTrain := split - cfg.Window // samples whose target is a training month
	xTrain, yTrain, err := rows(x, y, 0, nTrain)
	if err != nil {
		return nil, err
	}
	xTest, _, err := rows(x, y, nTrain, x.Shape()[0])
	if err != nil {
		return nil, err
	}

	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{cfg.Window, 1}},
		&layers.LSTM{Units: cfg.Units},
		&layers.Dense{Units: 1},
	)
	if err := m.Compile(models.Config{
		Loss:      losses.MeanSquaredError{},
		Optimizer: optimizers.Adam{LearningRate: cfg.LearningRate},
		Seed:      cfg.Seed,
		BatchSize: 256,
	}); err != nil {
		return nil, err
	}
	fit := trainer.FitConfig{Epochs: cfg.Epochs, BatchSize: cfg.BatchSize, Seed: cfg.Seed, Silent: cfg.Progress == nil, Progress: cfg.Progress}
	hist, err := m.Fit(ctx, xTrain, yTrain, fit)
	if err != nil {
		return nil, err
	}
	preds, err := m.Predict(ctx, xTest)
	if err != nil {
		return nil, err
	}
	pred := preds[0]
	p32, ok := pred.Data().([]float32)
	if !ok {
		return nil, errors.Errorf("predictions are %v, want float32", pred.Dtype())
	}
	p64 := make([]float64, len(p32))
	for i, v := range p32 {
		p64[i] = float64(v)
	}
	back, err := scaler.Inverse(column(p64))
	if err != nil {
		return nil, err
	}
	forecast := back.Data().([]float64)
	truth := series[split:]
	naive := series[split-1 : len(series)-1]
	seasonal := series[split-12 : len(series)-12]
	if len(forecast) != len(truth) {
		return nil, errors.Errorf("%d forecasts for %d held-out months", len(forecast), len(truth))
	}
	return &Result{
		Train: nTrain, Test: len(truth),
		LSTM: rmse(truth, forecast), Naive: rmse(truth, naive), Seasonal: rmse(truth, seasonal),
		Loss: hist.Values["loss"],
	}, nil
}

// column returns v as a [len(v), 1] tensor (a copy).
func column(v []float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v), 1), tensor.WithBacking(append([]float64(nil), v...)))
}

// rows returns samples [from, to) of x, [n, window, 1], and y, [n, 1].
func rows(x, y *tensor.Dense, from, to int) (*tensor.Dense, *tensor.Dense, error) {
	xs, err := x.Slice(tensor.S(from, to))
	if err != nil {
		return nil, nil, err
	}
	ys, err := y.Slice(tensor.S(from, to))
	if err != nil {
		return nil, nil, err
	}
	return xs.(*tensor.Dense).Materialize().(*tensor.Dense), ys.(*tensor.Dense).Materialize().(*tensor.Dense), nil
}

// rmse is the root mean squared difference of a and b, of equal lengths.
func rmse(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}
