// Package generate runs a Transformer decoder one token at a time, with
// the keys and values of earlier tokens cached, and picks the tokens:
// greedily, by sampling (temperature, top-k, top-p) or by beam search, all
// from a seeded source. n new tokens cost n steps of one token each, not a
// recomputation of the whole prefix per token.
//
// A Model names the layers of a trained model: the same layer values that
// a functional model was built and trained with, so their weights are
// shared (weights live outside graphs).
package generate

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
	"github.com/profundo/profundo/layers"
)

// Model is a decoder seen one token at a time: Embedding, then Blocks,
// then Head on the last block's output, [batch, dim] -> [batch, vocab]
// (a Dense; with a softmax activation, its logits are used). The layers
// must have been built (by the model that trained them).
type Model struct {
	Embedding *layers.TokenAndPositionEmbedding
	Blocks    []*layers.TransformerDecoder
	Head      layers.Layer
	// DType is the dtype the layers were built with; zero means float32.
	DType tensor.Dtype
}

// Session is a compiled step of a Model for a batch of sequences (the
// samples, or the beams) of up to MaxSteps tokens, and the caches it
// keeps between steps.
type Session struct {
	model    *Model
	batch    int
	maxSteps int
	pos      int

	call   *layers.Call
	vm     gorgonia.VM
	ids    *tensor.Dense
	posT   *tensor.Dense
	mask   *tensor.Dense
	caches []*layers.KVCache
	keys   []*tensor.Dense // the tensors of the caches' Keys and Values
	values []*tensor.Dense
	logits *gorgonia.Node
	vocab  int
}

// newScalar returns a scalar input node of the graph's dtype and its
// value.
func newScalar(g *gorgonia.ExprGraph, dt tensor.Dtype, name string) (*gorgonia.Node, *tensor.Dense) {
	t := tensor.New(tensor.Of(dt), tensor.WithShape())
	return gorgonia.NewScalar(g, dt, gorgonia.WithName(name), gorgonia.WithValue(t)), t
}

func newInput(g *gorgonia.ExprGraph, dt tensor.Dtype, name string, shape ...int) (*gorgonia.Node, *tensor.Dense) {
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	return gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(t)), t
}

// NewSession compiles the step graph for batch sequences of up to
// maxSteps tokens (at most the embedding's SequenceLength). encoder,
// [batch, S, dim], is the encoder's output for a model whose blocks
// cross-attend (nil otherwise), and encoderMask, [batch, S] or nil, its
// padding mask (1 for tokens, 0 for padding).
func (m *Model) NewSession(batch, maxSteps int, encoder, encoderMask *tensor.Dense) (*Session, error) {
	if m.Embedding == nil || m.Head == nil || len(m.Blocks) == 0 {
		return nil, errors.New("generate: the model needs an embedding, blocks and a head")
	}
	if m.Embedding.Weights() == nil {
		return nil, errors.New("generate: the model's layers are not built")
	}
	if batch <= 0 || maxSteps <= 0 || maxSteps > m.Embedding.SequenceLength {
		return nil, errors.Errorf("generate: batch %d and steps %d must be > 0, steps at most the embedding's sequence length %d", batch, maxSteps, m.Embedding.SequenceLength)
	}
	dt := m.DType
	if dt == (tensor.Dtype{}) {
		dt = tensor.Float32
	}
	s := &Session{model: m, batch: batch, maxSteps: maxSteps}
	c := layers.NewCall(dt, batch, false)
	c.NoLosses = true
	s.call = c
	g := c.Graph
	var idsN, posN, maskN, encN *gorgonia.Node
	idsN, s.ids = newInput(g, dt, "generate/ids", batch, 1)
	posN, s.posT = newScalar(g, dt, "generate/position")
	maskN, s.mask = newInput(g, dt, "generate/mask", batch, maxSteps)
	if encoder != nil {
		es := encoder.Shape()
		if len(es) != 3 || es[0] != batch || encoder.Dtype() != dt {
			return nil, errors.Errorf("generate: encoder output %v %v, want [%d, steps, dim] %v", es, encoder.Dtype(), batch, dt)
		}
		encN = gorgonia.NewTensor(g, dt, 3, gorgonia.WithShape(es...), gorgonia.WithName("generate/encoder"), gorgonia.WithValue(encoder.Clone().(*tensor.Dense)))
		if encoderMask != nil {
			if !encoderMask.Shape().Eq(tensor.Shape{batch, es[1]}) || encoderMask.Dtype() != dt {
				return nil, errors.Errorf("generate: encoder mask %v, want [%d, %d]", encoderMask.Shape(), batch, es[1])
			}
			em := gorgonia.NewTensor(g, dt, 2, gorgonia.WithShape(batch, es[1]), gorgonia.WithName("generate/encoder_mask"), gorgonia.WithValue(encoderMask.Clone().(*tensor.Dense)))
			if err := c.SetMask(encN, em); err != nil {
				return nil, errors.Wrap(err, "generate")
			}
		}
	}
	x, err := m.Embedding.ForwardAt(c, idsN, posN)
	if err != nil {
		return nil, errors.Wrap(err, "generate")
	}
	for i, blk := range m.Blocks {
		ks, vs := blk.CacheShapes(batch, maxSteps)
		cache := &layers.KVCache{Position: posN, Mask: maskN}
		var kt, vt *tensor.Dense
		cache.Keys, kt = newInput(g, dt, blk.Name+"/cached_keys", ks...)
		cache.Values, vt = newInput(g, dt, blk.Name+"/cached_values", vs...)
		if x, err = blk.ForwardCached(c, x, encN, cache); err != nil {
			return nil, errors.Wrapf(err, "generate: block %d", i)
		}
		s.caches = append(s.caches, cache)
		s.keys, s.values = append(s.keys, kt), append(s.values, vt)
	}
	dim := x.Shape()[2]
	flat, err := ops.CopyReshape(x, tensor.Shape{batch, dim})
	if err != nil {
		return nil, errors.Wrap(err, "generate")
	}
	out, err := m.Head.Forward(c, flat)
	if err != nil {
		return nil, errors.Wrap(err, "generate: head")
	}
	if l, ok := c.LogitsOf(out); ok {
		out = l.Node
	}
	if os := out.Shape(); len(os) != 2 || os[0] != batch {
		return nil, errors.Errorf("generate: the head's output is %v, want [%d, vocabulary]", os, batch)
	}
	s.logits, s.vocab = out, out.Shape()[1]
	s.vm = gorgonia.NewTapeMachine(g)
	return s, nil
}

