package main

import (
	"context"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// On the same data, the LSTM learns the order of the markers and the bag of
// embeddings stays at chance.
func TestLSTMLearnsOrderBagCannot(t *testing.T) {
	res, err := Run(context.Background(), Config{Train: 1200, TestPairs: 250, Epochs: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test accuracy: LSTM %.4f, bag of embeddings %.4f", res.LSTM, res.Bag)
	if res.LSTM < 0.95 {
		t.Errorf("LSTM test accuracy %.4f, want >= 0.95", res.LSTM)
	}
	// Every test pair holds the same tokens with opposite classes, so an
	// order-blind model gets one of the two right (up to float rounding
	// between nearly tied pairs).
	if math.Abs(res.Bag-0.5) > 0.02 {
		t.Errorf("bag of embeddings test accuracy %.4f, want 0.5", res.Bag)
	}
}

func TestSequences(t *testing.T) {
	const n, length, vocab = 200, 7, 6
	x, y, err := Sequences(rand.New(rand.NewSource(3)), n, length, vocab, true)
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); s[0] != n || s[1] != length {
		t.Fatalf("x shape %v", s)
	}
	xs, ys := x.Data().([]float32), y.Data().([]float32)
	ones := 0
	for i := 0; i < n; i++ {
		row := xs[i*length : (i+1)*length]
		a, b, other := -1, -1, 0
		for j, v := range row {
			switch {
			case v == markerA && a < 0:
				a = j
			case v == markerB && b < 0:
				b = j
			case v >= firstFiller && v < vocab:
				other++
			default:
				t.Fatalf("sequence %d: unexpected id %v at %d: %v", i, v, j, row)
			}
		}
		if a < 0 || b < 0 || other != length-2 {
			t.Fatalf("sequence %d has not one A and one B: %v", i, row)
		}
		want := float32(0)
		if a < b {
			want = 1
		}
		if ys[i] != want {
			t.Fatalf("sequence %d %v: class %v, want %v", i, row, ys[i], want)
		}
		ones += int(want)
		if i%2 == 1 {
			prev := xs[(i-1)*length : i*length]
			for j := range row {
				if (row[j] == markerA) != (prev[j] == markerB) || (row[j] >= firstFiller && row[j] != prev[j]) {
					t.Fatalf("sequence %d %v is not sequence %d %v swapped", i, row, i-1, prev)
				}
			}
		}
	}
	if ones != n/2 {
		t.Errorf("%d of %d pairs' sequences in class 1, want half", ones, n)
	}
	// The same seed draws the same data.
	x2, _, err := Sequences(rand.New(rand.NewSource(3)), n, length, vocab, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x.Data(), x2.Data()) {
		t.Error("the same seed drew different sequences")
	}
}

func TestSequencesErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, tc := range []struct {
		name             string
		n, length, vocab int
		pairs            bool
		want             string
	}{
		{"no sequences", 0, 5, 10, false, "n must be > 0, got 0"},
		{"odd pairs", 3, 5, 10, true, "n must be even for pairs, got 3"},
		{"too short", 4, 1, 10, false, "length must be >= 2, got 1"},
		{"no filler", 4, 5, 3, false, "vocab must be >= 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Sequences(rng, tc.n, tc.length, tc.vocab, tc.pairs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
