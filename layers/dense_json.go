package layers

import (
	"bytes"
	"encoding/json"

	"github.com/pkg/errors"
)

// The layers with a kernel and a bias save their initializers,
// regularizers and constraints as specs next to their plain fields: each
// has a copy of its type without methods, so that its JSON is the default
// one, and a struct that adds weightOptsJSON.

type (
	denseFields  Dense
	conv2DFields Conv2D
	conv1DFields Conv1D
)

type denseJSON struct {
	*denseFields
	weightOptsJSON
}

type conv2DJSON struct {
	*conv2DFields
	weightOptsJSON
}

type conv1DJSON struct {
	*conv1DFields
	weightOptsJSON
}

func (d *Dense) weightOpts() weightOpts {
	return weightOpts{
		KernelInitializer: &d.KernelInitializer, BiasInitializer: &d.BiasInitializer,
		KernelRegularizer: &d.KernelRegularizer, BiasRegularizer: &d.BiasRegularizer, ActivityRegularizer: &d.ActivityRegularizer,
		KernelConstraint: &d.KernelConstraint, BiasConstraint: &d.BiasConstraint,
	}
}

func (l *Conv1D) weightOpts() weightOpts {
	return weightOpts{
		KernelInitializer: &l.KernelInitializer, BiasInitializer: &l.BiasInitializer,
		KernelRegularizer: &l.KernelRegularizer, BiasRegularizer: &l.BiasRegularizer, ActivityRegularizer: &l.ActivityRegularizer,
		KernelConstraint: &l.KernelConstraint, BiasConstraint: &l.BiasConstraint,
	}
}

// decodeStrict decodes data into v, refusing unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// MarshalJSON writes Dense's configuration, initializers, regularizers and
// constraints included.
func (d *Dense) MarshalJSON() ([]byte, error) {
	opts, err := d.weightOpts().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	return json.Marshal(denseJSON{(*denseFields)(d), opts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Dense) UnmarshalJSON(data []byte) error {
	aux := denseJSON{denseFields: (*denseFields)(d)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return d.weightOpts().fromJSON(aux.weightOptsJSON)
}

// MarshalJSON writes Conv2D's configuration, initializers, regularizers
// and constraints included.
func (l *Conv2D) MarshalJSON() ([]byte, error) {
	opts, err := l.weightOpts().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "conv2d %q", l.Name)
	}
	return json.Marshal(conv2DJSON{(*conv2DFields)(l), opts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Conv2D) UnmarshalJSON(data []byte) error {
	aux := conv2DJSON{conv2DFields: (*conv2DFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.weightOpts().fromJSON(aux.weightOptsJSON)
}

// MarshalJSON writes Conv1D's configuration, initializers, regularizers
// and constraints included.
func (l *Conv1D) MarshalJSON() ([]byte, error) {
	opts, err := l.weightOpts().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "conv1d %q", l.Name)
	}
	return json.Marshal(conv1DJSON{(*conv1DFields)(l), opts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Conv1D) UnmarshalJSON(data []byte) error {
	aux := conv1DJSON{conv1DFields: (*conv1DFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.weightOpts().fromJSON(aux.weightOptsJSON)
}
