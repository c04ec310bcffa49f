// Command langid tells the language of a sentence, English, Spanish,
// German or Italian, with a Transformer encoder over its characters, and
// compares it with an LSTM and a bag-of-words classifier on the same split.
//
//	go run ./examples/langid                   # 2,000 sentences a language
//	go run ./examples/langid -per-lang 500 -epochs 2
//
// The sentences come from the fortune databases Debian ships (packages
// fortunes, fortunes-es, fortunes-de, fortunes-it, in
// /usr/share/games/fortunes): each fortune is cut into sentences of 20 to
// 120 characters, duplicates dropped, the same number drawn for every
// language (seeded), and split 80/20 into training and test sentences.
//
// Models, each trained with Adam on sparse categorical cross-entropy:
//
//   - transformer: TokenAndPositionEmbedding (characters, MaskZero) ->
//     TransformerEncoder -> GlobalAveragePooling1D (over the characters,
//     not the padding) -> Dense softmax;
//   - lstm: Embedding (MaskZero) -> LSTM -> Dense softmax;
//   - bag of words: counts of the most frequent training words -> Dense
//     softmax (logistic regression).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/examples/internal/text"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// Languages are the classes, with the folder of their fortunes under
// text.FortuneDir.
var Languages = []struct{ Name, Dir string }{
	{"english", ""}, {"spanish", "es"}, {"german", "de"}, {"italian", "it"},
}

// Config is the experiment; its zero value is the program's defaults.
type Config struct {
	// Dir holds the fortune databases; empty means text.FortuneDir.
	Dir string
	// PerLang is the number of sentences of each language; zero means
	// 2000.
	PerLang int
	// MaxLen is the most characters read of a sentence; zero means 64.
	MaxLen int
	// Epochs is the training passes of each model; zero means 4.
	Epochs int
	// Seed seeds the draw, the split and the weights.
	Seed int64
}

func (c Config) withDefaults() Config {
	if c.Dir == "" {
		c.Dir = text.FortuneDir
	}
	if c.PerLang == 0 {
		c.PerLang = 2000
	}
	if c.MaxLen == 0 {
		c.MaxLen = 64
	}
	if c.Epochs == 0 {
		c.Epochs = 4
	}
	return c
}

// Example is one labelled sentence.
type Example struct {
	Text  string
	Label int
}

// Load draws cfg.PerLang sentences of each language and splits them into
// training (80%) and test sentences, the same for the same seed.
func Load(cfg Config) (train, test []Example, err error) {
	rng := rand.New(rand.NewSource(cfg.Seed))
	for label, lang := range Languages {
		fortunes, err := text.Fortunes(filepath.Join(cfg.Dir, lang.Dir))
		if err != nil {
			return nil, nil, errors.Wrap(err, lang.Name)
		}
		seen := map[string]bool{}
		var sents []string
		for _, f := range fortunes {
			for _, s := range text.Sentences(f, 20, 120) {
				if !seen[s] {
					seen[s] = true
					sents = append(sents, s)
				}
			}
		}
		if len(sents) < cfg.PerLang {
			return nil, nil, errors.Errorf("%s: %d sentences, want %d", lang.Name, len(sents), cfg.PerLang)
		}
		rng.Shuffle(len(sents), func(i, j int) { sents[i], sents[j] = sents[j], sents[i] })
		cut := cfg.PerLang * 8 / 10
		for i, s := range sents[:cfg.PerLang] {
			if i < cut {
				train = append(train, Example{s, label})
			} else {
				test = append(test, Example{s, label})
			}
		}
	}
	rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
	return train, test, nil
}

// charIDs encodes the sentences as character ids, [n, maxLen].
func charIDs(v *text.Vocab, ex []Example, maxLen int) *tensor.Dense {
	x := make([]float32, 0, len(ex)*maxLen)
	for _, e := range ex {
		for _, id := range v.Encode(text.Chars(e.Text), maxLen) {
			x = append(x, float32(id))
		}
	}
	return tensor.New(tensor.WithShape(len(ex), maxLen), tensor.WithBacking(x))
}

// bagOfWords counts each sentence's words of v, [n, v.Size()].
func bagOfWords(v *text.Vocab, ex []Example) *tensor.Dense {
	x := make([]float32, len(ex)*v.Size())
	for i, e := range ex {
		for _, w := range text.Words(strings.ToLower(e.Text)) {
			x[i*v.Size()+v.ID(w)]++
		}
	}
	return tensor.New(tensor.WithShape(len(ex), v.Size()), tensor.WithBacking(x))
}

func labels(ex []Example) *tensor.Dense {
	y := make([]float32, len(ex))
	for i, e := range ex {
		y[i] = float32(e.Label)
	}
	return tensor.New(tensor.WithShape(len(ex)), tensor.WithBacking(y))
}

// Result is one model's score.
type Result struct {
	Model    string
	Params   int
	Accuracy float64
	Seconds  float64
}