// Close frees the session's machine.
func (s *Session) Close() error { return s.vm.Close() }

// Position is the number of tokens the session has taken.
func (s *Session) Position() int { return s.pos }

// Vocabulary is the size of the logits.
func (s *Session) Vocabulary() int { return s.vocab }

func setAll(t *tensor.Dense, f func(i int) float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(f(i))
		}
	case []float64:
		for i := range d {
			d[i] = f(i)
		}
	}
}

func toFloats(v gorgonia.Value, rows, cols int) [][]float64 {
	out := make([][]float64, rows)
	for r := range out {
		out[r] = make([]float64, cols)
	}
	switch d := v.Data().(type) {
	case []float32:
		for i, x := range d {
			out[i/cols][i%cols] = float64(x)
		}
	case []float64:
		for i, x := range d {
			out[i/cols][i%cols] = x
		}
	}
	return out
}

// Step feeds one token per sequence, ids[i] for sequence i, at the next
// position, and returns the logits of the token after it, [batch][vocab].
func (s *Session) Step(ids []int) ([][]float64, error) {
	if len(ids) != s.batch {
		return nil, errors.Errorf("generate: %d ids for a batch of %d", len(ids), s.batch)
	}
	if s.pos >= s.maxSteps {
		return nil, errors.Errorf("generate: the session holds %d steps, all taken", s.maxSteps)
	}
	vocab := s.model.Embedding.VocabularySize
	for i, id := range ids {
		if id < 0 || id >= vocab {
			return nil, errors.Errorf("generate: id %d of sequence %d is outside the vocabulary of %d", id, i, vocab)
		}
	}
	setAll(s.ids, func(i int) float64 { return float64(ids[i]) })
	if s.posT.Dtype() == tensor.Float32 {
		s.posT.Set(0, float32(s.pos))
	} else {
		s.posT.Set(0, float64(s.pos))
	}
	setAll(s.mask, func(i int) float64 {
		if i%s.maxSteps <= s.pos {
			return 1
		}
		return 0
	})
	if err := s.vm.RunAll(); err != nil {
		s.vm.Reset()
		return nil, errors.Wrap(err, "generate: step")
	}
	logits := toFloats(s.logits.Value(), s.batch, s.vocab)
	for i, cache := range s.caches {
		if err := copyValue(s.keys[i], cache.NewKeys.Value()); err != nil {
			return nil, err
		}
		if err := copyValue(s.values[i], cache.NewValues.Value()); err != nil {
			return nil, err
		}
	}
	s.vm.Reset()
	s.pos++
	return logits, nil
}

// copyValue makes dst hold v: nothing to do when the step wrote into dst
// in place (ops.CacheWrite does).
func copyValue(dst *tensor.Dense, v gorgonia.Value) error {
	src, ok := v.(*tensor.Dense)
	if !ok {
		return errors.Errorf("generate: cache value is %T", v)
	}
	if src == dst {
		return nil
	}
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src.Data().([]float32))
	case []float64:
		copy(d, src.Data().([]float64))
	}
	return nil
}

// Reorder makes sequence i continue from sequence parents[i]'s cache, as
// beam search does when it keeps the best continuations.
func (s *Session) Reorder(parents []int) error {
	if len(parents) != s.batch {
		return errors.Errorf("generate: %d parents for a batch of %d", len(parents), s.batch)
	}
	for _, p := range parents {
		if p < 0 || p >= s.batch {
			return errors.Errorf("generate: parent %d outside the batch of %d", p, s.batch)
		}
	}
	for _, ts := range [][]*tensor.Dense{s.keys, s.values} {
		for _, t := range ts {
			reorderRows(t, parents)
		}
	}
	return nil
}

func reorderRows(t *tensor.Dense, parents []int) {
	n := t.Shape().TotalSize() / len(parents)
	switch d := t.Data().(type) {
	case []float32:
		old := append([]float32(nil), d...)
		for i, p := range parents {
			copy(d[i*n:(i+1)*n], old[p*n:(p+1)*n])
		}
	case []float64:
		old := append([]float64(nil), d...)
		for i, p := range parents {
			copy(d[i*n:(i+1)*n], old[p*n:(p+1)*n])
		}
	}
}
