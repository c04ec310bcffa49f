package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
)

// The convolution layers beyond Conv1D and Conv2D save their initializers,
// regularizers and constraints the way those do (see dense_json.go).

type (
	conv2DTransposeFields Conv2DTranspose
	conv1DTransposeFields Conv1DTranspose
)

type conv2DTransposeJSON struct {
	*conv2DTransposeFields
	weightOptsJSON
}

type conv1DTransposeJSON struct {
	*conv1DTransposeFields
	weightOptsJSON
}

func (l *Conv2DTranspose) weightOpts() weightOpts {
	return weightOpts{
		KernelInitializer: &l.KernelInitializer, BiasInitializer: &l.BiasInitializer,
		KernelRegularizer: &l.KernelRegularizer, BiasRegularizer: &l.BiasRegularizer, ActivityRegularizer: &l.ActivityRegularizer,
		KernelConstraint: &l.KernelConstraint, BiasConstraint: &l.BiasConstraint,
	}
}

func (l *Conv1DTranspose) weightOpts() weightOpts {
	return weightOpts{
		KernelInitializer: &l.KernelInitializer, BiasInitializer: &l.BiasInitializer,
		KernelRegularizer: &l.KernelRegularizer, BiasRegularizer: &l.BiasRegularizer, ActivityRegularizer: &l.ActivityRegularizer,
		KernelConstraint: &l.KernelConstraint, BiasConstraint: &l.BiasConstraint,
	}
}

// MarshalJSON writes Conv2DTranspose's configuration, initializers,
// regularizers and constraints included.
func (l *Conv2DTranspose) MarshalJSON() ([]byte, error) {
	opts, err := l.weightOpts().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "conv2d_transpose %q", l.Name)
	}
	return json.Marshal(conv2DTransposeJSON{(*conv2DTransposeFields)(l), opts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Conv2DTranspose) UnmarshalJSON(data []byte) error {
	aux := conv2DTransposeJSON{conv2DTransposeFields: (*conv2DTransposeFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.weightOpts().fromJSON(aux.weightOptsJSON)
}

// MarshalJSON writes Conv1DTranspose's configuration, initializers,
// regularizers and constraints included.
func (l *Conv1DTranspose) MarshalJSON() ([]byte, error) {
	opts, err := l.weightOpts().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "conv1d_transpose %q", l.Name)
	}
	return json.Marshal(conv1DTransposeJSON{(*conv1DTransposeFields)(l), opts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Conv1DTranspose) UnmarshalJSON(data []byte) error {
	aux := conv1DTransposeJSON{conv1DTransposeFields: (*conv1DTransposeFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.weightOpts().fromJSON(aux.weightOptsJSON)
}
