// Command translate trains an encoder-decoder Transformer to translate
// English to Spanish on the messages of the gettext catalogs that Debian
// packages install (/usr/share/locale/es/LC_MESSAGES/*.mo, read with a
// small .mo reader: examples/internal/text.ReadMO), scores it on held-out
// messages with BLEU and chrF (sacreBLEU's definitions, metrics.BLEU and
// metrics.ChrF) against the copy-the-source baseline, and shows
// translations of test messages.
//
//	go run ./examples/translate                    # 8,000 pairs, 5 epochs
//	go run ./examples/translate -pairs 20000 -epochs 6
//
// Which catalogs there are depends on the packages installed; the program
// prints how many files and pairs it read. The pairs are cleaned (keyboard
// accelerators "_" and "&" removed, whitespace collapsed), kept when both
// sides are under 80 characters and fit the model's lengths in words,
// deduplicated by their English side, shuffled (seeded) and split into
// Test pairs for testing and the rest for training.
//
// Model: the encoder is TokenAndPositionEmbedding (English words,
// MaskZero) -> TransformerEncoder; the decoder TokenAndPositionEmbedding
// (Spanish words, MaskZero) -> TransformerDecoder (causal self-attention,
// cross-attention to the encoder, whose padding is masked) -> Dense over
// the Spanish words, trained with teacher forcing on layers.TokenNLL (the
// padding left out) with Adam. Translation is greedy, one word at a time
// with the key/value cache (package generate), from <s> to </s>.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/examples/internal/text"
	"github.com/profundo/profundo/generate"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// CatalogDir is where Debian puts the Spanish catalogs.
const CatalogDir = "/usr/share/locale/es/LC_MESSAGES"

// Config is the experiment; its zero value is the program's defaults.
type Config struct {
	// Dir holds the .mo catalogs; empty means CatalogDir.
	Dir string
	// Pairs is the most pairs used (training and test); zero means 8000.
	Pairs int
	// Test is the number of test pairs; zero means 500.
	Test int
	// Dim is the model width; zero means 128.
	Dim int
	// Epochs is the number of passes; zero means 5.
	Epochs int
	// Seed seeds the split, the weights and the shuffling.
	Seed int64
}

// The lengths in words, with <s> or </s>.
const (
	srcLen = 16
	tgtLen = 18
)

func (c Config) withDefaults() Config {
	if c.Dir == "" {
		c.Dir = CatalogDir
	}
	if c.Pairs == 0 {
		c.Pairs = 8000
	}
	if c.Test == 0 {
		c.Test = 500
	}
	if c.Dim == 0 {
		c.Dim = 128
	}
	if c.Epochs == 0 {
		c.Epochs = 5
	}
	return c
}

var (
	accel  = regexp.MustCompile(`(^|[^\pL\pN_])[_&](\pL)`)
	spaces = regexp.MustCompile(`\s+`)
)

