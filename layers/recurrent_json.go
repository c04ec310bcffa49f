package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
)

// The recurrent layers save their initializers as specs next to their
// plain fields, as the layers with a kernel and a bias do (dense_json.go):
// each has a copy of its type without methods, so that its JSON is the
// default one, and a struct that adds recurrentInitJSON.

type (
	simpleRNNFields SimpleRNN
	lstmFields      LSTM
	gruFields       GRU
)

type simpleRNNJSON struct {
	*simpleRNNFields
	recurrentInitJSON
}

type lstmJSON struct {
	*lstmFields
	recurrentInitJSON
}

type gruJSON struct {
	*gruFields
	recurrentInitJSON
}

// recurrentInitJSON is how a recurrent layer's initializers are saved.
type recurrentInitJSON struct {
	KernelInitializer    *InitializerSpec `json:"kernel_initializer,omitempty"`
	RecurrentInitializer *InitializerSpec `json:"recurrent_initializer,omitempty"`
	BiasInitializer      *InitializerSpec `json:"bias_initializer,omitempty"`
}

// recurrentInits points at a recurrent layer's initializer fields.
type recurrentInits struct {
	kernel, recurrent, bias *Initializer
}

func (p recurrentInits) toJSON() (j recurrentInitJSON, err error) {
	if j.KernelInitializer, err = MarshalInitializer(*p.kernel); err != nil {
		return j, errors.Wrap(err, "kernel initializer")
	}
	if j.RecurrentInitializer, err = MarshalInitializer(*p.recurrent); err != nil {
		return j, errors.Wrap(err, "recurrent initializer")
	}
	if j.BiasInitializer, err = MarshalInitializer(*p.bias); err != nil {
		return j, errors.Wrap(err, "bias initializer")
	}
	return j, nil
}

func (p recurrentInits) fromJSON(j recurrentInitJSON) (err error) {
	if *p.kernel, err = UnmarshalInitializer(j.KernelInitializer); err != nil {
		return errors.Wrap(err, "kernel_initializer")
	}
	if *p.recurrent, err = UnmarshalInitializer(j.RecurrentInitializer); err != nil {
		return errors.Wrap(err, "recurrent_initializer")
	}
	if *p.bias, err = UnmarshalInitializer(j.BiasInitializer); err != nil {
		return errors.Wrap(err, "bias_initializer")
	}
	return nil
}

func (l *SimpleRNN) inits() recurrentInits {
	return recurrentInits{&l.KernelInitializer, &l.RecurrentInitializer, &l.BiasInitializer}
}

func (l *LSTM) inits() recurrentInits {
	return recurrentInits{&l.KernelInitializer, &l.RecurrentInitializer, &l.BiasInitializer}
}

func (l *GRU) inits() recurrentInits {
	return recurrentInits{&l.KernelInitializer, &l.RecurrentInitializer, &l.BiasInitializer}
}

// MarshalJSON writes SimpleRNN's configuration, initializers included.
func (l *SimpleRNN) MarshalJSON() ([]byte, error) {
	inits, err := l.inits().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "simple_rnn %q", l.Name)
	}
	return json.Marshal(simpleRNNJSON{(*simpleRNNFields)(l), inits})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *SimpleRNN) UnmarshalJSON(data []byte) error {
	aux := simpleRNNJSON{simpleRNNFields: (*simpleRNNFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.inits().fromJSON(aux.recurrentInitJSON)
}

// MarshalJSON writes LSTM's configuration, initializers included.
func (l *LSTM) MarshalJSON() ([]byte, error) {
	inits, err := l.inits().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "lstm %q", l.Name)
	}
	return json.Marshal(lstmJSON{(*lstmFields)(l), inits})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *LSTM) UnmarshalJSON(data []byte) error {
	aux := lstmJSON{lstmFields: (*lstmFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.inits().fromJSON(aux.recurrentInitJSON)
}

// MarshalJSON writes GRU's configuration, initializers included.
func (l *GRU) MarshalJSON() ([]byte, error) {
	inits, err := l.inits().toJSON()
	if err != nil {
		return nil, errors.Wrapf(err, "gru %q", l.Name)
	}
	return json.Marshal(gruJSON{(*gruFields)(l), inits})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *GRU) UnmarshalJSON(data []byte) error {
	aux := gruJSON{gruFields: (*gruFields)(l)}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	return l.inits().fromJSON(aux.recurrentInitJSON)
}

// bidirectionalJSON is how Bidirectional is saved: the wrapped layer as a
// nested spec.
type bidirectionalJSON struct {
	Name      string    `json:"name,omitempty"`
	Layer     *Spec     `json:"layer,omitempty"`
	MergeMode MergeMode `json:"merge_mode,omitempty"`
}

// MarshalJSON writes Bidirectional's configuration, the wrapped layer's
// spec included.
func (l *Bidirectional) MarshalJSON() ([]byte, error) {
	j := bidirectionalJSON{Name: l.Name, MergeMode: l.MergeMode}
	if l.Layer != nil {
		spec, err := Marshal(l.Layer)
		if err != nil {
			return nil, errors.Wrapf(err, "bidirectional %q", l.Name)
		}
		j.Layer = &spec
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Bidirectional) UnmarshalJSON(data []byte) error {
	var j bidirectionalJSON
	if err := decodeStrict(data, &j); err != nil {
		return err
	}
	l.Name, l.MergeMode, l.Layer = j.Name, j.MergeMode, nil
	if j.Layer != nil {
		inner, err := Unmarshal(*j.Layer, nil)
		if err != nil {
			return errors.Wrap(err, "layer")
		}
		l.Layer = inner
	}
	return nil
}
