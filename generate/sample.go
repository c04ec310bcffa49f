package generate

import (
	"context"
	"math"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Sampler picks the next token from logits, drawing from rng when it
// samples; keras-hub's samplers.
type Sampler interface {
	Sample(logits []float64, rng *rand.Rand) int
}

// Greedy picks the most likely token (the first of equals).
type Greedy struct{}

// Sample returns the argmax of logits.
func (Greedy) Sample(logits []float64, _ *rand.Rand) int {
	best := 0
	for i, v := range logits {
		if v > logits[best] {
			best = i
		}
	}
	return best
}

// Random samples from softmax(logits/Temperature).
type Random struct {
	// Temperature divides the logits; zero means 1. Lower is more
	// conservative, higher more varied.
	Temperature float64
}

// Sample draws a token.
func (s Random) Sample(logits []float64, rng *rand.Rand) int {
	return draw(probabilities(logits, s.Temperature, nil), rng)
}

// TopK samples from the K most likely tokens, softmax(logits/Temperature)
// renormalized over them.
type TopK struct {
	// K is how many tokens are kept; zero means 5, as keras-hub.
	K int
	// Temperature is as Random's; zero means 1.
	Temperature float64
}

// Sample draws a token.
func (s TopK) Sample(logits []float64, rng *rand.Rand) int {
	k := s.K
	if k <= 0 {
		k = 5
	}
	order := ranked(logits)
	if k < len(order) {
		order = order[:k]
	}
	return draw(probabilities(logits, s.Temperature, order), rng)
}

// TopP samples from the smallest set of most likely tokens whose
// probability reaches P (nucleus sampling).
type TopP struct {
	// P is the probability mass kept, in (0, 1]; zero means 0.9.
	P float64
	// Temperature is as Random's; zero means 1.
	Temperature float64
}

// Sample draws a token.
func (s TopP) Sample(logits []float64, rng *rand.Rand) int {
	p := s.P
	if p <= 0 || p > 1 {
		p = 0.9
	}
	order := ranked(logits)
	probs := probabilities(logits, s.Temperature, nil)
	var mass float64
	n := 0
	for n < len(order) {
		mass += probs[order[n]]
		n++
		if mass >= p {
			break
		}
	}
	return draw(probabilities(logits, s.Temperature, order[:n]), rng)
}

// ranked returns the token ids by decreasing logit.
func ranked(logits []float64) []int {
	order := make([]int, len(logits))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return logits[order[a]] > logits[order[b]] })
	return order
}

// probabilities is softmax(logits/temperature) over keep (every token
// when nil), 0 elsewhere.
func probabilities(logits []float64, temperature float64, keep []int) []float64 {
	if temperature <= 0 {
		temperature = 1
	}
	if keep == nil {
		keep = make([]int, len(logits))
		for i := range keep {
			keep[i] = i
		}
	}
	mx := math.Inf(-1)
	for _, i := range keep {
		mx = math.Max(mx, logits[i]/temperature)
	}
	p := make([]float64, len(logits))
	var sum float64
	for _, i := range keep {
		p[i] = math.Exp(logits[i]/temperature - mx)
		sum += p[i]
	}
	for _, i := range keep {
		p[i] /= sum
	}
	return p
}

// draw picks index i with probability p[i].
func draw(p []float64, rng *rand.Rand) int {
	u := rng.Float64()
	last := 0
	for i, v := range p {
		if v == 0 {
			continue
		}
		last = i
		if u < v {
			return i
		}
		u -= v
	}
	return last
}

// Config says how many tokens to generate and when to stop.
type Config struct {
	// MaxTokens is the most new tokens; it must be > 0.
	MaxTokens int
	// Stop ends a sequence when generated; nil means none.
	Stop []int
	// Seed seeds the sampler's draws.
	Seed int64
	// Encoder is the encoder's output, [1, S, dim], for one source, for a
	// model whose blocks cross-attend; nil for a decoder-only model.
	Encoder *tensor.Dense
	// EncoderMask is the source's padding mask, [1, S] (1 for tokens, 0
	// for padding); nil means no padding.
	EncoderMask *tensor.Dense
}

func (cfg Config) stops(id int) bool {
	for _, s := range cfg.Stop {
		if s == id {
			return true
		}
	}
	return false
}

// Generate continues prompt (at least one token) by up to cfg.MaxTokens
// tokens, each picked by sampler from the logits of one cached step, and
// returns the new tokens (ending with a stop token when one came). The
// prompt takes one step per token too.
func (m *Model) Generate(ctx context.Context, prompt []int, sampler Sampler, cfg Config) ([]int, error) {
	if len(prompt) == 0 {
		return nil, errors.New("generate: empty prompt")
	}
	if cfg.MaxTokens <= 0 {
		return nil, errors.Errorf("generate: max tokens must be > 0, got %d", cfg.MaxTokens)
	}
	if sampler == nil {
		sampler = Greedy{}
	}
	steps := min(len(prompt)+cfg.MaxTokens-1, m.Embedding.SequenceLength)
	s, err := m.NewSession(1, steps, cfg.Encoder, cfg.EncoderMask)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rng := rand.New(rand.NewSource(cfg.Seed))
	return s.continueFrom(ctx, prompt, sampler, rng, cfg)
}

