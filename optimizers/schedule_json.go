package optimizers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/pkg/errors"
)

// ScheduleSpec is a schedule as saved in a model file or written by hand:
// its Keras name in snake case and its fields.
//
//	{"kind": "exponential_decay", "config": {"InitialLearningRate": 0.1, "DecaySteps": 1000, "DecayRate": 0.96}}
type ScheduleSpec struct {
	Kind   string          `json:"kind"`
	Config json.RawMessage `json:"config,omitempty"`
}

// ScheduleKinds lists the kinds ScheduleByName knows.
func ScheduleKinds() []string {
	return []string{"cosine_decay", "cosine_decay_restarts", "exponential_decay",
		"inverse_time_decay", "piecewise_constant_decay", "polynomial_decay"}
}

// ScheduleByName returns the zero value of the schedule Keras names kind:
// "exponential_decay", "piecewise_constant_decay", "polynomial_decay",
// "inverse_time_decay", "cosine_decay", "cosine_decay_restarts", or the
// class names ("ExponentialDecay"...). The zero values need their fields
// set: they fail Validate. Any other kind is an error listing the known
// ones.
func ScheduleByName(kind string) (Schedule, error) {
	if kind != "" && kind[0] >= 'A' && kind[0] <= 'Z' {
		kind = snakeCase(kind)
	}
	switch kind {
	case "exponential_decay":
		return ExponentialDecay{}, nil
	case "piecewise_constant_decay":
		return PiecewiseConstantDecay{}, nil
	case "polynomial_decay":
		return PolynomialDecay{}, nil
	case "inverse_time_decay":
		return InverseTimeDecay{}, nil
	case "cosine_decay":
		return CosineDecay{}, nil
	case "cosine_decay_restarts":
		return CosineDecayRestarts{}, nil
	}
	return nil, errors.Errorf("unknown schedule %q (known: %s)", kind, strings.Join(ScheduleKinds(), ", "))
}

// MarshalSchedule returns the spec of one of this package's schedules (or
// a pointer to one); nil gives nil. Other schedules, ScheduleFunc among
// them, cannot be saved: that is an error.
func MarshalSchedule(s Schedule) (*ScheduleSpec, error) {
	if s == nil {
		return nil, nil
	}
	t := reflect.TypeOf(s)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kind := snakeCase(t.Name())
	if known, err := ScheduleByName(kind); err != nil || reflect.TypeOf(known) != t {
		return nil, errors.Errorf("schedule %T cannot be saved: only this package's schedules can", s)
	}
	cfg, err := json.Marshal(s)
	if err != nil {
		return nil, errors.Wrapf(err, "schedule %s", kind)
	}
	return &ScheduleSpec{Kind: kind, Config: cfg}, nil
}

// UnmarshalSchedule makes the schedule a spec describes; a nil spec gives
// nil. A config field the schedule does not have is an error. The schedule
// is not validated here: NewSolver does it.
func UnmarshalSchedule(s *ScheduleSpec) (Schedule, error) {
	if s == nil {
		return nil, nil
	}
	zero, err := ScheduleByName(s.Kind)
	if err != nil {
		return nil, err
	}
	v := reflect.New(reflect.TypeOf(zero))
	if len(s.Config) > 0 {
		if err := decodeStrict(s.Config, v.Interface()); err != nil {
			return nil, errors.Wrapf(err, "schedule %s: config", s.Kind)
		}
	}
	return v.Elem().Interface().(Schedule), nil
}

// decodeStrict decodes data into v, rejecting fields v does not have.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// snakeCase turns a Go type name into Keras's snake-case name:
// "CosineDecayRestarts" -> "cosine_decay_restarts".
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The optimizers' JSON is their fields, as encoding/json writes them, plus
// "Schedule": the schedule's spec, left out when there is none. Decoding
// rejects unknown fields, as model files are read; a "Schedule" that is
// absent or null leaves the field as it was.

