package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// maxFloat32ID is the largest vocabulary whose ids float32 holds exactly
// (2^24): a model's inputs are float tensors.
const maxFloat32ID = 1 << 24

// Embedding turns integer ids into vectors, Keras's Embedding: [batch,
// steps] ids -> [batch, steps, OutputDim], row id of the weight
// "embeddings", [InputDim, OutputDim].
//
// The ids are float values of the model's dtype (a model's inputs are float
// tensors); each must be an integer in [0, InputDim), or running the graph
// fails with an error naming the layer, the id's position in the batch
// ([sample, step]) and its value.
// Inputs of any rank work: (d1, d2, ...) -> (d1, d2, ..., OutputDim).
//
// With MaskZero, id 0 is padding, as Keras's mask_zero=True: the layer
// records a [batch, steps] mask (Call.SetMask) on its output, 1 where the
// id is not 0, which recurrent layers read to skip the padding. Id 0 still
// has a row of its own, so InputDim counts it. MaskZero needs ids of shape
// (steps).
type Embedding struct {
	// Name is the layer's name; empty means the model names it embedding,
	// embedding_1...
	Name string `json:"name,omitempty"`
	// InputDim is the size of the vocabulary: ids are in [0, InputDim). It
	// must be > 0 (at most 2^24 in a float32 model, which holds larger ids
	// inexactly).
	InputDim int `json:"input_dim"`
	// OutputDim is the size of each vector; it must be > 0.
	OutputDim int `json:"output_dim"`
	// MaskZero makes id 0 padding and sets a mask on the output; false
	// means no mask.
	MaskZero bool `json:"mask_zero,omitempty"`
	// EmbeddingsInitializer fills the embeddings; nil means
	// RandomUniform{-0.05, 0.05}, as in Keras.
	EmbeddingsInitializer Initializer `json:"-"`

	in         Shape
	embeddings *Weight
}

var _ Layer = (*Embedding)(nil)

// Kind is "embedding".
func (e *Embedding) Kind() string { return "embedding" }

// LayerName is the layer's name.
func (e *Embedding) LayerName() string { return e.Name }

// SetLayerName sets the layer's name.
func (e *Embedding) SetLayerName(name string) { e.Name = name }

// Build creates the embeddings, [InputDim, OutputDim], for ids of shape
// (steps) or any other shape, and returns (steps, OutputDim).
func (e *Embedding) Build(b *Builder, in Shape) (Shape, error) {
	if e.InputDim <= 0 {
		return nil, errors.Errorf("embedding %q: input_dim must be > 0, got %d", e.Name, e.InputDim)
	}
	if e.OutputDim <= 0 {
		return nil, errors.Errorf("embedding %q: output_dim must be > 0, got %d", e.Name, e.OutputDim)
	}
	if b.DType == tensor.Float32 && e.InputDim > maxFloat32ID {
		return nil, errors.Errorf("embedding %q: input_dim %d is too large for float32 ids (at most %d); use float64", e.Name, e.InputDim, maxFloat32ID)
	}
	if len(in) == 0 {
		return nil, errors.Errorf("embedding %q: expected input shape (None, steps) of ids, got %v", e.Name, in)
	}
	for _, d := range in {
		if d <= 0 {
			return nil, errors.Errorf("embedding %q: input shape %v has a dimension <= 0", e.Name, in)
		}
	}
	if e.MaskZero && len(in) != 1 {
		return nil, errors.Errorf("embedding %q: mask_zero needs ids of shape (None, steps), got %v", e.Name, in)
	}
	init := e.EmbeddingsInitializer
	if init == nil {
		init = RandomUniform{Min: -0.05, Max: 0.05}
	}
	w, err := b.NewWeight("embeddings", []int{e.InputDim, e.OutputDim}, init)
	if err != nil {
		return nil, errors.Wrapf(err, "embedding %q", e.Name)
	}
	e.embeddings, e.in = w, in.Clone()
	return append(in.Clone(), e.OutputDim), nil
}

// Forward looks up the rows of the embeddings for the ids in x, [batch,
// steps], and, with MaskZero, sets the output's mask.
func (e *Embedding) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if e.embeddings == nil {
		return nil, errors.Errorf("embedding %q: forward before build", e.Name)
	}
	if _, err := checkSequenceInput("embedding", e.Name, c, x, e.in); err != nil {
		return nil, err
	}
	out, err := ops.Embedding(x, c.Node(e.embeddings), e.Name)
	if err != nil {
		return nil, err
	}
	if !e.MaskZero {
		return out, nil
	}
	mask, err := ops.NonZero(x)
	if err != nil {
		return nil, errors.Wrapf(err, "embedding %q: mask", e.Name)
	}
	if err := c.SetMask(out, mask); err != nil {
		return nil, errors.Wrapf(err, "embedding %q", e.Name)
	}
	return out, nil
}

// Weights returns the embeddings; nil before Build.
func (e *Embedding) Weights() []*Weight {
	if e.embeddings == nil {
		return nil
	}
	return []*Weight{e.embeddings}
}

// embeddingFields is Embedding without its methods, so that its JSON is
// the default one.
type embeddingFields Embedding

type embeddingJSON struct {
	*embeddingFields
	EmbeddingsInitializer *InitializerSpec `json:"embeddings_initializer,omitempty"`
}

// MarshalJSON writes Embedding's configuration, its initializer included.
func (e *Embedding) MarshalJSON() ([]byte, error) {
	init, err := MarshalInitializer(e.EmbeddingsInitializer)
	if err != nil {
		return nil, errors.Wrapf(err, "embedding %q: embeddings initializer", e.Name)
	}
	return json.Marshal(embeddingJSON{(*embeddingFields)(e), init})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Embedding) UnmarshalJSON(data []byte) error {
	aux := embeddingJSON{embeddingFields: (*embeddingFields)(e)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	init, err := UnmarshalInitializer(aux.EmbeddingsInitializer)
	if err != nil {
		return errors.Wrap(err, "embeddings_initializer")
	}
	e.EmbeddingsInitializer = init
	return nil
}
