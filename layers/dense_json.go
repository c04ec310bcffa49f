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
	KernelInitializer *InitializerSpec `json:"kernel_initializer,omitempty"`
	BiasInitializer   *InitializerSpec `json:"bias_initializer,omitempty"`
}

// MarshalJSON writes Dense's configuration, initializers included.
func (d *Dense) MarshalJSON() ([]byte, error) {
	k, err := MarshalInitializer(d.KernelInitializer)
	if err != nil {
		return nil, errors.Wrapf(err, "dense %q: kernel initializer", d.Name)
	}
	b, err := MarshalInitializer(d.BiasInitializer)
	if err != nil {
		return nil, errors.Wrapf(err, "dense %q: bias initializer", d.Name)
	}
	return json.Marshal(denseJSON{denseFields: (*denseFields)(d), KernelInitializer: k, BiasInitializer: b})
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
	return nil
}
