package main

import (
	"context"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/trainer"
)

func TestVocab(t *testing.T) {
	v := NewVocab(genesis)
	if v.Size() != 61 {
		t.Errorf("vocabulary of %d ids, want 61 (60 characters and padding)", v.Size())
	}
	ids, err := v.Encode("In the end")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if id < 1 || id >= v.Size() {
			t.Fatalf("ids %v, want each in [1, %d)", ids, v.Size())
		}
	}
	if len(ids) != 10 || ids[2] != ids[6] || ids[5] != ids[7] || ids[2] == ids[3] {
		t.Errorf("ids %v of %q: want the same id for the same character, different ones otherwise", ids, "In the end")
	}
	if _, err := v.Encode("a€b"); err == nil || !strings.Contains(err.Error(), `character '€' at byte 1 is not in the vocabulary`) {
		t.Errorf("unknown character: %v", err)
	}
}

func TestTraining(t *testing.T) {
	v := NewVocab("abcd")
	// Windows of 3 every 2 characters of "abcdabcd": abc->d, cda->b, abc->d.
	x, y, err := Training("abcdabcd", v, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); len(s) != 2 || s[0] != 3 || s[1] != 3 {
		t.Fatalf("x shape %v, want (3, 3)", s)
	}
	if s := y.Shape(); len(s) != 1 || s[0] != 3 {
		t.Fatalf("y shape %v, want (3)", s)
	}
	if want := []float32{1, 2, 3, 3, 4, 1, 1, 2, 3}; !reflect.DeepEqual(x.Data(), want) {
		t.Errorf("x %v, want %v", x.Data(), want)
	}
	if want := []float32{4, 2, 4}; !reflect.DeepEqual(y.Data(), want) {
		t.Errorf("y %v, want %v", y.Data(), want)
	}
	for _, tc := range []struct {
		name          string
		text          string
		steps, stride int
		want          string
	}{
		{"short text", "abc", 3, 1, "a text of 3 characters is too short for windows of 3"},
		{"zero steps", "abcabc", 0, 1, "steps must be > 0, got 0"},
		{"zero stride", "abcabc", 2, 0, "stride must be > 0, got 0"},
		{"unknown character", "abcxabc", 2, 1, "character 'x' at byte 3 is not in the vocabulary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Training(tc.text, v, tc.steps, tc.stride); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// A few training steps on the start of Genesis lower the loss and keep it
// finite; sampling is repeatable with the same seed and refuses a
// temperature <= 0.
func TestTrainAndSample(t *testing.T) {
	ctx := context.Background()
	v := NewVocab(genesis)
	var losses []float64
	record := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd {
			losses = append(losses, e.Logs["loss"])
		}
		return nil
	})
	// 1,560 characters, windows of 24 every 4: 384 windows, 6 batches of
	// 64 per epoch.
	m, hist, err := Train(ctx, genesis, v, Config{Chars: 1560, Steps: 24, Stride: 4, Units: 32, Dim: 16, Epochs: 2, LearningRate: 0.01, Seed: 1, Callbacks: []trainer.Callback{record}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("running loss after each step: %.4f", losses)
	if len(losses) != 12 {
		t.Fatalf("%d steps, want 12", len(losses))
	}
	for i, l := range losses {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			t.Fatalf("loss %v at step %d", l, i)
		}
	}
	// The first loss is near log(61): the model starts from nearly uniform
	// guesses over the 61 ids.
	if math.Abs(losses[0]-math.Log(61)) > 0.3 {
		t.Errorf("first loss %.4f, want about log(61) = %.4f", losses[0], math.Log(61))
	}
	epochLoss := hist.Values["loss"]
	if !(losses[len(losses)-1] < losses[0]) || !(epochLoss[1] < epochLoss[0]) {
		t.Errorf("loss per epoch %v, first step's %.4f: want it to fall", epochLoss, losses[0])
	}

	a, err := Sample(ctx, m, v, "And God said", 40, 0.7, rand.New(rand.NewSource(5)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sample(ctx, m, v, "And God said", 40, 0.7, rand.New(rand.NewSource(5)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sample: %q", a)
	if len([]rune(a)) != 40 || a != b {
		t.Errorf("samples with the same seed: %q and %q, want the same 40 characters", a, b)
	}
	if _, err := v.Encode(a); err != nil {
		t.Errorf("the sample has a character outside the vocabulary: %v", err)
	}
	c, err := Sample(ctx, m, v, "And God said", 40, 0.7, rand.New(rand.NewSource(6)))
	if err != nil {
		t.Fatal(err)
	}
	if c == a {
		t.Errorf("seeds 5 and 6 sampled the same text %q", a)
	}
	for _, temp := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := Sample(ctx, m, v, "And", 5, temp, rand.New(rand.NewSource(1))); err == nil || !strings.Contains(err.Error(), "temperature must be > 0") {
			t.Errorf("temperature %v: %v", temp, err)
		}
	}
	if _, err := Sample(ctx, m, v, "Ð", 5, 1, rand.New(rand.NewSource(1))); err == nil || !strings.Contains(err.Error(), "prompt") {
		t.Errorf("prompt outside the vocabulary: %v", err)
	}
}

// A low temperature concentrates the draws on the likeliest character, a
// high one spreads them.
func TestDrawTemperature(t *testing.T) {
	p := []float32{0, 0.6, 0.3, 0.1}
	scratch := make([]float64, len(p))
	count := func(temp float64) [4]int {
		rng := rand.New(rand.NewSource(1))
		var n [4]int
		for i := 0; i < 10000; i++ {
			id, err := draw(p, temp, scratch, rng)
			if err != nil {
				t.Fatal(err)
			}
			n[id]++
		}
		return n
	}
	cold, one, hot := count(0.05), count(1), count(100)
	if cold[0]+one[0]+hot[0] != 0 {
		t.Errorf("drew the padding id: %v %v %v", cold, one, hot)
	}
	if cold[1] < 9990 {
		t.Errorf("temperature 0.05 drew %v, want nearly all id 1", cold)
	}
	if math.Abs(float64(one[1])/10000-0.6) > 0.02 || math.Abs(float64(one[3])/10000-0.1) > 0.02 {
		t.Errorf("temperature 1 drew %v, want about 6000, 3000, 1000", one)
	}
	if hot[3] < 3000 {
		t.Errorf("temperature 100 drew %v, want nearly uniform", hot)
	}
	if _, err := draw([]float32{0, float32(math.NaN()), 1}, 1, scratch, rand.New(rand.NewSource(1))); err == nil {
		t.Error("a NaN probability: no error")
	}
}
