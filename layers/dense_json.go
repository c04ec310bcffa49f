package layers

import (
	"bytes"
	"encoding/json"

	"github.com/pkg/errors"
)

// denseFields is Dense without its methods, so its JSON is the default one.
type denseFields Dense

type denseJSON struct {
	*denseFields
	KernelInitializer   *InitializerSpec `json:"kernel_initializer,omitempty"`
	BiasInitializer     *InitializerSpec `json:"bias_initializer,omitempty"`
	KernelRegularizer   *RegularizerSpec `json:"kernel_regularizer,omitempty"`
	BiasRegularizer     *RegularizerSpec `json:"bias_regularizer,omitempty"`
	ActivityRegularizer *RegularizerSpec `json:"activity_regularizer,omitempty"`
	KernelConstraint    *ConstraintSpec  `json:"kernel_constraint,omitempty"`
	BiasConstraint      *ConstraintSpec  `json:"bias_constraint,omitempty"`
}

// MarshalJSON writes Dense's configuration, initializers, regularizers and
// constraints included.
func (d *Dense) MarshalJSON() ([]byte, error) {
	aux := denseJSON{denseFields: (*denseFields)(d)}
	var err error
	if aux.KernelInitializer, err = MarshalInitializer(d.KernelInitializer); err != nil {
		return nil, errors.Wrapf(err, "dense %q: kernel initializer", d.Name)
	}
	if aux.BiasInitializer, err = MarshalInitializer(d.BiasInitializer); err != nil {
		return nil, errors.Wrapf(err, "dense %q: bias initializer", d.Name)
	}
	if aux.KernelRegularizer, err = MarshalRegularizer(d.KernelRegularizer); err != nil {
		return nil, errors.Wrapf(err, "dense %q: kernel regularizer", d.Name)
	}
	if aux.BiasRegularizer, err = MarshalRegularizer(d.BiasRegularizer); err != nil {
		return nil, errors.Wrapf(err, "dense %q: bias regularizer", d.Name)
	}
	if aux.ActivityRegularizer, err = MarshalRegularizer(d.ActivityRegularizer); err != nil {
		return nil, errors.Wrapf(err, "dense %q: activity regularizer", d.Name)
	}
	if aux.KernelConstraint, err = MarshalConstraint(d.KernelConstraint); err != nil {
		return nil, errors.Wrapf(err, "dense %q: kernel constraint", d.Name)
	}
	if aux.BiasConstraint, err = MarshalConstraint(d.BiasConstraint); err != nil {
		return nil, errors.Wrapf(err, "dense %q: bias constraint", d.Name)
	}
	return json.Marshal(aux)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Dense) UnmarshalJSON(data []byte) error {
	aux := denseJSON{denseFields: (*denseFields)(d)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	var err error
	if d.KernelInitializer, err = UnmarshalInitializer(aux.KernelInitializer); err != nil {
		return errors.Wrap(err, "kernel_initializer")
	}
	if d.BiasInitializer, err = UnmarshalInitializer(aux.BiasInitializer); err != nil {
		return errors.Wrap(err, "bias_initializer")
	}
	if d.KernelRegularizer, err = UnmarshalRegularizer(aux.KernelRegularizer); err != nil {
		return errors.Wrap(err, "kernel_regularizer")
	}
	if d.BiasRegularizer, err = UnmarshalRegularizer(aux.BiasRegularizer); err != nil {
		return errors.Wrap(err, "bias_regularizer")
	}
	if d.ActivityRegularizer, err = UnmarshalRegularizer(aux.ActivityRegularizer); err != nil {
		return errors.Wrap(err, "activity_regularizer")
	}
	if d.KernelConstraint, err = UnmarshalConstraint(aux.KernelConstraint); err != nil {
		return errors.Wrap(err, "kernel_constraint")
	}
	if d.BiasConstraint, err = UnmarshalConstraint(aux.BiasConstraint); err != nil {
		return errors.Wrap(err, "bias_constraint")
	}
	return nil
}
