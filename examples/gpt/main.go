// Command gpt trains a small decoder-only Transformer (GPT-style) on the
// English fortune database Debian ships (package fortunes, in
// /usr/share/games/fortunes), character by character, reports the
// validation perplexity after every epoch, and samples new fortunes at two
// temperatures with the key/value cache (package generate).
//
//	go run ./examples/gpt                         # 3 epochs on 300,000 characters
//	go run ./examples/gpt -chars 50000 -epochs 2
//
// The text is the fortunes joined by blank lines; the last tenth (whole
// fortunes) is the validation text. The model reads windows of Steps
// characters and predicts each next character: TokenAndPositionEmbedding
// -> Blocks TransformerDecoders (causal self-attention) -> a Dense over the
// characters at every step, trained on layers.TokenNLL (the negative
// log-likelihood of each next character) with Adam. Perplexity is
// exp(mean NLL per character) on the validation windows.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/signal"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/examples/internal/text"
	"github.com/profundo/profundo/generate"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// Config is the experiment; its zero value is the program's defaults.
type Config struct {
	// Dir holds the English fortune databases; empty means
	// text.FortuneDir.
	Dir string
	// Chars is how much text to use, from the start; zero means 300,000.
	Chars int
	// Steps is the window length; zero means 64.
	Steps int
	// Dim is the model width; zero means 64.
	Dim int
	// Blocks is the number of decoder blocks; zero means 2.
	Blocks int
	// Epochs is the number of passes; zero means 3.
	Epochs int
	// Seed seeds the weights, the shuffling and the samples.
	Seed int64
}

func (c Config) withDefaults() Config {
	if c.Dir == "" {
		c.Dir = text.FortuneDir
	}
	if c.Chars == 0 {
		c.Chars = 300000
	}
	if c.Steps == 0 {
		c.Steps = 64
	}
	if c.Dim == 0 {
		c.Dim = 64
	}
	if c.Blocks == 0 {
		c.Blocks = 2
	}
	if c.Epochs == 0 {
		c.Epochs = 3
	}
	return c
}

// Corpus reads the fortunes and splits them into training and validation
// text (the last tenth of the fortunes), at most chars characters in all.
func Corpus(dir string, chars int) (train, val string, err error) {
	fs, err := text.Fortunes(dir)
	if err != nil {
		return "", "", err
	}
	var all []string
	n := 0
	for _, f := range fs {
		if n >= chars {
			break
		}
		all = append(all, f)
		n += len([]rune(f)) + 2
	}
	cut := len(all) * 9 / 10
	return strings.Join(all[:cut], "\n\n"), strings.Join(all[cut:], "\n\n"), nil
}

// Windows cuts ids into non-overlapping windows of steps inputs, each with
// its targets (the next ids): x and y, [n, steps].
func Windows(ids []int, steps int) (x, y *tensor.Dense) {
	n := (len(ids) - 1) / steps
	xs, ys := make([]float32, n*steps), make([]float32, n*steps)
	for w := 0; w < n; w++ {
		for s := 0; s < steps; s++ {
			xs[w*steps+s] = float32(ids[w*steps+s])
			ys[w*steps+s] = float32(ids[w*steps+s+1])
		}
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(ys))
}

// LM is the trained model: the functional model that trains it (inputs
// ids and targets, output the per-character loss) and the same layers
// seen one token at a time.
type LM struct {
	Train *models.Functional
	Gen   *generate.Model
	Vocab *text.Vocab
}

// NewLM builds the model for a vocabulary of vocab ids.
func NewLM(vocab *text.Vocab, cfg Config) (*LM, error) {
	emb := &layers.TokenAndPositionEmbedding{Name: "embedding", VocabularySize: vocab.Size(), SequenceLength: cfg.Steps, EmbeddingDim: cfg.Dim}
	head := &layers.Dense{Name: "logits", Units: vocab.Size()}
	x := models.Input("ids", cfg.Steps)
	target := models.Input("next", cfg.Steps)
	h := models.Apply(emb, x)
	gen := &generate.Model{Embedding: emb, Head: head}
	for i := 0; i < cfg.Blocks; i++ {
		blk := &layers.TransformerDecoder{Name: fmt.Sprintf("block%d", i), IntermediateDim: 4 * cfg.Dim, NumHeads: 4, Dropout: 0.1, NormalizeFirst: true}
		h = models.Merge(blk, h)
		gen.Blocks = append(gen.Blocks, blk)
	}
	logits := models.Apply(&layers.TimeDistributed{Name: "head", Layer: head}, h)
	nll := models.Merge(&layers.TokenNLL{Name: "nll", Ignore: -1}, logits, target)
	m, err := models.NewFunctional([]*models.Node{x, target}, []*models.Node{nll})
	if err != nil {
		return nil, err
	}
	return &LM{Train: m, Gen: gen, Vocab: vocab}, nil
}

