package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// MultiHeadAttention is Keras's MultiHeadAttention over sequences: the
// query [batch, Tq, dq], the value [batch, Tv, dv] and the key [batch, Tv,
// dk] (the value when absent) are projected to NumHeads heads of KeyDim
// (query, key) and ValueDim (value) features, each head attends with
// softmax(QKᵀ/√KeyDim + mask)·V, and the heads are projected together to
// [batch, Tq, OutputShape].
//
// It is a merge layer (models.Merge) whose inputs are (x), self-attention,
// (query, value), (query, value, key), and, with AttentionMaskInput, a
// last input [batch, Tq, Tv] of 1 where query i may attend to key j and 0
// where not (Keras's attention_mask).
//
// Masks as Keras's: the padding mask of the value (and of the key) masks
// keys, the query's masks queries, UseCausalMask masks the keys after each
// query, and the output carries the query's mask. The weights are Keras's,
// named query/kernel [dq, NumHeads·KeyDim], query/bias, key/kernel,
// key/bias, value/kernel [dv, NumHeads·ValueDim], value/bias,
// attention_output/kernel [NumHeads·ValueDim, OutputShape] and
// attention_output/bias (Keras's kernels [d, heads, dim] flattened, the
// same values in the same order). The attention itself is one op
// (ops.Attention) forward and one backward.
type MultiHeadAttention struct {
	// Name is the layer's name; empty means the model names it
	// multi_head_attention, multi_head_attention_1...
	Name string `json:"name,omitempty"`
	// NumHeads is the number of heads; it must be > 0.
	NumHeads int `json:"num_heads"`
	// KeyDim is the size of each head for the query and the key; it must
	// be > 0.
	KeyDim int `json:"key_dim"`
	// ValueDim is the size of each head for the value; zero means KeyDim.
	ValueDim int `json:"value_dim,omitempty"`
	// Dropout is the rate at which attention probabilities are dropped in
	// training, in [0, 1); zero drops nothing.
	Dropout float64 `json:"dropout,omitempty"`
	// NoBias leaves out the biases (Keras's use_bias=False); false means
	// biases.
	NoBias bool `json:"no_bias,omitempty"`
	// OutputShape is the size of the output's last dimension; zero means
	// the query's.
	OutputShape int `json:"output_shape,omitempty"`
	// AttentionAxes are the axes attention runs over; nil means the steps
	// (axis 1 of [batch, steps, features]), the only ones supported.
	AttentionAxes []int `json:"attention_axes,omitempty"`
	// UseCausalMask masks the keys after each query, as a decoder does;
	// false masks nothing beyond the padding masks.
	UseCausalMask bool `json:"use_causal_mask,omitempty"`
	// AttentionMaskInput makes the last input the attention mask; false
	// means there is none.
	AttentionMaskInput bool `json:"attention_mask_input,omitempty"`
	// ReturnAttentionScores makes the output the attention probabilities,
	// [batch, NumHeads, Tq, Tv], instead of the attended values (Keras
	// returns both; a second application of the same layer, which shares
	// its weights, gives the other); false means the attended values.
	ReturnAttentionScores bool `json:"return_attention_scores,omitempty"`
	// KernelInitializer fills the kernels; nil means GlorotUniform.
	KernelInitializer Initializer `json:"-"`

	query, key, value, output seqDense
	inputs                    int // how many inputs it was built for
	tq, tv                    int
}

var _ Merger = (*MultiHeadAttention)(nil)

// Kind is "multi_head_attention".
func (l *MultiHeadAttention) Kind() string { return "multi_head_attention" }

// LayerName is the layer's name.
func (l *MultiHeadAttention) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *MultiHeadAttention) SetLayerName(name string) { l.Name = name }

func (l *MultiHeadAttention) valueDim() int {
	if l.ValueDim == 0 {
		return l.KeyDim
	}
	return l.ValueDim
}

