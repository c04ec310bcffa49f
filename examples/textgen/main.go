// Command textgen trains a character-level LSTM on the Book of Genesis (King
// James Version, public domain, embedded from data/genesis.txt) and samples
// new text from it.
//
//	go run ./examples/textgen
//	go run ./examples/textgen -epochs 20 -units 256 -temperature 0.5
//
// The model reads Steps characters and predicts the one after them:
// Embedding -> LSTM -> Dense softmax over the characters, trained with
// sparse categorical cross-entropy on windows of the text that start every
// Stride characters. Sampling feeds the model the last Steps characters
// (padding with id 0, which the embedding masks, when there are fewer),
// draws the next character from its distribution sharpened or flattened by
// the temperature, and repeats; a seeded *rand.Rand makes it repeatable.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand"
	"os"
	"os/signal"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

//go:embed data/genesis.txt
var genesis string

// Config says how the model is built and trained. Its zero value is the
// program's defaults.
type Config struct {
	// Chars is how much of the text to train on, from its start; zero means
	// all of it.
	Chars int
	// Steps is the number of characters the model reads; zero means 256.
	// The LSTM runs as one fused op, so a window costs time and memory
	// linear in its length.
	Steps int
	// Stride is the distance between the starts of two training windows;
	// zero means 8.
	Stride int
	// Dim is the size of the character embeddings; zero means 32.
	Dim int
	// Units is the LSTM's size; zero means 128.
	Units int
	// Epochs is the number of passes over the text; zero means 4.
	Epochs int
	// BatchSize is the number of windows per step; zero means 64.
	BatchSize int
	// LearningRate is Adam's; zero means 0.005.
	LearningRate float64
	// Seed seeds the weights and the shuffling.
	Seed int64
	// Progress receives one line per epoch; nil means none.
	Progress io.Writer
	// Callbacks are passed on to Fit.
	Callbacks []trainer.Callback
}

func (c Config) withDefaults() Config {
	if c.Steps == 0 {
		c.Steps = 256
	}
	if c.Stride == 0 {
		c.Stride = 8
	}
	if c.Dim == 0 {
		c.Dim = 32
	}
	if c.Units == 0 {
		c.Units = 128
	}
	if c.Epochs == 0 {
		c.Epochs = 4
	}
	if c.BatchSize == 0 {
		c.BatchSize = 64
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.005
	}
	return c
}

