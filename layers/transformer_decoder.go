package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// TransformerDecoder is keras-hub's TransformerDecoder block, a merge layer
// (models.Merge) on the decoder sequence [batch, T, dim] and, optionally,
// the encoder's output [batch, S, encoder dim], -> [batch, T, dim]:
//
//	x = x + Dropout(MultiHeadAttention(x, x, causal))  (post-norm: then LayerNorm)
//	x = x + Dropout(MultiHeadAttention(x, encoder))    (only with an encoder sequence)
//	x = x + Dropout(Dense(act(Dense(x))))             (post-norm: then LayerNorm)
//
// The self-attention is masked causally (each position sees itself and
// those before it) and by the decoder's padding mask; the cross-attention
// by the encoder's padding mask. With one input it is the block of a
// decoder-only (GPT-style) model. Its weights are the encoder's, plus
// cross_attention/... and cross_attention_layer_norm/... with an encoder
// sequence. Generation runs it one token at a time with cached keys and
// values (ForwardCached).
type TransformerDecoder struct {
	// Name is the layer's name; empty means the model names it
	// transformer_decoder, transformer_decoder_1...
	Name string `json:"name,omitempty"`
	// IntermediateDim is the width of the feed-forward network; it must be
	// > 0.
	IntermediateDim int `json:"intermediate_dim"`
	// NumHeads is the number of attention heads; it must be > 0 and
	// divide the input's features.
	NumHeads int `json:"num_heads"`
	// Dropout is the rate of the dropouts, in [0, 1); zero drops nothing.
	Dropout float64 `json:"dropout,omitempty"`
	// Activation is the feed-forward network's; empty means ReLU, as in
	// keras-hub (Linear for none).
	Activation Activator `json:"activation,omitempty"`
	// LayerNormEpsilon is the layer norms' epsilon; zero means 1e-5.
	LayerNormEpsilon float64 `json:"layer_norm_epsilon,omitempty"`
	// NormalizeFirst normalizes each branch's input (pre-norm) instead of
	// the residual sum (post-norm, the default).
	NormalizeFirst bool `json:"normalize_first,omitempty"`
	// KernelInitializer fills the kernels; nil means GlorotUniform.
	KernelInitializer Initializer `json:"-"`

	self, cross block
	ff          feedForward
	hasCross    bool
}

var _ Merger = (*TransformerDecoder)(nil)

// Kind is "transformer_decoder".
func (l *TransformerDecoder) Kind() string { return "transformer_decoder" }

// LayerName is the layer's name.
func (l *TransformerDecoder) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *TransformerDecoder) SetLayerName(name string) { l.Name = name }

func (l *TransformerDecoder) config() *blockConfig {
	return &blockConfig{
		kind: l.Kind(), name: l.Name, intermediate: l.IntermediateDim, heads: l.NumHeads, dropout: l.Dropout,
		activation: l.Activation, eps: l.LayerNormEpsilon, normalizeFirst: l.NormalizeFirst, kernelInit: l.KernelInitializer,
	}
}

// BuildMerge creates the weights for the decoder sequence in[0], (T, dim),
// and the encoder sequence in[1], (S, encoder dim), when given.
func (l *TransformerDecoder) BuildMerge(b *Builder, in []Shape) (Shape, error) {
	if len(in) < 1 || len(in) > 2 {
		return nil, errors.Errorf("transformer_decoder %q: want (decoder sequence) or (decoder sequence, encoder sequence), got %d inputs", l.Name, len(in))
	}
	cfg := l.config()
	if err := cfg.validate(in[0]); err != nil {
		return nil, err
	}
	if err := l.self.build(b, cfg, "self_attention", in[0], nil, true); err != nil {
		return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
	}
	l.hasCross = len(in) == 2
	if l.hasCross {
		if len(in[1]) != 2 {
			return nil, errors.Errorf("transformer_decoder %q: encoder sequence %v, want (steps, features)", l.Name, in[1])
		}
		if err := l.cross.build(b, cfg, "cross_attention", in[0], in[1], false); err != nil {
			return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
		}
	}
	if err := l.ff.build(b, cfg, in[0]); err != nil {
		return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
	}
	return in[0].Clone(), nil
}

// ForwardMerge adds the block on xs[0], attending to xs[1] when built with
// an encoder sequence.
func (l *TransformerDecoder) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	if l.self.mha.query.kernel == nil {
		return nil, errors.Errorf("transformer_decoder %q: forward before build", l.Name)
	}
	if want := map[bool]int{false: 1, true: 2}[l.hasCross]; len(xs) != want {
		return nil, errors.Errorf("transformer_decoder %q: built for %d inputs, got %d", l.Name, want, len(xs))
	}
	cfg := l.config()
	if err := cfg.validate(Shape(xs[0].Shape()[1:])); err != nil {
		return nil, err
	}
	x, err := l.self.forward(c, cfg, xs[0], nil)
	if err != nil {
		return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
	}
	if l.hasCross {
		if x, err = l.cross.forward(c, cfg, x, xs[1]); err != nil {
			return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
		}
	}
	if x, err = l.ff.forward(c, cfg, x); err != nil {
		return nil, errors.Wrapf(err, "transformer_decoder %q", l.Name)
	}
	return x, nil
}

// Weights lists the self-attention's, the cross-attention's (with an
// encoder sequence) and the feed-forward's weights, each followed by its
// norm's; nil before Build.
func (l *TransformerDecoder) Weights() []*Weight {
	if l.self.mha.query.kernel == nil {
		return nil
	}
	ws := l.self.weights()
	if l.hasCross {
		ws = append(ws, l.cross.weights()...)
	}
	return append(ws, l.ff.weights()...)
}
