package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// TokenNLL is the loss of a sequence model token by token, as a merge
// layer: on the logits (steps, vocab) and the target ids (steps) it gives
// (steps), each token's -log softmax(logits)[id], and 0 at padding (id
// Ignore). A language model or a translator trains on it with
// losses.MeanAbsoluteError against zeros: the loss is then the mean
// negative log-likelihood per position (padding counting as 0), which is
// Keras's SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
// on sequences, up to the share of padding. It is one op (forward and
// gradient into the logits); the ids get no gradient.
type TokenNLL struct {
	// Name is the layer's name; empty means the model names it token_nll,
	// token_nll_1...
	Name string `json:"name,omitempty"`
	// Ignore is the id left out (padding); zero means 0, -1 leaves none
	// out.
	Ignore int `json:"ignore,omitempty"`
}

var _ Merger = (*TokenNLL)(nil)

// Kind is "token_nll".
func (l *TokenNLL) Kind() string { return "token_nll" }

// LayerName is the layer's name.
func (l *TokenNLL) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *TokenNLL) SetLayerName(name string) { l.Name = name }

// BuildMerge checks the inputs, (steps, vocab) and (steps), and returns
// (steps).
func (l *TokenNLL) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	if len(in) != 2 || len(in[0]) != 2 || len(in[1]) != 1 || in[0][0] != in[1][0] {
		return nil, errors.Errorf("token_nll %q: want logits (steps, vocab) and ids (steps), got %v", l.Name, in)
	}
	return Shape{in[0][0]}, nil
}

// ForwardMerge adds the per-token losses of xs[0], the logits, for the ids
// xs[1].
func (l *TokenNLL) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	if len(xs) != 2 {
		return nil, errors.Errorf("token_nll %q: %d inputs, want 2", l.Name, len(xs))
	}
	out, err := ops.TokenCrossentropy(xs[0], xs[1], l.Ignore)
	if err != nil {
		return nil, errors.Wrapf(err, "token_nll %q", l.Name)
	}
	return out, nil
}

// Weights is empty.
func (l *TokenNLL) Weights() []*Weight { return nil }