func main() {
	var cfg Config
	flag.IntVar(&cfg.Chars, "chars", 0, "characters of the text to train on (0: all)")
	flag.IntVar(&cfg.Steps, "steps", 256, "characters the model reads")
	flag.IntVar(&cfg.Stride, "stride", 8, "characters between the starts of two training windows")
	flag.IntVar(&cfg.Units, "units", 128, "LSTM units")
	flag.IntVar(&cfg.Epochs, "epochs", 4, "passes over the text")
	flag.IntVar(&cfg.BatchSize, "batch-size", 64, "windows per step")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed of the weights, the shuffling and the sampling")
	prompt := flag.String("prompt", "And God said", "text the samples start from")
	length := flag.Int("length", 300, "characters to sample")
	temperature := flag.Float64("temperature", 0, "sampling temperature (> 0); 0 samples at 0.2, 0.5 and 1")
	flag.Parse()
	cfg.Progress = os.Stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	vocab := NewVocab(genesis)
	fmt.Printf("Genesis, KJV: %d characters, %d distinct\n", len([]rune(genesis)), vocab.Size()-1)
	m, hist, err := Train(ctx, genesis, vocab, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loss per epoch: %.4f\n", hist.Values["loss"])
	temps := []float64{0.2, 0.5, 1}
	if *temperature != 0 {
		temps = []float64{*temperature}
	}
	for _, t := range temps {
		text, err := Sample(ctx, m, vocab, *prompt, *length, t, rand.New(rand.NewSource(cfg.Seed)))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("\n--- temperature %g ---\n%s%s\n", t, *prompt, text)
	}
}

// Vocab maps the characters of a text to ids 1..n; id 0 is padding.
type Vocab struct {
	chars []rune
	ids   map[rune]int
}

// NewVocab returns the vocabulary of the distinct characters of text, in
// the order of their code points.
func NewVocab(text string) *Vocab {
	ids := map[rune]int{}
	for _, r := range text {
		ids[r] = 0
	}
	chars := make([]rune, 0, len(ids))
	for r := range ids {
		chars = append(chars, r)
	}
	sort.Slice(chars, func(i, j int) bool { return chars[i] < chars[j] })
	for i, r := range chars {
		ids[r] = i + 1
	}
	return &Vocab{chars: chars, ids: ids}
}

// Size is the number of ids, padding included: the model's number of
// classes.
func (v *Vocab) Size() int { return len(v.chars) + 1 }

// Encode returns the ids of the characters of s, or an error naming the
// first character that is not in the vocabulary.
func (v *Vocab) Encode(s string) ([]int, error) {
	out := make([]int, 0, len(s))
	for i, r := range s {
		id, ok := v.ids[r]
		if !ok {
			return nil, errors.Errorf("character %q at byte %d is not in the vocabulary", r, i)
		}
		out = append(out, id)
	}
	return out, nil
}

// Training cuts the ids of text into windows of steps characters that
// start every stride characters, each paired with the character after it:
// x float32 [n, steps] of ids, y float32 [n] of ids. The text must have at
// least steps+1 characters.
func Training(text string, vocab *Vocab, steps, stride int) (x, y *tensor.Dense, err error) {
	if steps <= 0 {
		return nil, nil, errors.Errorf("steps must be > 0, got %d", steps)
	}
	if stride <= 0 {
		return nil, nil, errors.Errorf("stride must be > 0, got %d", stride)
	}
	ids, err := vocab.Encode(text)
	if err != nil {
		return nil, nil, err
	}
	if len(ids) < steps+1 {
		return nil, nil, errors.Errorf("a text of %d characters is too short for windows of %d and the character after", len(ids), steps)
	}
	n := (len(ids)-steps-1)/stride + 1
	xs := make([]float32, 0, n*steps)
	ys := make([]float32, 0, n)
	for i := 0; i < n; i++ {
		for _, id := range ids[i*stride : i*stride+steps] {
			xs = append(xs, float32(id))
		}
		ys = append(ys, float32(ids[i*stride+steps]))
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n), tensor.WithBacking(ys)), nil
}

// NewModel returns the character model: Embedding (masking id 0) -> LSTM
// -> Dense softmax over the vocabulary: [batch, steps] ids -> [batch,
// vocabSize] probabilities of the next character.
func NewModel(vocabSize, steps, dim, units int) *models.Sequential {
	return models.NewSequential(
		&layers.Input{Shape: layers.Shape{steps}},
		&layers.Embedding{InputDim: vocabSize, OutputDim: dim, MaskZero: true},
		&layers.LSTM{Units: units},
		&layers.Dense{Units: vocabSize, Activation: layers.Softmax},
	)
}

// Train builds the model and trains it on text (its first cfg.Chars
// characters), and returns it and the history of its loss per epoch.
func Train(ctx context.Context, text string, vocab *Vocab, cfg Config) (*models.Sequential, *trainer.History, error) {
	cfg = cfg.withDefaults()
	if cfg.Chars < 0 {
		return nil, nil, errors.Errorf("chars must be >= 0, got %d", cfg.Chars)
	}
	if r := []rune(text); cfg.Chars > 0 && cfg.Chars < len(r) {
		text = string(r[:cfg.Chars])
	}
	x, y, err := Training(text, vocab, cfg.Steps, cfg.Stride)
	if err != nil {
		return nil, nil, err
	}
	m := NewModel(vocab.Size(), cfg.Steps, cfg.Dim, cfg.Units)
	if err := m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: cfg.LearningRate, Clip: optimizers.Clip{GlobalNorm: 5}},
		Seed:      cfg.Seed,
	}); err != nil {
		return nil, nil, err
	}
	hist, err := m.Fit(ctx, x, y, trainer.FitConfig{
		Epochs: cfg.Epochs, BatchSize: cfg.BatchSize, Seed: cfg.Seed,
		Silent: cfg.Progress == nil, Progress: cfg.Progress, Callbacks: cfg.Callbacks,
	})
	if err != nil {
		return nil, nil, err
	}
	return m, hist, nil
}

