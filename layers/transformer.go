package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// TransformerEncoder is keras-hub's TransformerEncoder block on [batch,
// steps, dim] -> [batch, steps, dim]:
//
//	x = x + Dropout(MultiHeadAttention(x, x))      (post-norm: then LayerNorm)
//	x = x + Dropout(Dense(act(Dense(x))))         (post-norm: then LayerNorm)
//
// with NumHeads heads of dim/NumHeads features each, a feed-forward of
// IntermediateDim, and, with NormalizeFirst, each LayerNorm applied to the
// branch's input instead (pre-norm). A padding mask on the input (from
// Embedding or TokenAndPositionEmbedding with MaskZero) masks the padded
// keys and is carried to the output. Its weights are named as keras-hub's:
// self_attention/{query,key,value,attention_output}/{kernel,bias},
// self_attention_layer_norm/{gamma,beta},
// feedforward_intermediate_dense/{kernel,bias},
// feedforward_output_dense/{kernel,bias} and
// feedforward_layer_norm/{gamma,beta}, each under the layer's name.
type TransformerEncoder struct {
	// Name is the layer's name; empty means the model names it
	// transformer_encoder, transformer_encoder_1...
	Name string `json:"name,omitempty"`
	// IntermediateDim is the width of the feed-forward network; it must be
	// > 0.
	IntermediateDim int `json:"intermediate_dim"`
	// NumHeads is the number of attention heads; it must be > 0 and
	// divide the input's features.
	NumHeads int `json:"num_heads"`
	// Dropout is the rate of the dropouts (attention probabilities and
	// both branches), in [0, 1); zero drops nothing.
	Dropout float64 `json:"dropout,omitempty"`
	// Activation is the feed-forward network's; empty means ReLU, as in
	// keras-hub (Linear for none).
	Activation Activator `json:"activation,omitempty"`
	// LayerNormEpsilon is the layer norms' epsilon; zero means 1e-5, as in
	// keras-hub.
	LayerNormEpsilon float64 `json:"layer_norm_epsilon,omitempty"`
	// NormalizeFirst normalizes each branch's input (pre-norm) instead of
	// the residual sum (post-norm, the default).
	NormalizeFirst bool `json:"normalize_first,omitempty"`
	// KernelInitializer fills the kernels; nil means GlorotUniform.
	KernelInitializer Initializer `json:"-"`

	attn block
	ff   feedForward
}

var _ Layer = (*TransformerEncoder)(nil)

// Kind is "transformer_encoder".
func (l *TransformerEncoder) Kind() string { return "transformer_encoder" }

// LayerName is the layer's name.
func (l *TransformerEncoder) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *TransformerEncoder) SetLayerName(name string) { l.Name = name }

// blockConfig is what the encoder and the decoder share.
type blockConfig struct {
	kind, name     string
	intermediate   int
	heads          int
	dropout        float64
	activation     Activator
	eps            float64
	normalizeFirst bool
	kernelInit     Initializer
}

func (cfg *blockConfig) validate(in Shape) error {
	if len(in) != 2 {
		return errors.Errorf("%s %q: input %v, want (steps, features)", cfg.kind, cfg.name, in)
	}
	if cfg.intermediate <= 0 || cfg.heads <= 0 {
		return errors.Errorf("%s %q: intermediate_dim and num_heads must be > 0, got %d and %d", cfg.kind, cfg.name, cfg.intermediate, cfg.heads)
	}
	if in[1]%cfg.heads != 0 {
		return errors.Errorf("%s %q: %d heads do not divide the %d features of the input", cfg.kind, cfg.name, cfg.heads, in[1])
	}
	if !(cfg.dropout >= 0 && cfg.dropout < 1) {
		return errors.Errorf("%s %q: dropout must be in [0, 1), got %v", cfg.kind, cfg.name, cfg.dropout)
	}
	if cfg.activation == "" {
		cfg.activation = ReLU
	}
	if err := cfg.activation.Validate(); err != nil {
		return errors.Wrapf(err, "%s %q", cfg.kind, cfg.name)
	}
	if cfg.eps == 0 {
		cfg.eps = 1e-5
	}
	if !(cfg.eps > 0) || math.IsInf(cfg.eps, 0) {
		return errors.Errorf("%s %q: layer_norm_epsilon must be > 0, got %v", cfg.kind, cfg.name, cfg.eps)
	}
	return nil
}

// sub returns a Builder for the part of the block called part.
func sub(b *Builder, part string) *Builder {
	return &Builder{DType: b.DType, RNG: b.RNG, Name: b.Name + "/" + part}
}

// block is an attention branch: x + Dropout(MHA(x, ...)), normalized
// before or after.
type block struct {
	mha  MultiHeadAttention
	norm seqNorm
	drop Dropout
}

func (k *block) build(b *Builder, cfg *blockConfig, part string, query, value Shape, causal bool) error {
	k.mha = MultiHeadAttention{
		Name: cfg.name + "/" + part, NumHeads: cfg.heads, KeyDim: query[1] / cfg.heads, Dropout: cfg.dropout,
		OutputShape: query[1], UseCausalMask: causal, KernelInitializer: cfg.kernelInit,
	}
	in := []Shape{query}
	if value != nil {
		in = append(in, value)
	}
	if _, err := k.mha.BuildMerge(sub(b, part), in); err != nil {
		return err
	}
	if err := k.norm.build(b, part+"_layer_norm", query[1], cfg.eps); err != nil {
		return err
	}
	k.drop = Dropout{Name: cfg.name + "/" + part + "_dropout", Rate: cfg.dropout}
	return nil
}

