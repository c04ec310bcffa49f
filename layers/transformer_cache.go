package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// KVCache is what one step of a cached decoder reads and writes for one
// attention layer: the keys and values of the steps before, so that a
// step costs one token's work (plus attention over the cache), not the
// whole prefix's. Keys and Values are inputs of the step's graph,
// [batch, max steps, heads·dim], that the generation loop holds from step
// to step; Position is the step's position, a scalar input; Mask, [batch,
// max steps], is 1 at the positions up to and including Position (and 0
// after, and at padding). ForwardCached sets NewKeys and NewValues, the
// caches with this step written in (ops.CacheWrite writes in place into
// Keys' and Values' tensors, which are then the next step's caches).
type KVCache struct {
	Keys, Values, Position, Mask *gorgonia.Node
	NewKeys, NewValues           *gorgonia.Node
}

// CacheWidth is the last dimension of a MultiHeadAttention's cached keys
// and values: NumHeads·KeyDim and NumHeads·ValueDim.
func (l *MultiHeadAttention) CacheWidth() (keys, values int) {
	return l.NumHeads * l.KeyDim, l.NumHeads * l.valueDim()
}

// ForwardCached is self-attention for one step, x [batch, 1, dim], over
// the cached keys and values and x's own, masked by cache.Mask (the
// causal mask of a step is the cache's). It sets cache.NewKeys and
// cache.NewValues.
func (l *MultiHeadAttention) ForwardCached(c *Call, x *gorgonia.Node, cache *KVCache) (*gorgonia.Node, error) {
	name := l.Name
	if l.query.kernel == nil {
		return nil, errors.Errorf("multi_head_attention %q: forward before build", name)
	}
	if cache == nil || cache.Keys == nil || cache.Values == nil || cache.Position == nil || cache.Mask == nil {
		return nil, errors.Errorf("multi_head_attention %q: cached step without a full cache", name)
	}
	if s := x.Shape(); len(s) != 3 || s[1] != 1 {
		return nil, errors.Errorf("multi_head_attention %q: a cached step takes [batch, 1, features], got %v", name, s)
	}
	wrap := func(err error, what string) error {
		return errors.Wrapf(err, "multi_head_attention %q: cached step: %s", name, what)
	}
	q, err := l.query.forward(c, x)
	if err != nil {
		return nil, wrap(err, "query")
	}
	k, err := l.key.forward(c, x)
	if err != nil {
		return nil, wrap(err, "key")
	}
	v, err := l.value.forward(c, x)
	if err != nil {
		return nil, wrap(err, "value")
	}
	if cache.NewKeys, err = ops.CacheWrite(cache.Keys, k, cache.Position); err != nil {
		return nil, wrap(err, "keys")
	}
	if cache.NewValues, err = ops.CacheWrite(cache.Values, v, cache.Position); err != nil {
		return nil, wrap(err, "values")
	}
	att, err := ops.Attention(q, cache.NewKeys, cache.NewValues, ops.AttentionParams{Heads: l.NumHeads, KeyMask: cache.Mask})
	if err != nil {
		return nil, wrap(err, "attention")
	}
	out, err := l.output.forward(c, att)
	if err != nil {
		return nil, wrap(err, "output")
	}
	return out, nil
}

// CacheShapes returns the shapes of the keys' and the values' caches of
// the decoder's self-attention for batch samples of up to steps tokens.
func (l *TransformerDecoder) CacheShapes(batch, steps int) (keys, values tensor.Shape) {
	k, v := l.self.mha.CacheWidth()
	return tensor.Shape{batch, steps, k}, tensor.Shape{batch, steps, v}
}

// ForwardCached runs the block for one step, x [batch, 1, dim], its
// self-attention over cache (see KVCache), its cross-attention (when
// built with an encoder sequence) over encoder, [batch, S, encoder dim],
// whose padding mask c may hold. Dropout is off: generation does not
// train.
func (l *TransformerDecoder) ForwardCached(c *Call, x, encoder *gorgonia.Node, cache *KVCache) (*gorgonia.Node, error) {
	if l.self.mha.query.kernel == nil {
		return nil, errors.Errorf("transformer_decoder %q: forward before build", l.Name)
	}
	if l.hasCross != (encoder != nil) {
		return nil, errors.Errorf("transformer_decoder %q: built with an encoder sequence: %v; given one: %v", l.Name, l.hasCross, encoder != nil)
	}
	if c.Training {
		return nil, errors.Errorf("transformer_decoder %q: a cached step is for generation, not training graphs", l.Name)
	}
	cfg := l.config()
	if err := cfg.validate(Shape(x.Shape()[1:])); err != nil {
		return nil, err
	}
	residual := x
	h := x
	var err error
	if cfg.normalizeFirst {
		if h, err = l.self.norm.forward(c, h); err != nil {
			return nil, err
		}
	}
	if h, err = l.self.mha.ForwardCached(c, h, cache); err != nil {
		return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
	}
	if h, err = l.self.finish(c, cfg, h, residual); err != nil {
		return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
	}
	if l.hasCross {
		if h, err = l.cross.forward(c, cfg, h, encoder); err != nil {
			return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
		}
	}
	if h, err = l.ff.forward(c, cfg, h); err != nil {
		return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
	}
	return h, nil
}
