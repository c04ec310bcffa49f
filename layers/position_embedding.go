package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// PositionEmbedding is keras-hub's PositionEmbedding: a learned vector per
// position, [batch, steps, dim] -> [batch, steps, dim], the embeddings of
// positions 0..steps-1 (the input gives only the shape; add them to it
// with layers.Add). The weight "embeddings" is [SequenceLength, dim].
type PositionEmbedding struct {
	// Name is the layer's name; empty means the model names it
	// position_embedding, position_embedding_1...
	Name string `json:"name,omitempty"`
	// SequenceLength is the most positions; it must be > 0 and at least
	// the input's steps.
	SequenceLength int `json:"sequence_length"`
	// Initializer fills the embeddings; nil means GlorotUniform, as in
	// keras-hub.
	Initializer Initializer `json:"-"`

	embeddings *Weight
}

var _ Layer = (*PositionEmbedding)(nil)

// Kind is "position_embedding".
func (l *PositionEmbedding) Kind() string { return "position_embedding" }

// LayerName is the layer's name.
func (l *PositionEmbedding) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *PositionEmbedding) SetLayerName(name string) { l.Name = name }

// Build creates the embeddings for input (steps, dim).
func (l *PositionEmbedding) Build(b *Builder, in Shape) (Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("position_embedding %q: input %v, want (steps, features)", l.Name, in)
	}
	if l.SequenceLength <= 0 || in[0] > l.SequenceLength {
		return nil, errors.Errorf("position_embedding %q: sequence_length must be > 0 and at least the %d steps of the input, got %d", l.Name, in[0], l.SequenceLength)
	}
	init := l.Initializer
	if init == nil {
		init = GlorotUniform{}
	}
	var err error
	if l.embeddings, err = b.NewWeight("embeddings", []int{l.SequenceLength, in[1]}, init); err != nil {
		return nil, errors.Wrapf(err, "position_embedding %q", l.Name)
	}
	return in.Clone(), nil
}

// Forward returns the embeddings of positions 0..steps-1 for every sample.
func (l *PositionEmbedding) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if l.embeddings == nil {
		return nil, errors.Errorf("position_embedding %q: forward before build", l.Name)
	}
	out, err := ops.Positions(c.Node(l.embeddings), nil, x.Shape()[0], x.Shape()[1])
	if err != nil {
		return nil, errors.Wrapf(err, "position_embedding %q", l.Name)
	}
	return out, nil
}

// Weights returns the embeddings; nil before Build.
func (l *PositionEmbedding) Weights() []*Weight {
	if l.embeddings == nil {
		return nil
	}
	return []*Weight{l.embeddings}
}

// TokenAndPositionEmbedding is keras-hub's TokenAndPositionEmbedding: ids
// [batch, steps] -> token embeddings plus position embeddings, [batch,
// steps, EmbeddingDim]. Its weights are "token_embedding/embeddings"
// [VocabularySize, EmbeddingDim] (RandomUniform(-0.05, 0.05), as Keras's
// Embedding) and "position_embedding/embeddings" [SequenceLength,
// EmbeddingDim] (GlorotUniform). With MaskZero, id 0 is padding and the
// output carries the mask, as Embedding's.
type TokenAndPositionEmbedding struct {
	// Name is the layer's name; empty means the model names it
	// token_and_position_embedding, token_and_position_embedding_1...
	Name string `json:"name,omitempty"`
	// VocabularySize is the number of ids: ids are in [0,
	// VocabularySize); it must be > 0.
	VocabularySize int `json:"vocabulary_size"`
	// SequenceLength is the most positions; it must be > 0 and at least
	// the input's steps.
	SequenceLength int `json:"sequence_length"`
	// EmbeddingDim is the size of each vector; it must be > 0.
	EmbeddingDim int `json:"embedding_dim"`
	// MaskZero makes id 0 padding and sets a mask on the output; false
	// means no mask.
	MaskZero bool `json:"mask_zero,omitempty"`

	tokens, positions *Weight
	steps             int
}