// BuildMerge builds attention of in[0], the query (Tq, dq), over in[1],
// the value (Tv, dv), with in[2] the key (Tv, dk) when given, and the
// attention mask (Tq, Tv) last with AttentionMaskInput; one input is
// self-attention.
func (l *MultiHeadAttention) BuildMerge(b *Builder, in []Shape) (Shape, error) {
	n := len(in)
	shapes := append([]Shape(nil), in...)
	if l.AttentionMaskInput {
		if n < 2 || n > 4 {
			return nil, errors.Errorf("multi_head_attention %q: with an attention mask input, want (query[, value[, key]], mask), got %d inputs", l.Name, n)
		}
		m := shapes[n-1]
		shapes = shapes[:n-1]
		tv := in[0][0]
		if n > 2 {
			tv = in[1][0]
		}
		if len(m) != 2 || m[0] != in[0][0] || m[1] != tv {
			return nil, errors.Errorf("multi_head_attention %q: attention mask %v, want (%d, %d)", l.Name, m, in[0][0], tv)
		}
	} else if n < 1 || n > 3 {
		return nil, errors.Errorf("multi_head_attention %q: want (x), (query, value) or (query, value, key), got %d inputs", l.Name, n)
	}
	if len(shapes) == 1 {
		shapes = append(shapes, shapes[0])
	}
	if len(shapes) == 2 {
		shapes = append(shapes, shapes[1])
	}
	return l.build(b, shapes, n)
}

func (l *MultiHeadAttention) build(b *Builder, in []Shape, inputs int) (Shape, error) {
	name := l.Name
	if l.NumHeads <= 0 || l.KeyDim <= 0 {
		return nil, errors.Errorf("multi_head_attention %q: num_heads and key_dim must be > 0, got %d and %d", name, l.NumHeads, l.KeyDim)
	}
	if l.ValueDim < 0 || l.OutputShape < 0 {
		return nil, errors.Errorf("multi_head_attention %q: value_dim and output_shape must be >= 0, got %d and %d", name, l.ValueDim, l.OutputShape)
	}
	if !(l.Dropout >= 0 && l.Dropout < 1) {
		return nil, errors.Errorf("multi_head_attention %q: dropout must be in [0, 1), got %v", name, l.Dropout)
	}
	if !(len(l.AttentionAxes) == 0 || (len(l.AttentionAxes) == 1 && (l.AttentionAxes[0] == 1 || l.AttentionAxes[0] == -2))) {
		return nil, errors.Errorf("multi_head_attention %q: attention_axes %v: only the steps of [batch, steps, features] (axis 1) are supported", name, l.AttentionAxes)
	}
	q, v, k := in[0], in[1], in[2]
	for i, s := range []Shape{q, v, k} {
		if len(s) != 2 {
			return nil, errors.Errorf("multi_head_attention %q: %s has shape %v, want (steps, features)", name, []string{"query", "value", "key"}[i], s)
		}
	}
	if k[0] != v[0] {
		return nil, errors.Errorf("multi_head_attention %q: key %v and value %v have different steps", name, k, v)
	}
	out := l.OutputShape
	if out == 0 {
		out = q[1]
	}
	h, kd, vd := l.NumHeads, l.KeyDim, l.valueDim()
	for _, p := range []struct {
		d       *seqDense
		name    string
		in, out int
	}{
		{&l.query, "query", q[1], h * kd},
		{&l.key, "key", k[1], h * kd},
		{&l.value, "value", v[1], h * vd},
		{&l.output, "attention_output", h * vd, out},
	} {
		if err := p.d.build(b, p.name, p.in, p.out, l.KernelInitializer, l.NoBias); err != nil {
			return nil, errors.Wrapf(err, "multi_head_attention %q", name)
		}
	}
	l.inputs, l.tq, l.tv = inputs, q[0], v[0]
	if l.ReturnAttentionScores {
		return Shape{h, q[0], v[0]}, nil
	}
	return Shape{q[0], out}, nil
}

// ForwardMerge adds the attention of xs[0] over xs[1] (keys xs[2] when
// given; xs[0] over itself when alone), masked by the last input with
// AttentionMaskInput.
func (l *MultiHeadAttention) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	if len(xs) != l.inputs {
		return nil, errors.Errorf("multi_head_attention %q: built for %d inputs, got %d", l.Name, l.inputs, len(xs))
	}
	var mask *gorgonia.Node
	if l.AttentionMaskInput {
		mask, xs = xs[len(xs)-1], xs[:len(xs)-1]
	}
	value := xs[0]
	if len(xs) > 1 {
		value = xs[1]
	}
	key := value
	if len(xs) == 3 {
		key = xs[2]
	}
	return l.attend(c, xs[0], value, key, mask)
}

