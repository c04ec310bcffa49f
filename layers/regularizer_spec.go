package layers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/pkg/errors"
)

// RegularizerSpec is a regularizer as saved: its Keras name and its fields.
//
//	{"kind": "l2", "config": {"L2": 0.001}}
type RegularizerSpec struct {
	Kind   string          `json:"kind"`
	Config json.RawMessage `json:"config,omitempty"`
}

// RegularizerKinds lists the names RegularizerByName knows.
func RegularizerKinds() []string { return []string{"l1", "l1_l2", "l2"} }

// RegularizerByName returns the regularizer Keras knows by name, with its
// zero configuration: "l1", "l2", "l1_l2", or the class names "L1", "L2",
// "L1L2". Any other name is an error listing the known ones.
func RegularizerByName(name string) (Regularizer, error) {
	switch snakeCase(name) {
	case "l1":
		return L1{}, nil
	case "l2":
		return L2{}, nil
	case "l1_l2":
		return L1L2{}, nil
	}
	return nil, errors.Errorf("unknown regularizer %q (known: %s)", name, strings.Join(RegularizerKinds(), ", "))
}

// MarshalRegularizer returns the spec of one of this package's regularizers
// (or a pointer to one); nil gives nil. Other regularizers cannot be saved.
func MarshalRegularizer(r Regularizer) (*RegularizerSpec, error) {
	if r == nil {
		return nil, nil
	}
	kind, cfg, err := marshalKnown("regularizer", r, func(k string) (any, error) { return RegularizerByName(k) })
	if err != nil {
		return nil, err
	}
	return &RegularizerSpec{Kind: kind, Config: cfg}, nil
}

// UnmarshalRegularizer makes the regularizer a spec describes; a nil spec
// gives nil. A config field the regularizer does not have is an error.
func UnmarshalRegularizer(s *RegularizerSpec) (Regularizer, error) {
	if s == nil {
		return nil, nil
	}
	zero, err := RegularizerByName(s.Kind)
	if err != nil {
		return nil, err
	}
	v, err := unmarshalKnown("regularizer", s.Kind, zero, s.Config)
	if err != nil {
		return nil, err
	}
	return v.(Regularizer), nil
}

// marshalKnown returns the kind and config of v, which must be (a pointer
// to) the value byName returns for its type's snake-case name: one of this
// package's types. what names the concept in errors.
func marshalKnown(what string, v any, byName func(kind string) (any, error)) (string, json.RawMessage, error) {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kind := snakeCase(t.Name())
	if known, err := byName(kind); err != nil || reflect.TypeOf(known) != t {
		return "", nil, errors.Errorf("%s %T cannot be saved: only this package's %ss can", what, v, what)
	}
	if t.Kind() != reflect.Struct || t.NumField() == 0 {
		return kind, nil, nil
	}
	cfg, err := json.Marshal(v)
	if err != nil {
		return "", nil, errors.Wrapf(err, "%s %s", what, kind)
	}
	return kind, cfg, nil
}

// unmarshalKnown decodes cfg strictly into a copy of zero.
func unmarshalKnown(what, kind string, zero any, cfg json.RawMessage) (any, error) {
	v := reflect.New(reflect.TypeOf(zero))
	if len(cfg) > 0 {
		dec := json.NewDecoder(bytes.NewReader(cfg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v.Interface()); err != nil {
			return nil, errors.Wrapf(err, "%s %s: config", what, kind)
		}
	}
	return v.Elem().Interface(), nil
}