// continueFrom feeds prompt to a fresh session of batch 1 and samples.
func (s *Session) continueFrom(ctx context.Context, prompt []int, sampler Sampler, rng *rand.Rand, cfg Config) ([]int, error) {
	var logits [][]float64
	var err error
	for _, id := range prompt {
		if logits, err = s.Step([]int{id}); err != nil {
			return nil, err
		}
	}
	var out []int
	for len(out) < cfg.MaxTokens {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		next := sampler.Sample(logits[0], rng)
		out = append(out, next)
		if cfg.stops(next) || len(out) == cfg.MaxTokens || s.pos >= s.maxSteps {
			break
		}
		if logits, err = s.Step([]int{next}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// BeamSearch continues prompt with the beams most likely continuations,
// keeping at each step the beams best of beams·vocabulary extensions by
// total log-probability, and returns the best, whose length is at most
// cfg.MaxTokens (a beam ends at a stop token). It is deterministic.
func (m *Model) BeamSearch(ctx context.Context, prompt []int, beams int, cfg Config) ([]int, error) {
	if len(prompt) == 0 {
		return nil, errors.New("generate: empty prompt")
	}
	if beams <= 0 || cfg.MaxTokens <= 0 {
		return nil, errors.Errorf("generate: beams and max tokens must be > 0, got %d and %d", beams, cfg.MaxTokens)
	}
	steps := min(len(prompt)+cfg.MaxTokens-1, m.Embedding.SequenceLength)
	s, err := m.NewSession(beams, steps, repeatBatch(cfg.Encoder, beams), repeatBatch(cfg.EncoderMask, beams))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	type beam struct {
		tokens []int
		score  float64
		done   bool
	}
	ids := make([]int, beams)
	var logits [][]float64
	for _, id := range prompt {
		for i := range ids {
			ids[i] = id
		}
		if logits, err = s.Step(ids); err != nil {
			return nil, err
		}
	}
	live := []beam{{}} // at first, one beam (every row of the batch is alike)
	for step := 0; step < cfg.MaxTokens; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		type cand struct {
			parent, token int
			score         float64
		}
		var cands []cand
		var next []beam
		var rows []int // the batch row each beam of next continues from
		for b, bm := range live {
			if bm.done {
				next, rows = append(next, bm), append(rows, b)
				continue
			}
			lp := logSoftmax(logits[b])
			for tok, v := range lp {
				cands = append(cands, cand{b, tok, bm.score + v})
			}
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
		for _, c := range cands {
			if len(next) >= beams {
				break
			}
			t := append(append([]int(nil), live[c.parent].tokens...), c.token)
			next = append(next, beam{tokens: t, score: c.score, done: cfg.stops(c.token) || len(t) == cfg.MaxTokens})
			rows = append(rows, c.parent)
		}
		live = next
		allDone := true
		for _, bm := range live {
			allDone = allDone && bm.done
		}
		if allDone || s.pos >= s.maxSteps {
			break
		}
		// Row i of the batch continues from its parent's cache; finished
		// beams and unused rows take a step whose logits are ignored.
		for len(rows) < beams {
			rows = append(rows, 0)
		}
		for i := range ids {
			ids[i] = 0
			if i < len(live) && !live[i].done {
				ids[i] = live[i].tokens[len(live[i].tokens)-1]
			}
		}
		if err := s.Reorder(rows); err != nil {
			return nil, err
		}
		if logits, err = s.Step(ids); err != nil {
			return nil, err
		}
	}
	best := live[0]
	for _, bm := range live[1:] {
		if bm.score > best.score {
			best = bm
		}
	}
	return best.tokens, nil
}

func logSoftmax(x []float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	var sum float64
	for _, v := range x {
		sum += math.Exp(v - mx)
	}
	ls := mx + math.Log(sum)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v - ls
	}
	return out
}

// repeatBatch returns t, [1, ...], repeated n times along the batch; nil
// for nil.
func repeatBatch(t *tensor.Dense, n int) *tensor.Dense {
	if t == nil {
		return nil
	}
	shape := t.Shape().Clone()
	size := shape.TotalSize()
	shape[0] *= n
	out := tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(shape...))
	switch d := out.Data().(type) {
	case []float32:
		for i := 0; i < n; i++ {
			copy(d[i*size:], t.Data().([]float32))
		}
	case []float64:
		for i := 0; i < n; i++ {
			copy(d[i*size:], t.Data().([]float64))
		}
	}
	return out
}