// NewTransformer is the Transformer classifier over ids of maxLen
// characters of a vocabulary of vocab.
func NewTransformer(vocab, maxLen int) (*models.Functional, error) {
	x := models.Input("chars", maxLen)
	h := models.Apply(&layers.TokenAndPositionEmbedding{Name: "embedding", VocabularySize: vocab, SequenceLength: maxLen, EmbeddingDim: 32, MaskZero: true}, x)
	h = models.Apply(&layers.TransformerEncoder{Name: "encoder", IntermediateDim: 64, NumHeads: 2, Dropout: 0.1}, h)
	h = models.Apply(&layers.GlobalAveragePooling1D{Name: "pool"}, h)
	out := models.Apply(&layers.Dense{Name: "language", Units: len(Languages), Activation: layers.Softmax}, h)
	return models.NewFunctional([]*models.Node{x}, []*models.Node{out})
}

// NewLSTM is the LSTM baseline.
func NewLSTM(vocab, maxLen int) (*models.Functional, error) {
	x := models.Input("chars", maxLen)
	h := models.Apply(&layers.Embedding{Name: "embedding", InputDim: vocab, OutputDim: 32, MaskZero: true}, x)
	h = models.Apply(&layers.LSTM{Name: "lstm", Units: 48}, h)
	out := models.Apply(&layers.Dense{Name: "language", Units: len(Languages), Activation: layers.Softmax}, h)
	return models.NewFunctional([]*models.Node{x}, []*models.Node{out})
}

// NewBagOfWords is the bag-of-words baseline over a vocabulary of vocab.
func NewBagOfWords(vocab int) (*models.Functional, error) {
	x := models.Input("words", vocab)
	out := models.Apply(&layers.Dense{Name: "language", Units: len(Languages), Activation: layers.Softmax}, x)
	return models.NewFunctional([]*models.Node{x}, []*models.Node{out})
}

// accuracy is the share of rows of x that m labels as y.
func accuracy(ctx context.Context, m *models.Functional, x *tensor.Dense, ex []Example) (float64, error) {
	p, err := m.Predict(ctx, x)
	if err != nil {
		return 0, err
	}
	probs := p[0].Data().([]float32)
	k := len(Languages)
	right := 0
	for i, e := range ex {
		best := 0
		for j := 1; j < k; j++ {
			if probs[i*k+j] > probs[i*k+best] {
				best = j
			}
		}
		if best == e.Label {
			right++
		}
	}
	return float64(right) / float64(len(ex)), nil
}

// Run trains the three models and scores them on the test sentences.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	cfg = cfg.withDefaults()
	train, test, err := Load(cfg)
	if err != nil {
		return nil, err
	}
	var docs, words [][]string
	for _, e := range train {
		docs = append(docs, text.Chars(e.Text))
		words = append(words, text.Words(strings.ToLower(e.Text)))
	}
	chars := text.NewVocab(docs, 0, 2)
	wordVocab := text.NewVocab(words, 2000, 2)
	type job struct {
		name        string
		build       func() (*models.Functional, error)
		xTrain, xTe *tensor.Dense
		lr          float64
	}
	jobs := []job{
		{"transformer", func() (*models.Functional, error) { return NewTransformer(chars.Size(), cfg.MaxLen) },
			charIDs(chars, train, cfg.MaxLen), charIDs(chars, test, cfg.MaxLen), 0.002},
		{"lstm", func() (*models.Functional, error) { return NewLSTM(chars.Size(), cfg.MaxLen) },
			charIDs(chars, train, cfg.MaxLen), charIDs(chars, test, cfg.MaxLen), 0.005},
		{"bag of words", func() (*models.Functional, error) { return NewBagOfWords(wordVocab.Size()) },
			bagOfWords(wordVocab, train), bagOfWords(wordVocab, test), 0.01},
	}
	var out []Result
	for _, j := range jobs {
		m, err := j.build()
		if err != nil {
			return nil, errors.Wrap(err, j.name)
		}
		if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: j.lr}, Seed: cfg.Seed}); err != nil {
			return nil, errors.Wrap(err, j.name)
		}
		start := time.Now()
		if _, err := m.Fit(ctx, j.xTrain, labels(train), trainer.FitConfig{Epochs: cfg.Epochs, BatchSize: 32, Seed: cfg.Seed, Silent: true}); err != nil {
			return nil, errors.Wrap(err, j.name)
		}
		secs := time.Since(start).Seconds()
		acc, err := accuracy(ctx, m, j.xTe, test)
		if err != nil {
			return nil, errors.Wrap(err, j.name)
		}
		params := 0
		for _, w := range m.Weights() {
			params += w.Params()
		}
		out = append(out, Result{j.name, params, acc, secs})
	}
	return out, nil
}

func main() {
	var cfg Config
	flag.StringVar(&cfg.Dir, "dir", "", "the fortune databases (default "+text.FortuneDir+")")
	flag.IntVar(&cfg.PerLang, "per-lang", 0, "sentences per language (default 2000)")
	flag.IntVar(&cfg.Epochs, "epochs", 0, "epochs per model (default 4)")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Run(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("| model | parameters | test accuracy | training seconds |")
	fmt.Println("|---|---|---|---|")
	for _, r := range res {
		fmt.Printf("| %s | %d | %.3f | %.0f |\n", r.Model, r.Params, r.Accuracy, r.Seconds)
	}
}
