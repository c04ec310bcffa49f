package tuner

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"github.com/pkg/errors"
)

// The JSON form of a Space, as a search-space file holds it:
//
//	{"hyperparameters": [
//	  {"name": "lr", "type": "float", "min": 0.0001, "max": 0.1, "log": true},
//	  {"name": "units", "type": "int", "min": 16, "max": 256, "step": 16},
//	  {"name": "optimizer", "type": "choice", "values": ["adam", "sgd"]},
//	  {"name": "momentum", "type": "float", "min": 0, "max": 0.9, "step": 0.3,
//	   "when": {"parent": "optimizer", "values": ["sgd"]}},
//	  {"name": "batchnorm", "type": "boolean"},
//	  {"name": "epochs", "type": "fixed", "value": 20}
//	]}
type spaceJSON struct {
	Hyperparameters []paramJSON `json:"hyperparameters"`
}

type paramJSON struct {
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Min    *json.Number   `json:"min,omitempty"`
	Max    *json.Number   `json:"max,omitempty"`
	Step   *json.Number   `json:"step,omitempty"`
	Log    bool           `json:"log,omitempty"`
	Values []any          `json:"values,omitempty"`
	Value  any            `json:"value,omitempty"`
	When   *conditionJSON `json:"when,omitempty"`
}

type conditionJSON struct {
	Parent string `json:"parent"`
	Values []any  `json:"values"`
}

// ReadSpace reads a Space from its JSON form (see MarshalJSON) and
// validates it. Unknown fields, types and malformed numbers are errors that
// name the hyperparameter.
func ReadSpace(r io.Reader) (Space, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, errors.Wrap(err, "space")
	}
	var s Space
	if err := s.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return s, s.Validate()
}

// MarshalJSON writes the space as {"hyperparameters": [{"name": "lr",
// "type": "float", "min": 0.0001, "max": 0.1, "log": true}, ...]}: each
// hyperparameter's name, its type (int, float, choice, boolean or fixed),
// its fields in lower case, and its condition as "when": {"parent": ...,
// "values": [...]}.
func (s Space) MarshalJSON() ([]byte, error) {
	out := spaceJSON{Hyperparameters: []paramJSON{}}
	for i, p := range s {
		var j paramJSON
		num := func(x string) *json.Number { n := json.Number(x); return &n }
		ints := func(v int) *json.Number { return num(strconv.Itoa(v)) }
		floats := func(v float64) *json.Number { return num(strconv.FormatFloat(v, 'g', -1, 64)) }
		var when *Condition
		switch p := p.(type) {
		case Int:
			j = paramJSON{Name: p.Name, Type: "int", Min: ints(p.Min), Max: ints(p.Max), Log: p.Log}
			if p.Step != 0 {
				j.Step = ints(p.Step)
			}
			when = p.When
		case Float:
			j = paramJSON{Name: p.Name, Type: "float", Min: floats(p.Min), Max: floats(p.Max), Log: p.Log}
			if p.Step != 0 {
				j.Step = floats(p.Step)
			}
			when = p.When
		case Choice:
			j, when = paramJSON{Name: p.Name, Type: "choice", Values: canonical(p.Values)}, p.When
		case Boolean:
			j, when = paramJSON{Name: p.Name, Type: "boolean"}, p.When
		case Fixed:
			j, when = paramJSON{Name: p.Name, Type: "fixed", Value: canonical([]any{p.Value})[0]}, p.When
		default:
			return nil, errors.Errorf("space: hyperparameter %d is a %T", i, p)
		}
		if when != nil {
			j.When = &conditionJSON{Parent: when.Parent, Values: canonical(when.Values)}
		}
		out.Hyperparameters = append(out.Hyperparameters, j)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes. It does not validate the
// space; Search.Run and ReadSpace do.
func (s *Space) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var in spaceJSON
	if err := dec.Decode(&in); err != nil {
		return errors.Wrap(err, "space: want {\"hyperparameters\": [{\"name\": ..., \"type\": ...}, ...]}")
	}
	out := make(Space, 0, len(in.Hyperparameters))
	for i, j := range in.Hyperparameters {
		p, err := j.param()
		if err != nil {
			return errors.Wrapf(err, "space: hyperparameter %d", i)
		}
		out = append(out, p)
	}
	*s = out
	return nil
}

func (j paramJSON) param() (Param, error) {
	var when *Condition
	if j.When != nil {
		when = &Condition{Parent: j.When.Parent, Values: j.When.Values}
	}
	extra := func(fields ...string) error {
		has := map[string]bool{"min": j.Min != nil, "max": j.Max != nil, "step": j.Step != nil, "log": j.Log, "values": j.Values != nil, "value": j.Value != nil}
		allowed := map[string]bool{}
		for _, f := range fields {
			allowed[f] = true
		}
		for _, f := range []string{"min", "max", "step", "log", "values", "value"} {
			if has[f] && !allowed[f] {
				return errors.Errorf("%s %q: a %s has no %q", j.Type, j.Name, j.Type, f)
			}
		}
		return nil
	}
	switch j.Type {
	case "int":
		if err := extra("min", "max", "step", "log"); err != nil {
			return nil, err
		}
		p := Int{Name: j.Name, Log: j.Log, When: when}
		for _, f := range []struct {
			what string
			n    *json.Number
			to   *int
		}{{"min", j.Min, &p.Min}, {"max", j.Max, &p.Max}, {"step", j.Step, &p.Step}} {
			if f.n == nil {
				if f.what == "step" {
					continue
				}
				return nil, errors.Errorf("int %q: %s is missing", j.Name, f.what)
			}
			v, err := strconv.Atoi(string(*f.n))
			if err != nil {
				return nil, errors.Errorf("int %q: %s %s is not an integer", j.Name, f.what, *f.n)
			}
			*f.to = v
		}
		return p, nil
	case "float":
		if err := extra("min", "max", "step", "log"); err != nil {
			return nil, err
		}
		p := Float{Name: j.Name, Log: j.Log, When: when}
		for _, f := range []struct {
			what string
			n    *json.Number
			to   *float64
		}{{"min", j.Min, &p.Min}, {"max", j.Max, &p.Max}, {"step", j.Step, &p.Step}} {
			if f.n == nil {
				if f.what == "step" {
					continue
				}
				return nil, errors.Errorf("float %q: %s is missing", j.Name, f.what)
			}
			v, err := f.n.Float64()
			if err != nil {
				return nil, errors.Errorf("float %q: %s %s is not a number", j.Name, f.what, *f.n)
			}
			*f.to = v
		}
		return p, nil
	case "choice":
		if err := extra("values"); err != nil {
			return nil, err
		}
		return Choice{Name: j.Name, Values: j.Values, When: when}, nil
	case "boolean", "bool":
		if err := extra(); err != nil {
			return nil, err
		}
		return Boolean{Name: j.Name, When: when}, nil
	case "fixed":
		if err := extra("value"); err != nil {
			return nil, err
		}
		return Fixed{Name: j.Name, Value: j.Value, When: when}, nil
	}
	return nil, errors.Errorf("%q: type %q; want int, float, choice, boolean or fixed", j.Name, j.Type)
}

// canonical returns values normalized where they can be (a json.Number
// as an int or float64), so that a space read from JSON and the same
// space written in Go encode alike.
func canonical(values []any) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
		if n, _, err := normalize(v); err == nil {
			out[i] = n
		}
	}
	return out
}
