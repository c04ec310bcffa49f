package generate_test

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/generate"
	"github.com/profundo/profundo/internal/ops"
	"github.com/profundo/profundo/layers"
)

const (
	vocab  = 11
	dim    = 8
	maxLen = 16
)

// newModel builds a small decoder (with cross-attention to sequences of
// encDim features when cross) in dt.
func newModel(t testing.TB, dt tensor.Dtype, blocks int, cross bool, encSteps, encDim int) *generate.Model {
	t.Helper()
	rng := rand.New(rand.NewSource(3))
	b := func(name string) *layers.Builder { return &layers.Builder{DType: dt, RNG: rng, Name: name} }
	m := &generate.Model{DType: dt}
	m.Embedding = &layers.TokenAndPositionEmbedding{Name: "emb", VocabularySize: vocab, SequenceLength: maxLen, EmbeddingDim: dim}
	if _, err := m.Embedding.Build(b("emb"), layers.Shape{maxLen}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < blocks; i++ {
		d := &layers.TransformerDecoder{Name: "dec" + string(rune('0'+i)), IntermediateDim: 12, NumHeads: 2, NormalizeFirst: i == 1}
		in := []layers.Shape{{maxLen, dim}}
		if cross {
			in = append(in, layers.Shape{encSteps, encDim})
		}
		if _, err := d.BuildMerge(b(d.Name), in); err != nil {
			t.Fatal(err)
		}
		m.Blocks = append(m.Blocks, d)
	}
	head := &layers.Dense{Name: "head", Units: vocab, Activation: layers.Softmax}
	if _, err := head.Build(b("head"), layers.Shape{dim}); err != nil {
		t.Fatal(err)
	}
	m.Head = head
	return m
}

// fullLogits runs the whole prefix through the model at once (no cache)
// and returns the logits at every position.
func fullLogits(t *testing.T, m *generate.Model, dt tensor.Dtype, ids []int, enc, encMask *tensor.Dense) [][]float64 {
	t.Helper()
	c := layers.NewCall(dt, 1, false)
	vals := make([]float64, len(ids))
	for i, id := range ids {
		vals[i] = float64(id)
	}
	x := gorgonia.NewTensor(c.Graph, dt, 2, gorgonia.WithShape(1, len(ids)), gorgonia.WithName("ids"),
		gorgonia.WithValue(denseOf(dt, vals, 1, len(ids))))
	h, err := m.Embedding.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	var encN *gorgonia.Node
	if enc != nil {
		encN = gorgonia.NewTensor(c.Graph, dt, 3, gorgonia.WithShape(enc.Shape()...), gorgonia.WithName("enc"), gorgonia.WithValue(enc))
		if encMask != nil {
			mn := gorgonia.NewTensor(c.Graph, dt, 2, gorgonia.WithShape(encMask.Shape()...), gorgonia.WithName("enc_mask"), gorgonia.WithValue(encMask))
			if err := c.SetMask(encN, mn); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, blk := range m.Blocks {
		in := []*gorgonia.Node{h}
		if encN != nil {
			in = append(in, encN)
		}
		if h, err = blk.ForwardMerge(c, in); err != nil {
			t.Fatal(err)
		}
	}
	flat, err := ops.CopyReshape(h, tensor.Shape{len(ids), dim})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Head.Forward(c, flat)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := c.LogitsOf(out); ok {
		out = l.Node
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	all := floats(out.Value())
	rows := make([][]float64, len(ids))
	for i := range rows {
		rows[i] = all[i*vocab : (i+1)*vocab]
	}
	return rows
}

func denseOf(dt tensor.Dtype, v []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

func floats(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// A cached step gives the logits the whole prefix gives, at every
// position: the cache is exact, and the blocks are causal.
func TestCachedStepsMatchFullPrefix(t *testing.T) {
	ids := []int{3, 1, 4, 1, 5, 9, 2, 6, 5, 3}
	for _, cross := range []bool{false, true} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			var enc, encMask *tensor.Dense
			if cross {
				rng := rand.New(rand.NewSource(8))
				ev := make([]float64, 5*6)
				for i := range ev {
					ev[i] = rng.NormFloat64()
				}
				enc = denseOf(dt, ev, 1, 5, 6)
				encMask = denseOf(dt, []float64{1, 1, 1, 0, 0}, 1, 5)
			}
			m := newModel(t, dt, 2, cross, 5, 6)
			want := fullLogits(t, m, dt, ids, enc, encMask)
			s, err := m.NewSession(1, len(ids), enc, encMask)
			if err != nil {
				t.Fatal(err)
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			for i, id := range ids {
				got, err := s.Step([]int{id})
				if err != nil {
					t.Fatal(err)
				}
				for j := range got[0] {
					if math.Abs(got[0][j]-want[i][j]) > tol {
						t.Fatalf("cross %v %v: position %d, logit %d: cached %v, full %v", cross, dt, i, j, got[0][j], want[i][j])
					}
				}
			}
			if _, err := s.Step([]int{1}); err == nil {
				t.Error("a step past the session's length succeeded")
			}
			s.Close()
		}
	}
}

func TestSamplers(t *testing.T) {
	logits := []float64{0.5, 2, -1, 1.9, 0}
	rng := rand.New(rand.NewSource(1))
	if got := (generate.Greedy{}).Sample(logits, rng); got != 1 {
		t.Errorf("greedy picked %d, want 1", got)
	}
	if got := (generate.TopK{K: 1}).Sample(logits, rng); got != 1 {
		t.Errorf("top-1 picked %d, want 1", got)
	}
	// Frequencies follow softmax(logits/T) over the kept tokens.
	count := func(s generate.Sampler) []float64 {
		rng := rand.New(rand.NewSource(2))
		f := make([]float64, len(logits))
		const n = 20000
		for i := 0; i < n; i++ {
			f[s.Sample(logits, rng)] += 1.0 / n
		}
		return f
	}
	softmax := func(keep []int, temp float64) []float64 {
		p := make([]float64, len(logits))
		var sum float64
		for _, i := range keep {
			p[i] = math.Exp(logits[i] / temp)
			sum += p[i]
		}
		for i := range p {
			p[i] /= sum
		}
		return p
	}
	for _, tc := range []struct {
		name string
		s    generate.Sampler
		want []float64
	}{
		{"random T=1", generate.Random{}, softmax([]int{0, 1, 2, 3, 4}, 1)},
		{"random T=0.5", generate.Random{Temperature: 0.5}, softmax([]int{0, 1, 2, 3, 4}, 0.5)},
		{"top-2", generate.TopK{K: 2}, softmax([]int{1, 3}, 1)},
		// Probabilities at T=1: 0.42, 0.38, 0.09, ... : 0.42+0.38 >= 0.75.
		{"top-p 0.75", generate.TopP{P: 0.75}, softmax([]int{1, 3}, 1)},
		{"top-p 0.9", generate.TopP{P: 0.9}, softmax([]int{1, 3, 0}, 1)},
	} {
		got := count(tc.s)
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 0.015 {
				t.Errorf("%s: frequencies %.3f, want %.3f", tc.name, got, tc.want)
				break
			}
		}
	}
}

func TestGenerateSeededAndBeams(t *testing.T) {
	m := newModel(t, tensor.Float64, 2, false, 0, 0)
	ctx := context.Background()
	prompt := []int{2, 7}
	cfg := generate.Config{MaxTokens: 8, Seed: 5}
	a, err := m.Generate(ctx, prompt, generate.TopP{P: 0.95, Temperature: 1.5}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Generate(ctx, prompt, generate.TopP{P: 0.95, Temperature: 1.5}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 8 || len(b) != 8 {
		t.Fatalf("%d and %d tokens, want 8", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("one seed gave %v and %v", a, b)
		}
	}
	greedy, err := m.Generate(ctx, prompt, generate.Greedy{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	one, err := m.BeamSearch(ctx, prompt, 1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range greedy {
		if greedy[i] != one[i] {
			t.Fatalf("greedy %v, beam search of 1 beam %v", greedy, one)
		}
	}
	// Four beams find a continuation at least as likely as greedy's.
	four, err := m.BeamSearch(ctx, prompt, 4, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if lg, l4 := logProb(t, m, prompt, greedy), logProb(t, m, prompt, four); l4 < lg-1e-9 {
		t.Errorf("4 beams: log-probability %v < greedy's %v", l4, lg)
	}
	// A stop token ends generation.
	stop := greedy[2]
	short, err := m.Generate(ctx, prompt, generate.Greedy{}, generate.Config{MaxTokens: 8, Stop: []int{stop}})
	if err != nil {
		t.Fatal(err)
	}
	if len(short) > 3 || short[len(short)-1] != stop {
		t.Errorf("with stop %d: %v", stop, short)
	}
}

// logProb is the log-probability the model gives tokens after prompt.
func logProb(t *testing.T, m *generate.Model, prompt, tokens []int) float64 {
	s, err := m.NewSession(1, len(prompt)+len(tokens), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var lp float64
	seq := append(append([]int(nil), prompt...), tokens...)
	for i := 0; i < len(seq)-1; i++ {
		logits, err := s.Step([]int{seq[i]})
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(prompt)-1 {
			mx := math.Inf(-1)
			for _, v := range logits[0] {
				mx = math.Max(mx, v)
			}
			var sum float64
			for _, v := range logits[0] {
				sum += math.Exp(v - mx)
			}
			lp += logits[0][seq[i+1]] - mx - math.Log(sum)
		}
	}
	return lp
}

func TestGenerateErrors(t *testing.T) {
	m := newModel(t, tensor.Float64, 1, false, 0, 0)
	ctx := context.Background()
	if _, err := m.Generate(ctx, nil, nil, generate.Config{MaxTokens: 2}); err == nil {
		t.Error("empty prompt: no error")
	}
	if _, err := m.Generate(ctx, []int{1}, nil, generate.Config{}); err == nil {
		t.Error("no tokens asked: no error")
	}
	if _, err := m.Generate(ctx, []int{vocab}, nil, generate.Config{MaxTokens: 2}); err == nil {
		t.Error("id outside the vocabulary: no error")
	}
	if _, err := m.NewSession(1, maxLen+1, nil, nil); err == nil {
		t.Error("a session longer than the positions: no error")
	}
}