func clean(s string) string {
	s = accel.ReplaceAllString(s, "$1$2")
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// Data is the split, and how much was read.
type Data struct {
	Train, Test []text.Pair
	Files, Read int
}

// Load reads, cleans, filters and splits the pairs.
func Load(cfg Config) (*Data, error) {
	pairs, files, err := text.Catalogs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var keep []text.Pair
	for _, p := range pairs {
		s, t := clean(p.Source), clean(p.Target)
		if s == "" || t == "" || seen[s] || utf8.RuneCountInString(s) >= 80 || utf8.RuneCountInString(t) >= 80 || strings.IndexFunc(s, unicode.IsLetter) < 0 {
			continue
		}
		if len(text.Words(s)) > srcLen || len(text.Words(t)) > tgtLen-1 {
			continue
		}
		seen[s] = true
		keep = append(keep, text.Pair{Source: s, Target: t})
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	rng.Shuffle(len(keep), func(i, j int) { keep[i], keep[j] = keep[j], keep[i] })
	if len(keep) > cfg.Pairs {
		keep = keep[:cfg.Pairs]
	}
	if len(keep) <= cfg.Test {
		return nil, errors.Errorf("%d usable pairs in %s, fewer than the %d test pairs", len(keep), cfg.Dir, cfg.Test)
	}
	return &Data{Test: keep[:cfg.Test], Train: keep[cfg.Test:], Files: len(files), Read: len(pairs)}, nil
}

// The reserved target tokens.
const (
	bos = "<s>"
	eos = "</s>"
)

// Translator is the trained model and its vocabularies.
type Translator struct {
	Model          *models.Functional
	Src, Tgt       *text.Vocab
	encEmb, decEmb *layers.TokenAndPositionEmbedding
	encoder        *layers.TransformerEncoder
	gen            *generate.Model
}

// NewTranslator builds the model for the vocabularies.
func NewTranslator(src, tgt *text.Vocab, dim int) (*Translator, error) {
	tr := &Translator{Src: src, Tgt: tgt}
	tr.encEmb = &layers.TokenAndPositionEmbedding{Name: "source_embedding", VocabularySize: src.Size(), SequenceLength: srcLen, EmbeddingDim: dim, MaskZero: true}
	tr.encoder = &layers.TransformerEncoder{Name: "encoder", IntermediateDim: 2 * dim, NumHeads: 4, Dropout: 0.1}
	tr.decEmb = &layers.TokenAndPositionEmbedding{Name: "target_embedding", VocabularySize: tgt.Size(), SequenceLength: tgtLen, EmbeddingDim: dim, MaskZero: true}
	dec := &layers.TransformerDecoder{Name: "decoder", IntermediateDim: 2 * dim, NumHeads: 4, Dropout: 0.1}
	head := &layers.Dense{Name: "logits", Units: tgt.Size()}
	s := models.Input("source", srcLen)
	d := models.Input("decoder_in", tgtLen)
	next := models.Input("next", tgtLen)
	e := models.Apply(tr.encoder, models.Apply(tr.encEmb, s))
	h := models.Merge(dec, models.Apply(tr.decEmb, d), e)
	logits := models.Apply(&layers.TimeDistributed{Name: "head", Layer: head}, h)
	nll := models.Merge(&layers.TokenNLL{Name: "nll"}, logits, next)
	m, err := models.NewFunctional([]*models.Node{s, d, next}, []*models.Node{nll})
	if err != nil {
		return nil, err
	}
	tr.Model = m
	tr.gen = &generate.Model{Embedding: tr.decEmb, Blocks: []*layers.TransformerDecoder{dec}, Head: head}
	return tr, nil
}

func ids(v *text.Vocab, words []string, n int) []float32 {
	out := make([]float32, n)
	for i, id := range v.Encode(words, n) {
		out[i] = float32(id)
	}
	return out
}

// tensors encodes pairs: the sources, the decoder inputs (<s> target) and
// the next words (target </s>).
func (tr *Translator) tensors(pairs []text.Pair) (src, in, next *tensor.Dense) {
	var s, d, n []float32
	for _, p := range pairs {
		t := text.Words(p.Target)
		s = append(s, ids(tr.Src, text.Words(p.Source), srcLen)...)
		d = append(d, ids(tr.Tgt, append([]string{bos}, t...), tgtLen)...)
		n = append(n, ids(tr.Tgt, append(t, eos), tgtLen)...)
	}
	mk := func(v []float32, l int) *tensor.Dense {
		return tensor.New(tensor.WithShape(len(pairs), l), tensor.WithBacking(v))
	}
	return mk(s, srcLen), mk(d, tgtLen), mk(n, tgtLen)
}

// encode runs the encoder on one source: its output [1, srcLen, dim] and
// its padding mask [1, srcLen].
func (tr *Translator) encode(source string) (out, mask *tensor.Dense, err error) {
	x := ids(tr.Src, text.Words(source), srcLen)
	m := make([]float32, srcLen)
	for i, v := range x {
		if v != 0 {
			m[i] = 1
		}
	}
	c := layers.NewCall(tensor.Float32, 1, false)
	c.NoLosses = true
	xn := gorgonia.NewTensor(c.Graph, tensor.Float32, 2, gorgonia.WithShape(1, srcLen), gorgonia.WithName("source"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, srcLen), tensor.WithBacking(x))))
	h, err := tr.encEmb.Forward(c, xn)
	if err != nil {
		return nil, nil, err
	}
	if h, err = tr.encoder.Forward(c, h); err != nil {
		return nil, nil, err
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, nil, err
	}
	out = h.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	return out, tensor.New(tensor.WithShape(1, srcLen), tensor.WithBacking(m)), nil
}

// Translate translates one English message, greedily.
func (tr *Translator) Translate(ctx context.Context, source string) (string, error) {
	enc, mask, err := tr.encode(source)
	if err != nil {
		return "", err
	}
	out, err := tr.gen.Generate(ctx, []int{tr.Tgt.ID(bos)}, generate.Greedy{},
		generate.Config{MaxTokens: tgtLen - 1, Stop: []int{tr.Tgt.ID(eos)}, Encoder: enc, EncoderMask: mask})
	if err != nil {
		return "", err
	}
	// Words the vocabulary does not hold (names, identifiers, numbers)
	// come out as <unk>: each is replaced by the next source word the
	// target vocabulary does not hold, in order (unknown-word replacement).
	var rare []string
	for _, w := range text.Words(source) {
		if tr.Tgt.ID(w) == text.Unknown {
			rare = append(rare, w)
		}
	}
	var words []string
	for _, id := range out {
		if id == tr.Tgt.ID(eos) {
			break
		}
		w := tr.Tgt.Token(id)
		if id == text.Unknown {
			if len(rare) == 0 {
				continue
			}
			w, rare = rare[0], rare[1:]
		}
		words = append(words, w)
	}
	return text.Detokenize(words), nil
}

