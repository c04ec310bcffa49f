package datasets

import (
	"encoding/json"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Pipeline chains Transformers: Fit fits each step on the output of the
// steps before it, Transform applies them in order. It marshals to JSON with
// each step's kind and fitted statistics, so a model can save its whole
// preprocessing as one value. The zero value has no steps; its Transform
// returns a copy of x.
type Pipeline struct {
	// Steps are applied in order. A nil step is an error.
	Steps []Transformer
}

// Kind is "pipeline".
func (p *Pipeline) Kind() string { return "pipeline" }

// Fit fits each step on x as transformed by the steps before it.
func (p *Pipeline) Fit(x *tensor.Dense) error {
	if len(p.Steps) == 0 {
		return errors.Wrap(fitMatrixErr(x), "pipeline: fit")
	}
	for i, s := range p.Steps {
		if s == nil {
			return errors.Errorf("pipeline: fit: step %d is nil", i)
		}
		if err := s.Fit(x); err != nil {
			return errors.Wrapf(err, "pipeline: fit: step %d", i)
		}
		if i == len(p.Steps)-1 {
			break
		}
		var err error
		if x, err = s.Transform(x); err != nil {
			return errors.Wrapf(err, "pipeline: fit: step %d", i)
		}
	}
	return nil
}

// fitMatrixErr checks that x can be transformed.
func fitMatrixErr(x *tensor.Dense) error {
	_, err := readMatrix(x)
	return err
}

// Transform applies the steps in order and returns a new tensor.
func (p *Pipeline) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	if len(p.Steps) == 0 {
		m, err := readMatrix(x)
		if err != nil {
			return nil, errors.Wrap(err, "pipeline: transform")
		}
		return m.dense(), nil
	}
	for i, s := range p.Steps {
		if s == nil {
			return nil, errors.Errorf("pipeline: transform: step %d is nil", i)
		}
		var err error
		if x, err = s.Transform(x); err != nil {
			return nil, errors.Wrapf(err, "pipeline: transform: step %d", i)
		}
	}
	return x, nil
}

// MarshalJSON writes {"steps": [...]}, each step as MarshalTransformer
// writes it.
func (p Pipeline) MarshalJSON() ([]byte, error) {
	steps := make([]json.RawMessage, len(p.Steps))
	for i, s := range p.Steps {
		b, err := MarshalTransformer(s)
		if err != nil {
			return nil, errors.Wrapf(err, "pipeline: step %d", i)
		}
		steps[i] = b
	}
	return json.Marshal(struct {
		Steps []json.RawMessage `json:"steps"`
	}{steps})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Pipeline) UnmarshalJSON(b []byte) error {
	var v struct {
		Steps []json.RawMessage `json:"steps"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return errors.Wrap(err, "pipeline")
	}
	steps := make([]Transformer, len(v.Steps))
	for i, raw := range v.Steps {
		s, err := UnmarshalTransformer(raw)
		if err != nil {
			return errors.Wrapf(err, "pipeline: step %d", i)
		}
		steps[i] = s
	}
	p.Steps = steps
	return nil
}

// transformerJSON is a Transformer in a saved file: its kind and its
// fields.
type transformerJSON struct {
	Kind   string          `json:"kind"`
	Config json.RawMessage `json:"config"`
}

// MarshalTransformer writes t as {"kind": t.Kind(), "config": t's fields},
// which UnmarshalTransformer reads back into the right type.
func MarshalTransformer(t Transformer) ([]byte, error) {
	if t == nil {
		return nil, errors.New("marshal transformer: nil")
	}
	cfg, err := json.Marshal(t)
	if err != nil {
		return nil, errors.Wrapf(err, "marshal transformer %s", t.Kind())
	}
	return json.Marshal(transformerJSON{Kind: t.Kind(), Config: cfg})
}

// transformerKinds lists the kinds UnmarshalTransformer knows.
const transformerKinds = `"min_max_scaler", "pipeline", "rescale", "simple_imputer", "standard_scaler"`

// UnmarshalTransformer reads what MarshalTransformer writes. An unknown kind
// is an error that lists the known ones.
func UnmarshalTransformer(b []byte) (Transformer, error) {
	var v transformerJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, errors.Wrap(err, "unmarshal transformer")
	}
	var t Transformer
	switch v.Kind {
	case "min_max_scaler":
		t = &MinMaxScaler{}
	case "pipeline":
		t = &Pipeline{}
	case "rescale":
		t = &Rescale{}
	case "simple_imputer":
		t = &SimpleImputer{}
	case "standard_scaler":
		t = &StandardScaler{}
	default:
		return nil, errors.Errorf("unmarshal transformer: unknown kind %q; the kinds are %s", v.Kind, transformerKinds)
	}
	if len(v.Config) == 0 {
		return nil, errors.Errorf("unmarshal transformer %s: no config", v.Kind)
	}
	if err := json.Unmarshal(v.Config, t); err != nil {
		return nil, errors.Wrapf(err, "unmarshal transformer %s", v.Kind)
	}
	return t, nil
}