// forward adds the branch on x (attending over value, or x when nil).
func (k *block) forward(c *Call, cfg *blockConfig, x, value *gorgonia.Node) (*gorgonia.Node, error) {
	residual := x
	var err error
	if cfg.normalizeFirst {
		if x, err = k.norm.forward(c, x); err != nil {
			return nil, err
		}
	}
	xs := []*gorgonia.Node{x}
	if value != nil {
		xs = append(xs, value)
	}
	if x, err = k.mha.ForwardMerge(c, xs); err != nil {
		return nil, err
	}
	return k.finish(c, cfg, x, residual)
}

// finish adds the dropout, the residual and, post-norm, the norm to the
// attention's output y, and carries residual's mask.
func (k *block) finish(c *Call, cfg *blockConfig, y, residual *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := k.drop.Forward(c, y)
	if err != nil {
		return nil, err
	}
	if y, err = gorgonia.Add(y, residual); err != nil {
		return nil, err
	}
	if m, ok := c.MaskOf(residual); ok {
		if err := c.SetMask(y, m); err != nil {
			return nil, err
		}
	}
	if !cfg.normalizeFirst {
		if y, err = k.norm.forward(c, y); err != nil {
			return nil, err
		}
	}
	return y, nil
}

func (k *block) weights() []*Weight {
	return append(k.mha.Weights(), k.norm.weights()...)
}

// feedForward is x + Dropout(Dense(act(Dense(x)))), normalized before or
// after.
type feedForward struct {
	inter, out seqDense
	norm       seqNorm
	drop       Dropout
}

func (f *feedForward) build(b *Builder, cfg *blockConfig, in Shape) error {
	if err := f.inter.build(b, "feedforward_intermediate_dense", in[1], cfg.intermediate, cfg.kernelInit, false); err != nil {
		return err
	}
	if err := f.out.build(b, "feedforward_output_dense", cfg.intermediate, in[1], cfg.kernelInit, false); err != nil {
		return err
	}
	if err := f.norm.build(b, "feedforward_layer_norm", in[1], cfg.eps); err != nil {
		return err
	}
	f.drop = Dropout{Name: cfg.name + "/feedforward_dropout", Rate: cfg.dropout}
	return nil
}

func (f *feedForward) forward(c *Call, cfg *blockConfig, x *gorgonia.Node) (*gorgonia.Node, error) {
	residual := x
	var err error
	if cfg.normalizeFirst {
		if x, err = f.norm.forward(c, x); err != nil {
			return nil, err
		}
	}
	if x, err = f.inter.forward(c, x); err != nil {
		return nil, errors.Wrap(err, "feedforward_intermediate_dense")
	}
	if x, err = cfg.activation.Apply(x); err != nil {
		return nil, err
	}
	if x, err = f.out.forward(c, x); err != nil {
		return nil, errors.Wrap(err, "feedforward_output_dense")
	}
	if x, err = f.drop.Forward(c, x); err != nil {
		return nil, err
	}
	if x, err = gorgonia.Add(x, residual); err != nil {
		return nil, err
	}
	if !cfg.normalizeFirst {
		if x, err = f.norm.forward(c, x); err != nil {
			return nil, err
		}
	}
	if m, ok := c.MaskOf(residual); ok {
		if err := c.SetMask(x, m); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func (f *feedForward) weights() []*Weight {
	return append(append(f.inter.weights(), f.out.weights()...), f.norm.weights()...)
}

func (l *TransformerEncoder) config() *blockConfig {
	return &blockConfig{
		kind: l.Kind(), name: l.Name, intermediate: l.IntermediateDim, heads: l.NumHeads, dropout: l.Dropout,
		activation: l.Activation, eps: l.LayerNormEpsilon, normalizeFirst: l.NormalizeFirst, kernelInit: l.KernelInitializer,
	}
}

// Build creates the weights for input (steps, dim).
func (l *TransformerEncoder) Build(b *Builder, in Shape) (Shape, error) {
	cfg := l.config()
	if err := cfg.validate(in); err != nil {
		return nil, err
	}
	if err := l.attn.build(b, cfg, "self_attention", in, nil, false); err != nil {
		return nil, errors.Wrapf(err, "transformer_encoder %q", l.Name)
	}
	if err := l.ff.build(b, cfg, in); err != nil {
		return nil, errors.Wrapf(err, "transformer_encoder %q", l.Name)
	}
	return in.Clone(), nil
}

// Forward adds the block on x, [batch, steps, dim].
func (l *TransformerEncoder) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if l.attn.mha.query.kernel == nil {
		return nil, errors.Errorf("transformer_encoder %q: forward before build", l.Name)
	}
	cfg := l.config()
	if err := cfg.validate(Shape(x.Shape()[1:])); err != nil {
		return nil, err
	}
	y, err := l.attn.forward(c, cfg, x, nil)
	if err != nil {
		return nil, errors.Wrapf(err, "transformer_encoder %q", l.Name)
	}
	if y, err = l.ff.forward(c, cfg, y); err != nil {
		return nil, errors.Wrapf(err, "transformer_encoder %q", l.Name)
	}
	return y, nil
}

// Weights lists the attention's, its norm's, the feed-forward's and its
// norm's weights; nil before Build.
func (l *TransformerEncoder) Weights() []*Weight {
	if l.attn.mha.query.kernel == nil {
		return nil
	}
	return append(l.attn.weights(), l.ff.weights()...)
}
