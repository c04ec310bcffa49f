package layers

import (
	"encoding/json"
	"strings"

	"github.com/pkg/errors"
)

// ConstraintSpec is a constraint as saved: its Keras name and its fields.
//
//	{"kind": "max_norm", "config": {"MaxValue": 3}}
type ConstraintSpec struct {
	Kind   string          `json:"kind"`
	Config json.RawMessage `json:"config,omitempty"`
}

// ConstraintKinds lists the names ConstraintByName knows.
func ConstraintKinds() []string {
	return []string{"max_norm", "min_max_norm", "non_neg", "unit_norm"}
}

// ConstraintByName returns the constraint Keras knows by name, with its
// zero configuration (Keras's defaults): "max_norm", "non_neg",
// "unit_norm", "min_max_norm", or the class names "MaxNorm"... Any other
// name is an error listing the known ones.
func ConstraintByName(name string) (Constraint, error) {
	switch snakeCase(name) {
	case "max_norm":
		return MaxNorm{}, nil
	case "non_neg":
		return NonNeg{}, nil
	case "unit_norm":
		return UnitNorm{}, nil
	case "min_max_norm":
		return MinMaxNorm{}, nil
	}
	return nil, errors.Errorf("unknown constraint %q (known: %s)", name, strings.Join(ConstraintKinds(), ", "))
}

// MarshalConstraint returns the spec of one of this package's constraints
// (or a pointer to one); nil gives nil. Other constraints cannot be saved.
func MarshalConstraint(c Constraint) (*ConstraintSpec, error) {
	if c == nil {
		return nil, nil
	}
	kind, cfg, err := marshalKnown("constraint", c, func(k string) (any, error) { return ConstraintByName(k) })
	if err != nil {
		return nil, err
	}
	return &ConstraintSpec{Kind: kind, Config: cfg}, nil
}

// UnmarshalConstraint makes the constraint a spec describes; a nil spec
// gives nil. A config field the constraint does not have is an error.
func UnmarshalConstraint(s *ConstraintSpec) (Constraint, error) {
	if s == nil {
		return nil, nil
	}
	zero, err := ConstraintByName(s.Kind)
	if err != nil {
		return nil, err
	}
	v, err := unmarshalKnown("constraint", s.Kind, zero, s.Config)
	if err != nil {
		return nil, err
	}
	return v.(Constraint), nil
}