// Scores are BLEU and chrF of a system on the test pairs.
type Scores struct{ BLEU, ChrF float64 }

func score(hyps []string, test []text.Pair) (Scores, error) {
	refs := make([]string, len(test))
	for i, p := range test {
		refs[i] = p.Target
	}
	b, err := metrics.BLEU(hyps, [][]string{refs})
	if err != nil {
		return Scores{}, err
	}
	c, err := metrics.ChrF(hyps, [][]string{refs})
	return Scores{b.Score, c}, err
}

// Result is what Run reports.
type Result struct {
	Data         *Data
	Losses       []float64
	Model, Copy  Scores
	Examples     [][3]string // source, reference, translation
	SrcV, TgtV   int
	Translations []string
}

// Run trains and scores.
func Run(ctx context.Context, cfg Config, progress func(epoch int, loss float64)) (*Result, error) {
	cfg = cfg.withDefaults()
	data, err := Load(cfg)
	if err != nil {
		return nil, err
	}
	var srcDocs, tgtDocs [][]string
	for _, p := range data.Train {
		srcDocs = append(srcDocs, text.Words(p.Source))
		tgtDocs = append(tgtDocs, text.Words(p.Target))
	}
	tr, err := NewTranslator(text.NewVocab(srcDocs, 6000, 2), text.NewVocab(tgtDocs, 6000, 2, bos, eos), cfg.Dim)
	if err != nil {
		return nil, err
	}
	if err := tr.Model.Compile(models.Config{Loss: losses.MeanAbsoluteError{}, Optimizer: optimizers.Adam{LearningRate: 0.001}, Seed: cfg.Seed}); err != nil {
		return nil, err
	}
	src, in, next := tr.tensors(data.Train)
	zeros := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(len(data.Train), tgtLen))
	res := &Result{Data: data, SrcV: tr.Src.Size(), TgtV: tr.Tgt.Size()}
	for e := 0; e < cfg.Epochs; e++ {
		h, err := tr.Model.Fit(ctx, []*tensor.Dense{src, in, next}, []*tensor.Dense{zeros}, trainer.FitConfig{Epochs: 1, BatchSize: 32, Seed: cfg.Seed + int64(e), Silent: true})
		if err != nil {
			return nil, err
		}
		loss, _ := h.Last("loss")
		res.Losses = append(res.Losses, loss)
		if progress != nil {
			progress(e+1, loss)
		}
	}
	copies := make([]string, len(data.Test))
	for i, p := range data.Test {
		copies[i] = p.Source
		t, err := tr.Translate(ctx, p.Source)
		if err != nil {
			return nil, err
		}
		res.Translations = append(res.Translations, t)
		if i < 12 {
			res.Examples = append(res.Examples, [3]string{p.Source, p.Target, t})
		}
	}
	if res.Model, err = score(res.Translations, data.Test); err != nil {
		return nil, err
	}
	if res.Copy, err = score(copies, data.Test); err != nil {
		return nil, err
	}
	return res, nil
}

func main() {
	var cfg Config
	flag.StringVar(&cfg.Dir, "dir", "", "the Spanish .mo catalogs (default "+CatalogDir+")")
	flag.IntVar(&cfg.Pairs, "pairs", 0, "most pairs used (default 8000)")
	flag.IntVar(&cfg.Epochs, "epochs", 0, "epochs (default 5)")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Run(ctx, cfg, func(e int, loss float64) { fmt.Printf("epoch %d: training loss %.3f\n", e, loss) })
	if err != nil {
		log.Fatal(err)
	}
	d := res.Data
	fmt.Printf("\n%d catalogs, %d messages; %d training and %d test pairs; vocabularies of %d English and %d Spanish words\n\n",
		d.Files, d.Read, len(d.Train), len(d.Test), res.SrcV, res.TgtV)
	fmt.Println("| system | BLEU | chrF |")
	fmt.Println("|---|---|---|")
	fmt.Printf("| copy the source | %.2f | %.2f |\n", res.Copy.BLEU, res.Copy.ChrF)
	fmt.Printf("| Transformer | %.2f | %.2f |\n\n", res.Model.BLEU, res.Model.ChrF)
	for _, ex := range res.Examples {
		fmt.Printf("en:  %s\nref: %s\nout: %s\n\n", ex[0], ex[1], ex[2])
	}
}
