package main

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestElnino(t *testing.T) {
	s, err := Elnino()
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 61*12 {
		t.Fatalf("%d months, want %d (1950-2010)", len(s), 61*12)
	}
	// The first and last values of the CSV: January 1950, December 2010.
	if s[0] != 23.11 || s[len(s)-1] != 22.07 {
		t.Errorf("first %v, last %v, want 23.11 and 22.07", s[0], s[len(s)-1])
	}
}

// A small LSTM trained for a few epochs beats the last-value forecast on
// the held-out last 20% of the months.
func TestLSTMBeatsNaive(t *testing.T) {
	s, err := Elnino()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, Config{Epochs: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("RMSE LSTM %.4f, naive %.4f, seasonal naive %.4f (°C); loss %v", res.LSTM, res.Naive, res.Seasonal, res.Loss)
	if res.Test != 146 || res.Train != 574 {
		t.Errorf("%d held-out and %d training forecasts, want 146 and 574", res.Test, res.Train)
	}
	if math.IsNaN(res.LSTM) || !(res.LSTM < res.Naive) {
		t.Errorf("LSTM RMSE %.4f, want below the naive %.4f", res.LSTM, res.Naive)
	}
	if len(res.Loss) != 8 || !(res.Loss[7] < res.Loss[0]) {
		t.Errorf("loss per epoch %v, want 8 values, falling", res.Loss)
	}
}

func TestRunErrors(t *testing.T) {
	s, err := Elnino()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		series []float64
		cfg    Config
		want   string
	}{
		{"test fraction 1", s, Config{TestFraction: 1}, "test fraction must be in (0, 1), got 1"},
		{"negative test fraction", s, Config{TestFraction: -0.5}, "test fraction must be in (0, 1)"},
		{"short series", s[:15], Config{}, "a series of 15 values is too short for window 12"},
		{"NaN", append([]float64{math.NaN()}, s...), Config{Epochs: 1}, "series value 0 is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.series, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
