package layers

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pkg/errors"
)

// MergerKinds lists the merge layer kinds NewMerger knows.
func MergerKinds() []string {
	return []string{"add", "additive_attention", "attention", "average", "concatenate", "maximum", "minimum", "multi_head_attention", "multiply", "sampling", "subtract",
		"token_nll", "transformer_decoder"}
}

// NewMerger returns a new, unconfigured merge layer of the given kind.
func NewMerger(kind string) (Merger, error) {
	switch kind {
	case "add":
		return &Add{}, nil
	case "additive_attention":
		return &AdditiveAttention{}, nil
	case "attention":
		return &Attention{}, nil
	case "average":
		return &Average{}, nil
	case "concatenate":
		return &Concatenate{}, nil
	case "maximum":
		return &Maximum{}, nil
	case "minimum":
		return &Minimum{}, nil
	case "multiply":
		return &Multiply{}, nil
	case "sampling":
		return &Sampling{}, nil
	case "subtract":
		return &Subtract{}, nil
	case "multi_head_attention":
		return &MultiHeadAttention{}, nil
	case "token_nll":
		return &TokenNLL{}, nil
	case "transformer_decoder":
		return &TransformerDecoder{}, nil
	}
	return nil, errors.Errorf("unknown merge layer kind %q (known: %s)", kind, strings.Join(MergerKinds(), ", "))
}

// MarshalMerger returns the spec of m, as Marshal does for a Layer:
//
//	{"kind": "concatenate", "config": {"name": "joined", "axis": -1}}
func MarshalMerger(m Merger) (Spec, error) {
	if m == nil {
		return Spec{}, errors.New("marshal merger: merger is nil")
	}
	cfg, err := json.Marshal(m)
	if err != nil {
		return Spec{}, errors.Wrapf(err, "%s %q: marshal config", m.Kind(), m.LayerName())
	}
	return Spec{Kind: m.Kind(), Config: cfg}, nil
}

// UnmarshalMerger makes the merge layer a spec describes. A field the layer
// does not have is an error, so a misspelt key is not silently ignored.
func UnmarshalMerger(s Spec) (Merger, error) {
	m, err := NewMerger(s.Kind)
	if err != nil {
		return nil, err
	}
	if len(s.Config) > 0 {
		dec := json.NewDecoder(bytes.NewReader(s.Config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(m); err != nil {
			return nil, errors.Wrapf(err, "%s: config", s.Kind)
		}
	}
	return m, nil
}
