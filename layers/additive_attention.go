package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// AdditiveAttention is Keras's AdditiveAttention layer (Bahdanau-style): a
// merge layer on the query [batch, Tq, dim], the value [batch, Tv, dv] and
// optionally the key [batch, Tv, dim] (the value when absent), giving
// softmax(score)·value, [batch, Tq, dv], with score[i, j] =
// Σ_c scale[c]·tanh(query[i, c] + key[j, c]). The weight "scale" [dim]
// (GlorotUniform) is learned unless NoScale. Masks, the causal mask,
// dropout and padded queries (zeros) are as for Attention. It is one op
// forward and one backward (ops.AdditiveAttention).
type AdditiveAttention struct {
	// Name is the layer's name; empty means the model names it
	// additive_attention, additive_attention_1...
	Name string `json:"name,omitempty"`
	// NoScale leaves out the learned scale (Keras's use_scale=False);
	// false learns it.
	NoScale bool `json:"no_scale,omitempty"`
	// UseCausalMask masks the keys after each query; false masks only the
	// padding.
	UseCausalMask bool `json:"use_causal_mask,omitempty"`
	// Dropout is the rate at which attention weights are dropped in
	// training, in [0, 1); zero drops nothing.
	Dropout float64 `json:"dropout,omitempty"`

	inner Attention
	scale *Weight
}

var _ Merger = (*AdditiveAttention)(nil)

// Kind is "additive_attention".
func (l *AdditiveAttention) Kind() string { return "additive_attention" }

// LayerName is the layer's name.
func (l *AdditiveAttention) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *AdditiveAttention) SetLayerName(name string) { l.Name = name }

// BuildMerge checks (query, value[, key]), creates the scale, and returns
// (Tq, dv).
func (l *AdditiveAttention) BuildMerge(b *Builder, in []Shape) (Shape, error) {
	l.inner = Attention{Name: l.Name, UseCausalMask: l.UseCausalMask, Dropout: l.Dropout}
	out, err := l.inner.BuildMerge(b, in)
	if err != nil {
		return nil, errors.Errorf("additive_attention %q: %s", l.Name, errors.Cause(err).Error())
	}
	l.scale = nil
	if !l.NoScale {
		if l.scale, err = b.NewWeight("scale", []int{in[0][1]}, GlorotUniform{}); err != nil {
			return nil, errors.Wrapf(err, "additive_attention %q", l.Name)
		}
	}
	return out, nil
}

// ForwardMerge adds the attention of xs[0] over xs[1] (keys xs[2] when
// given).
func (l *AdditiveAttention) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	if l.inner.inputs == 0 || len(xs) != l.inner.inputs {
		return nil, errors.Errorf("additive_attention %q: built for %d inputs, got %d", l.Name, l.inner.inputs, len(xs))
	}
	q, v := xs[0], xs[1]
	k := v
	if len(xs) == 3 {
		k = xs[2]
	}
	p := ops.AttentionParams{Causal: l.UseCausalMask, Grads: [3]bool{c.NeedsGrad(q), c.NeedsGrad(k), c.NeedsGrad(v)}}
	var err error
	if p.KeyMask, err = keyMask(c, v, k); err != nil {
		return nil, errors.Wrapf(err, "additive_attention %q: masks", l.Name)
	}
	if c.Training && l.Dropout > 0 {
		keep := 1 - l.Dropout
		p.Dropout = c.NewFeed(l.Name+"/dropout_mask", tensor.Shape{q.Shape()[0], 1, q.Shape()[1], v.Shape()[1]}, func(rng *rand.Rand, t *tensor.Dense) {
			fillMask(rng, t, keep)
		})
	}
	var scale *gorgonia.Node
	if l.scale != nil {
		scale = c.Node(l.scale)
	}
	out, err := ops.AdditiveAttention(q, k, v, scale, p)
	if err != nil {
		return nil, errors.Wrapf(err, "additive_attention %q", l.Name)
	}
	if qm, ok := c.MaskOf(q); ok {
		if out, err = gorgonia.BroadcastHadamardProd(out, qm, nil, []byte{2}); err != nil {
			return nil, errors.Wrapf(err, "additive_attention %q: query mask", l.Name)
		}
		if err := c.SetMask(out, qm); err != nil {
			return nil, errors.Wrapf(err, "additive_attention %q", l.Name)
		}
	}
	return out, nil
}

// Weights returns the scale; nil before Build or with NoScale.
func (l *AdditiveAttention) Weights() []*Weight {
	if l.scale == nil {
		return nil
	}
	return []*Weight{l.scale}
}