// Sample draws n characters that follow prompt from m, a model NewModel
// made for vocab, at the given temperature: the model's probabilities p
// become p^(1/temperature), renormalized, so that below 1 the likely
// characters get likelier and above 1 the choice is freer. The
// temperature must be > 0. The same rng state gives the same text.
func Sample(ctx context.Context, m *models.Sequential, vocab *Vocab, prompt string, n int, temperature float64, rng *rand.Rand) (string, error) {
	if !(temperature > 0) || math.IsInf(temperature, 1) {
		return "", errors.Errorf("sample: temperature must be > 0 and finite, got %v", temperature)
	}
	if n < 0 {
		return "", errors.Errorf("sample: length must be >= 0, got %d", n)
	}
	if rng == nil {
		return "", errors.New("sample: nil *rand.Rand")
	}
	in := m.InputShape()
	if len(in) != 1 {
		return "", errors.Errorf("sample: the model takes %v, want (steps) of ids", in)
	}
	steps, k := in[0], vocab.Size()
	if out := m.OutputShape(); len(out) != 1 || out[0] != k {
		return "", errors.Errorf("sample: the model gives %v, want (%d) for this vocabulary", out, k)
	}
	ids, err := vocab.Encode(prompt)
	if err != nil {
		return "", errors.Wrap(err, "sample: prompt")
	}
	window := make([]float32, steps)
	logw := make([]float64, k)
	out := make([]rune, 0, n)
	for len(out) < n {
		// The last steps ids, padded with 0 in front.
		for i := range window {
			window[i] = 0
		}
		tail := ids
		if len(tail) > steps {
			tail = tail[len(tail)-steps:]
		}
		for i, id := range tail {
			window[steps-len(tail)+i] = float32(id)
		}
		x := tensor.New(tensor.WithShape(1, steps), tensor.WithBacking(append([]float32(nil), window...)))
		probss, err := m.Predict(ctx, x)
		if err != nil {
			return "", errors.Wrap(err, "sample")
		}
		probs := probss[0]
		p, ok := probs.Data().([]float32)
		if !ok {
			return "", errors.Errorf("sample: predictions are %v, want float32", probs.Dtype())
		}
		id, err := draw(p, temperature, logw, rng)
		if err != nil {
			return "", errors.Wrapf(err, "sample: character %d", len(out))
		}
		ids = append(ids, id)
		out = append(out, vocab.chars[id-1])
	}
	return string(out), nil
}

// draw picks an id in [1, len(p)) with probability proportional to
// p[id]^(1/temperature); id 0, padding, is never drawn. logw is scratch
// space of len(p).
func draw(p []float32, temperature float64, logw []float64, rng *rand.Rand) (int, error) {
	best := math.Inf(-1)
	for i := 1; i < len(p); i++ {
		v := float64(p[i])
		if math.IsNaN(v) || v < 0 {
			return 0, errors.Errorf("probability %v for id %d", v, i)
		}
		logw[i] = math.Log(v) / temperature
		best = math.Max(best, logw[i])
	}
	if math.IsInf(best, -1) {
		return 0, errors.New("every character has probability 0")
	}
	var sum float64
	for i := 1; i < len(p); i++ {
		logw[i] = math.Exp(logw[i] - best)
		sum += logw[i]
	}
	u := rng.Float64() * sum
	for i := 1; i < len(p); i++ {
		u -= logw[i]
		if u < 0 {
			return i, nil
		}
	}
	return len(p) - 1, nil
}