// MarshalJSON writes o's fields and its schedule's spec.
func (o SGD) MarshalJSON() ([]byte, error) {
	type fields SGD
	spec, err := MarshalSchedule(o.Schedule)
	if err != nil {
		return nil, errors.Wrap(err, "sgd")
	}
	return json.Marshal(struct {
		fields
		Schedule *ScheduleSpec `json:",omitempty"`
	}{fields(o), spec})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *SGD) UnmarshalJSON(data []byte) error {
	type fields SGD
	aux := struct {
		*fields
		Schedule *ScheduleSpec
	}{fields: (*fields)(o)}
	return unmarshalWithSchedule(data, &aux, &aux.Schedule, &o.Schedule)
}

// MarshalJSON writes o's fields and its schedule's spec.
func (o Adam) MarshalJSON() ([]byte, error) {
	type fields Adam
	spec, err := MarshalSchedule(o.Schedule)
	if err != nil {
		return nil, errors.Wrap(err, "adam")
	}
	return json.Marshal(struct {
		fields
		Schedule *ScheduleSpec `json:",omitempty"`
	}{fields(o), spec})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Adam) UnmarshalJSON(data []byte) error {
	type fields Adam
	aux := struct {
		*fields
		Schedule *ScheduleSpec
	}{fields: (*fields)(o)}
	return unmarshalWithSchedule(data, &aux, &aux.Schedule, &o.Schedule)
}

// MarshalJSON writes o's fields and its schedule's spec.
func (o AdamW) MarshalJSON() ([]byte, error) {
	type fields AdamW
	spec, err := MarshalSchedule(o.Schedule)
	if err != nil {
		return nil, errors.Wrap(err, "adamw")
	}
	return json.Marshal(struct {
		fields
		Schedule *ScheduleSpec `json:",omitempty"`
	}{fields(o), spec})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *AdamW) UnmarshalJSON(data []byte) error {
	type fields AdamW
	aux := struct {
		*fields
		Schedule *ScheduleSpec
	}{fields: (*fields)(o)}
	return unmarshalWithSchedule(data, &aux, &aux.Schedule, &o.Schedule)
}

// MarshalJSON writes o's fields and its schedule's spec.
func (o RMSProp) MarshalJSON() ([]byte, error) {
	type fields RMSProp
	spec, err := MarshalSchedule(o.Schedule)
	if err != nil {
		return nil, errors.Wrap(err, "rmsprop")
	}
	return json.Marshal(struct {
		fields
		Schedule *ScheduleSpec `json:",omitempty"`
	}{fields(o), spec})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *RMSProp) UnmarshalJSON(data []byte) error {
	type fields RMSProp
	aux := struct {
		*fields
		Schedule *ScheduleSpec
	}{fields: (*fields)(o)}
	return unmarshalWithSchedule(data, &aux, &aux.Schedule, &o.Schedule)
}

// MarshalJSON writes o's fields and its schedule's spec.
func (o AdaGrad) MarshalJSON() ([]byte, error) {
	type fields AdaGrad
	spec, err := MarshalSchedule(o.Schedule)
	if err != nil {
		return nil, errors.Wrap(err, "adagrad")
	}
	return json.Marshal(struct {
		fields
		Schedule *ScheduleSpec `json:",omitempty"`
	}{fields(o), spec})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *AdaGrad) UnmarshalJSON(data []byte) error {
	type fields AdaGrad
	aux := struct {
		*fields
		Schedule *ScheduleSpec
	}{fields: (*fields)(o)}
	return unmarshalWithSchedule(data, &aux, &aux.Schedule, &o.Schedule)
}

// unmarshalWithSchedule decodes data strictly into aux, whose embedded
// fields point into the optimizer, then sets *dst from the spec aux read
// into *spec, when there was one.
func unmarshalWithSchedule(data []byte, aux any, spec **ScheduleSpec, dst *Schedule) error {
	if err := decodeStrict(data, aux); err != nil {
		return err
	}
	if *spec == nil {
		return nil
	}
	s, err := UnmarshalSchedule(*spec)
	if err != nil {
		return errors.Wrap(err, "Schedule")
	}
	*dst = s
	return nil
}