// Perplexity is exp of the mean negative log-likelihood per character of
// the windows x, y.
func (lm *LM) Perplexity(ctx context.Context, x, y *tensor.Dense) (float64, error) {
	out, err := lm.Train.Predict(ctx, []*tensor.Dense{x, y})
	if err != nil {
		return 0, err
	}
	var sum float64
	d := out[0].Data().([]float32)
	for _, v := range d {
		sum += float64(v)
	}
	return math.Exp(sum / float64(len(d))), nil
}

// Sample continues prompt by n characters at the given temperature. The
// model sees at most its window: when the window is full, generation goes
// on from the last half of it.
func (lm *LM) Sample(ctx context.Context, prompt string, n int, temperature float64, seed int64) (string, error) {
	ids := lm.Vocab.Encode(text.Chars(prompt), len([]rune(prompt)))
	window := lm.Gen.Embedding.SequenceLength
	var out []int
	for round := int64(0); len(out) < n; round++ {
		ctxIDs := append(append([]int(nil), ids...), out...)
		if len(ctxIDs) > window/2 && len(out) > 0 {
			ctxIDs = ctxIDs[len(ctxIDs)-window/2:]
		}
		more, err := lm.Gen.Generate(ctx, ctxIDs, generate.Random{Temperature: temperature},
			generate.Config{MaxTokens: min(n-len(out), window-len(ctxIDs)+1), Seed: seed + round})
		if err != nil {
			return "", err
		}
		out = append(out, more...)
	}
	var sb strings.Builder
	for _, id := range out {
		sb.WriteString(lm.Vocab.Token(id))
	}
	return sb.String(), nil
}

// Epoch is one epoch's scores.
type Epoch struct {
	Loss, ValPerplexity float64
}

// Run trains the model and returns it and each epoch's scores.
func Run(ctx context.Context, cfg Config, progress func(e int, ep Epoch)) (*LM, []Epoch, error) {
	cfg = cfg.withDefaults()
	train, val, err := Corpus(cfg.Dir, cfg.Chars)
	if err != nil {
		return nil, nil, err
	}
	vocab := text.NewVocab([][]string{text.Chars(train)}, 0, 3)
	encode := func(s string) []int { return vocab.Encode(text.Chars(s), len([]rune(s))) }
	xTrain, yTrain := Windows(encode(train), cfg.Steps)
	xVal, yVal := Windows(encode(val), cfg.Steps)
	lm, err := NewLM(vocab, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := lm.Train.Compile(models.Config{Loss: losses.MeanAbsoluteError{}, Optimizer: optimizers.Adam{LearningRate: 0.003}, Seed: cfg.Seed, BatchSize: 64}); err != nil {
		return nil, nil, err
	}
	zeros := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(yTrain.Shape()...))
	var eps []Epoch
	for e := 0; e < cfg.Epochs; e++ {
		h, err := lm.Train.Fit(ctx, []*tensor.Dense{xTrain, yTrain}, []*tensor.Dense{zeros}, trainer.FitConfig{Epochs: 1, BatchSize: 32, Seed: cfg.Seed + int64(e), Silent: true})
		if err != nil {
			return nil, nil, errors.Wrapf(err, "epoch %d", e+1)
		}
		ppl, err := lm.Perplexity(ctx, xVal, yVal)
		if err != nil {
			return nil, nil, err
		}
		loss, _ := h.Last("loss")
		ep := Epoch{Loss: loss, ValPerplexity: ppl}
		eps = append(eps, ep)
		if progress != nil {
			progress(e+1, ep)
		}
	}
	return lm, eps, nil
}

func main() {
	var cfg Config
	flag.StringVar(&cfg.Dir, "dir", "", "the English fortune databases (default "+text.FortuneDir+")")
	flag.IntVar(&cfg.Chars, "chars", 0, "characters of text (default 300000)")
	flag.IntVar(&cfg.Epochs, "epochs", 0, "epochs (default 3)")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	lm, _, err := Run(ctx, cfg, func(e int, ep Epoch) {
		fmt.Printf("epoch %d: training loss %.3f, validation perplexity %.2f\n", e, ep.Loss, ep.ValPerplexity)
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, temp := range []float64{0.5, 1.0} {
		s, err := lm.Sample(ctx, "The ", 200, temp, cfg.Seed)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("\ntemperature %.1f:\nThe %s\n", temp, s)
	}
}
