package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// Attention is Keras's Attention layer, dot-product (Luong-style)
// attention without weights: a merge layer on the query [batch, Tq, dim],
// the value [batch, Tv, dv] and optionally the key [batch, Tv, dim] (the
// value when absent), giving softmax(query·keyᵀ)·value, [batch, Tq, dv].
// The value's (and key's) padding mask masks keys, UseCausalMask masks the
// keys after each query, and, as in Keras, the outputs of padded queries
// are zeros and the output carries the query's mask. Keras's use_scale and
// score_mode "concat" are not offered. It runs on the fused attention op
// (one head, scale 1).
type Attention struct {
	// Name is the layer's name; empty means the model names it attention,
	// attention_1...
	Name string `json:"name,omitempty"`
	// UseCausalMask masks the keys after each query; false masks only the
	// padding.
	UseCausalMask bool `json:"use_causal_mask,omitempty"`
	// Dropout is the rate at which attention weights are dropped in
	// training, in [0, 1); zero drops nothing.
	Dropout float64 `json:"dropout,omitempty"`

	inputs int
}

var _ Merger = (*Attention)(nil)

// Kind is "attention".
func (l *Attention) Kind() string { return "attention" }

// LayerName is the layer's name.
func (l *Attention) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Attention) SetLayerName(name string) { l.Name = name }

// BuildMerge checks (query, value[, key]) and returns (Tq, dv).
func (l *Attention) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	if len(in) < 2 || len(in) > 3 {
		return nil, errors.Errorf("attention %q: want (query, value) or (query, value, key), got %d inputs", l.Name, len(in))
	}
	q, v := in[0], in[1]
	k := v
	if len(in) == 3 {
		k = in[2]
	}
	if len(q) != 2 || len(v) != 2 || len(k) != 2 {
		return nil, errors.Errorf("attention %q: inputs %v, want (steps, features) each", l.Name, in)
	}
	if k[0] != v[0] || k[1] != q[1] {
		return nil, errors.Errorf("attention %q: query %v, value %v and key %v do not fit (key as long as the value, as wide as the query)", l.Name, q, v, k)
	}
	if !(l.Dropout >= 0 && l.Dropout < 1) {
		return nil, errors.Errorf("attention %q: dropout must be in [0, 1), got %v", l.Name, l.Dropout)
	}
	l.inputs = len(in)
	return Shape{q[0], v[1]}, nil
}

// ForwardMerge adds the attention of xs[0] over xs[1] (keys xs[2] when
// given).
func (l *Attention) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	if l.inputs == 0 || len(xs) != l.inputs {
		return nil, errors.Errorf("attention %q: built for %d inputs, got %d", l.Name, l.inputs, len(xs))
	}
	q, v := xs[0], xs[1]
	k := v
	if len(xs) == 3 {
		k = xs[2]
	}
	p := ops.AttentionParams{Heads: 1, Scale: 1, Causal: l.UseCausalMask,
		Grads: [3]bool{c.NeedsGrad(q), c.NeedsGrad(k), c.NeedsGrad(v)}}
	var err error
	if p.KeyMask, err = keyMask(c, v, k); err != nil {
		return nil, errors.Wrapf(err, "attention %q: masks", l.Name)
	}
	qm, hasQM := c.MaskOf(q)
	if c.Training && l.Dropout > 0 {
		keep := 1 - l.Dropout
		p.Dropout = c.NewFeed(l.Name+"/dropout_mask", tensor.Shape{q.Shape()[0], 1, q.Shape()[1], v.Shape()[1]}, func(rng *rand.Rand, t *tensor.Dense) {
			fillMask(rng, t, keep)
		})
	}
	out, err := ops.Attention(q, k, v, p)
	if err != nil {
		return nil, errors.Wrapf(err, "attention %q", l.Name)
	}
	if hasQM {
		if out, err = gorgonia.BroadcastHadamardProd(out, qm, nil, []byte{2}); err != nil {
			return nil, errors.Wrapf(err, "attention %q: query mask", l.Name)
		}
		if err := c.SetMask(out, qm); err != nil {
			return nil, errors.Wrapf(err, "attention %q", l.Name)
		}
	}
	return out, nil
}

// Weights is empty: the layer has none.
func (l *Attention) Weights() []*Weight { return nil }
