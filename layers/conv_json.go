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

type depthwiseConv2DFields DepthwiseConv2D

type depthwiseConv2DJSON struct {
	*depthwiseConv2DFields
	weightOptsJSON
}

func (l *DepthwiseConv2D) weightOpts() weightOpts {
	return weightOpts{
		KernelInitializer: &l.KernelInitializer, BiasInitializer: &l.BiasInitializer,
		KernelRegularizer: &l.KernelRegularizer, BiasRegularizer: &l.BiasRegularizer, ActivityRegularizer: &l.ActivityRegularizer,
		KernelConstraint: &l.KernelConstraint, BiasConstraint: &l.BiasConstraint,
	}
}

// MarshalJSON writes DepthwiseConv2D's configuration, initializers,
// regularizers and constraints included.
func (l *DepthwiseConv2D) MarshalJSON() ([]byte, error) {
	opts, err := l.weightOpts().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "depthwise_conv2d %q", l.Name)
	}
	return json.Marshal(depthwiseConv2DJSON{(*depthwiseConv2DFields)(l), opts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *DepthwiseConv2D) UnmarshalJSON(data []byte) error {
	aux := depthwiseConv2DJSON{depthwiseConv2DFields: (*depthwiseConv2DFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.weightOpts().fromJSON(aux.weightOptsJSON)
}

type separableConv2DFields SeparableConv2D

// separableConv2DJSON is SeparableConv2D as saved, with Keras's names for
// its options.
type separableConv2DJSON struct {
	*separableConv2DFields
	DepthwiseInitializer *InitializerSpec `json:"depthwise_initializer,omitempty"`
	PointwiseInitializer *InitializerSpec `json:"pointwise_initializer,omitempty"`
	BiasInitializer      *InitializerSpec `json:"bias_initializer,omitempty"`
	DepthwiseRegularizer *RegularizerSpec `json:"depthwise_regularizer,omitempty"`
	PointwiseRegularizer *RegularizerSpec `json:"pointwise_regularizer,omitempty"`
	BiasRegularizer      *RegularizerSpec `json:"bias_regularizer,omitempty"`
	ActivityRegularizer  *RegularizerSpec `json:"activity_regularizer,omitempty"`
	DepthwiseConstraint  *ConstraintSpec  `json:"depthwise_constraint,omitempty"`
	PointwiseConstraint  *ConstraintSpec  `json:"pointwise_constraint,omitempty"`
	BiasConstraint       *ConstraintSpec  `json:"bias_constraint,omitempty"`
}

// MarshalJSON writes SeparableConv2D's configuration, initializers,
// regularizers and constraints included.
func (l *SeparableConv2D) MarshalJSON() ([]byte, error) {
	dopts, popts := l.weightOpts()
	d, err := dopts.toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "separable_conv2d %q: depthwise", l.Name)
	}
	p, err := popts.toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "separable_conv2d %q: pointwise", l.Name)
	}
	return json.Marshal(separableConv2DJSON{
		separableConv2DFields: (*separableConv2DFields)(l),
		DepthwiseInitializer:  d.KernelInitializer, PointwiseInitializer: p.KernelInitializer, BiasInitializer: p.BiasInitializer,
		DepthwiseRegularizer: d.KernelRegularizer, PointwiseRegularizer: p.KernelRegularizer, BiasRegularizer: p.BiasRegularizer,
		ActivityRegularizer: p.ActivityRegularizer,
		DepthwiseConstraint: d.KernelConstraint, PointwiseConstraint: p.KernelConstraint, BiasConstraint: p.BiasConstraint,
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *SeparableConv2D) UnmarshalJSON(data []byte) error {
	aux := separableConv2DJSON{separableConv2DFields: (*separableConv2DFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	dopts, popts := l.weightOpts()
	if err := dopts.fromJSON(weightOptsJSON{KernelInitializer: aux.DepthwiseInitializer, KernelRegularizer: aux.DepthwiseRegularizer, KernelConstraint: aux.DepthwiseConstraint}); err != nil {
		return errors.Wrap(err, "depthwise")
	}
	return popts.fromJSON(weightOptsJSON{
		KernelInitializer: aux.PointwiseInitializer, BiasInitializer: aux.BiasInitializer,
		KernelRegularizer: aux.PointwiseRegularizer, BiasRegularizer: aux.BiasRegularizer, ActivityRegularizer: aux.ActivityRegularizer,
		KernelConstraint: aux.PointwiseConstraint, BiasConstraint: aux.BiasConstraint,
	})
}

type conv3DFields Conv3D

type conv3DJSON struct {
	*conv3DFields
	weightOptsJSON
}

func (l *Conv3D) weightOpts() weightOpts {
	return weightOpts{
		KernelInitializer: &l.KernelInitializer, BiasInitializer: &l.BiasInitializer,
		KernelRegularizer: &l.KernelRegularizer, BiasRegularizer: &l.BiasRegularizer, ActivityRegularizer: &l.ActivityRegularizer,
		KernelConstraint: &l.KernelConstraint, BiasConstraint: &l.BiasConstraint,
	}
}

// MarshalJSON writes Conv3D's configuration, initializers, regularizers
// and constraints included.
func (l *Conv3D) MarshalJSON() ([]byte, error) {
	opts, err := l.weightOpts().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "conv3d %q", l.Name)
	}
	return json.Marshal(conv3DJSON{(*conv3DFields)(l), opts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Conv3D) UnmarshalJSON(data []byte) error {
	aux := conv3DJSON{conv3DFields: (*conv3DFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.weightOpts().fromJSON(aux.weightOptsJSON)
}