// attend projects query, value and key, attends and projects the heads.
func (l *MultiHeadAttention) attend(c *Call, query, value, key, mask *gorgonia.Node) (*gorgonia.Node, error) {
	out, scores, err := l.Attend(c, query, value, key, mask)
	if err != nil {
		return nil, err
	}
	if l.ReturnAttentionScores {
		return scores, nil
	}
	return out, nil
}

// Attend adds the attention of query over value (and key, the value when
// nil), masked by mask ([batch, Tq, Tv], or nil) beside the padding masks
// of c, and returns the output [batch, Tq, OutputShape] and the attention
// probabilities [batch, NumHeads, Tq, Tv], Keras's
// return_attention_scores. It is for graphs built by hand; a model uses
// ForwardMerge.
func (l *MultiHeadAttention) Attend(c *Call, query, value, key, mask *gorgonia.Node) (out, scores *gorgonia.Node, err error) {
	name := l.Name
	if l.query.kernel == nil {
		return nil, nil, errors.Errorf("multi_head_attention %q: forward before build", name)
	}
	if key == nil {
		key = value
	}
	wrap := func(err error, what string) error {
		return errors.Wrapf(err, "multi_head_attention %q: %s", name, what)
	}
	q, err := l.query.forward(c, query)
	if err != nil {
		return nil, nil, wrap(err, "query")
	}
	k, err := l.key.forward(c, key)
	if err != nil {
		return nil, nil, wrap(err, "key")
	}
	v, err := l.value.forward(c, value)
	if err != nil {
		return nil, nil, wrap(err, "value")
	}
	p := ops.AttentionParams{
		Heads: l.NumHeads, Causal: l.UseCausalMask, Mask: mask,
		Grads: [3]bool{c.NeedsGrad(q), c.NeedsGrad(k), c.NeedsGrad(v)},
	}
	p.QueryMask, _ = c.MaskOf(query)
	if p.KeyMask, err = keyMask(c, value, key); err != nil {
		return nil, nil, wrap(err, "masks")
	}
	batch, tq, tv := query.Shape()[0], query.Shape()[1], value.Shape()[1]
	if c.Training && l.Dropout > 0 {
		keep := 1 - l.Dropout
		p.Dropout = c.NewFeed(name+"/dropout_mask", tensor.Shape{batch, l.NumHeads, tq, tv}, func(rng *rand.Rand, t *tensor.Dense) {
			fillMask(rng, t, keep)
		})
	}
	att, err := ops.Attention(q, k, v, p)
	if err != nil {
		return nil, nil, wrap(err, "attention")
	}
	if scores, err = ops.AttentionScores(att); err != nil {
		return nil, nil, wrap(err, "scores")
	}
	if out, err = l.output.forward(c, att); err != nil {
		return nil, nil, wrap(err, "output")
	}
	if p.QueryMask != nil {
		if err := c.SetMask(out, p.QueryMask); err != nil {
			return nil, nil, wrap(err, "output mask")
		}
	}
	return out, scores, nil
}

// keyMask is the mask of the keys: the value's padding mask, times the
// key's when both have one; nil when neither has.
func keyMask(c *Call, value, key *gorgonia.Node) (*gorgonia.Node, error) {
	vm, vok := c.MaskOf(value)
	km, kok := c.MaskOf(key)
	switch {
	case vok && kok && vm != km:
		return gorgonia.HadamardProd(vm, km)
	case vok:
		return vm, nil
	case kok:
		return km, nil
	}
	return nil, nil
}

// Weights lists the query's, key's, value's and output's kernels and
// biases.
func (l *MultiHeadAttention) Weights() []*Weight {
	var ws []*Weight
	for _, d := range []*seqDense{&l.query, &l.key, &l.value, &l.output} {
		ws = append(ws, d.weights()...)
	}
	return ws
}