var _ Layer = (*TokenAndPositionEmbedding)(nil)

// Kind is "token_and_position_embedding".
func (l *TokenAndPositionEmbedding) Kind() string { return "token_and_position_embedding" }

// LayerName is the layer's name.
func (l *TokenAndPositionEmbedding) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *TokenAndPositionEmbedding) SetLayerName(name string) { l.Name = name }

// Build creates both tables for ids of shape (steps).
func (l *TokenAndPositionEmbedding) Build(b *Builder, in Shape) (Shape, error) {
	name := l.Name
	if len(in) != 1 || in[0] <= 0 {
		return nil, errors.Errorf("token_and_position_embedding %q: input %v, want (steps) of ids", name, in)
	}
	if l.VocabularySize <= 0 || l.EmbeddingDim <= 0 {
		return nil, errors.Errorf("token_and_position_embedding %q: vocabulary_size and embedding_dim must be > 0, got %d and %d", name, l.VocabularySize, l.EmbeddingDim)
	}
	if b.DType == tensor.Float32 && l.VocabularySize > maxFloat32ID {
		return nil, errors.Errorf("token_and_position_embedding %q: vocabulary_size %d is too large for float32 ids (at most %d); use float64", name, l.VocabularySize, maxFloat32ID)
	}
	if l.SequenceLength <= 0 || in[0] > l.SequenceLength {
		return nil, errors.Errorf("token_and_position_embedding %q: sequence_length must be > 0 and at least the %d steps of the input, got %d", name, in[0], l.SequenceLength)
	}
	var err error
	if l.tokens, err = b.NewWeight("token_embedding/embeddings", []int{l.VocabularySize, l.EmbeddingDim}, RandomUniform{Min: -0.05, Max: 0.05}); err != nil {
		return nil, errors.Wrapf(err, "token_and_position_embedding %q", name)
	}
	if l.positions, err = b.NewWeight("position_embedding/embeddings", []int{l.SequenceLength, l.EmbeddingDim}, GlorotUniform{}); err != nil {
		return nil, errors.Wrapf(err, "token_and_position_embedding %q", name)
	}
	l.steps = in[0]
	return Shape{in[0], l.EmbeddingDim}, nil
}

// Forward embeds the ids x, [batch, steps], at positions 0..steps-1.
func (l *TokenAndPositionEmbedding) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.ForwardAt(c, x, nil)
}

// ForwardAt embeds the ids x, [batch, steps], at positions start,
// start+1... (start a scalar node of the graph's dtype, or nil for 0): a
// model that generates one token at a time embeds it at its position.
func (l *TokenAndPositionEmbedding) ForwardAt(c *Call, x, start *gorgonia.Node) (*gorgonia.Node, error) {
	name := l.Name
	if l.tokens == nil {
		return nil, errors.Errorf("token_and_position_embedding %q: forward before build", name)
	}
	s := x.Shape()
	if len(s) != 2 {
		return nil, errors.Errorf("token_and_position_embedding %q: ids %v, want [batch, steps]", name, s)
	}
	tok, err := ops.Embedding(x, c.Node(l.tokens), name)
	if err != nil {
		return nil, err
	}
	pos, err := ops.Positions(c.Node(l.positions), start, s[0], s[1])
	if err != nil {
		return nil, errors.Wrapf(err, "token_and_position_embedding %q", name)
	}
	out, err := gorgonia.Add(tok, pos)
	if err != nil {
		return nil, errors.Wrapf(err, "token_and_position_embedding %q", name)
	}
	if l.MaskZero {
		mask, err := ops.NonZero(x)
		if err != nil {
			return nil, errors.Wrapf(err, "token_and_position_embedding %q: mask", name)
		}
		if err := c.SetMask(out, mask); err != nil {
			return nil, errors.Wrapf(err, "token_and_position_embedding %q", name)
		}
	}
	return out, nil
}

// Weights returns the token and the position embeddings; nil before Build.
func (l *TokenAndPositionEmbedding) Weights() []*Weight {
	if l.tokens == nil {
		return nil
	}
	return []*Weight{l.tokens, l.positions}
}

// SinePositionEncoding is keras-hub's SinePositionEncoding: [batch, steps,
// dim] -> the fixed encodings of positions 0..steps-1, [batch, steps,
// dim], with value sin(p·w_i) at even features 2i and cos(p·w_i) at odd
// features 2i+1, w_i = MaxWavelength^(-2i/dim) (add them to the input with
// layers.Add). It has no weights.
type SinePositionEncoding struct {
	// Name is the layer's name; empty means the model names it
	// sine_position_encoding, sine_position_encoding_1...
	Name string `json:"name,omitempty"`
	// MaxWavelength is the longest wavelength; zero means 10000, as in
	// keras-hub.
	MaxWavelength float64 `json:"max_wavelength,omitempty"`
}

var _ Layer = (*SinePositionEncoding)(nil)

// Kind is "sine_position_encoding".
func (l *SinePositionEncoding) Kind() string { return "sine_position_encoding" }

// LayerName is the layer's name.
func (l *SinePositionEncoding) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *SinePositionEncoding) SetLayerName(name string) { l.Name = name }

// Build checks the input, (steps, dim), and the wavelength.
func (l *SinePositionEncoding) Build(_ *Builder, in Shape) (Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("sine_position_encoding %q: input %v, want (steps, features)", l.Name, in)
	}
	if l.MaxWavelength < 0 || math.IsNaN(l.MaxWavelength) || math.IsInf(l.MaxWavelength, 0) {
		return nil, errors.Errorf("sine_position_encoding %q: max_wavelength must be > 0 (or 0 for 10000), got %v", l.Name, l.MaxWavelength)
	}
	return in.Clone(), nil
}

// SineEncoding returns the encodings of positions 0..steps-1, [steps, dim],
// row-major, with maxWavelength (0 means 10000).
func SineEncoding(steps, dim int, maxWavelength float64) []float64 {
	if maxWavelength == 0 {
		maxWavelength = 10000
	}
	out := make([]float64, steps*dim)
	for p := 0; p < steps; p++ {
		for i := 0; i < dim; i++ {
			w := math.Pow(1/maxWavelength, float64(2*(i/2))/float64(dim))
			a := float64(p) * w
			if i%2 == 0 {
				out[p*dim+i] = math.Sin(a)
			} else {
				out[p*dim+i] = math.Cos(a)
			}
		}
	}
	return out
}

// Forward returns the encodings for every sample of x, a constant.
func (l *SinePositionEncoding) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 3 {
		return nil, errors.Errorf("sine_position_encoding %q: input %v, want [batch, steps, features]", l.Name, s)
	}
	enc := SineEncoding(s[1], s[2], l.MaxWavelength)
	var t *tensor.Dense
	if c.DType == tensor.Float32 {
		f := make([]float32, s[0]*len(enc))
		for i := range f {
			f[i] = float32(enc[i%len(enc)])
		}
		t = tensor.New(tensor.WithShape(s...), tensor.WithBacking(f))
	} else {
		f := make([]float64, s[0]*len(enc))
		for i := range f {
			f[i] = enc[i%len(enc)]
		}
		t = tensor.New(tensor.WithShape(s...), tensor.WithBacking(f))
	}
	return gorgonia.NewTensor(c.Graph, c.DType, 3, gorgonia.WithShape(s...), gorgonia.WithValue(t),
		gorgonia.WithName(c.uniqueName(l.Name+"/encoding"))), nil
}

// Weights is empty.
func (l *SinePositionEncoding) Weights() []*Weight { return nil }
