package tuner

import (
	"math"

	"github.com/pkg/errors"
)

// Param is one hyperparameter of a Space: an Int, Float, Choice, Boolean or
// Fixed. The set is closed; the zero value of each is not valid (it has no
// name).
type Param interface {
	// compile checks the hyperparameter and returns its internal form.
	compile() (*param, error)
}

var (
	_ Param = Int{}
	_ Param = Float{}
	_ Param = Choice{}
	_ Param = Boolean{}
	_ Param = Fixed{}
)

// Condition makes a hyperparameter active only when its parent, declared
// earlier in the Space, is active and has one of Values. An inactive
// hyperparameter has no value in a trial, as in Keras Tuner's
// conditional_scope.
type Condition struct {
	// Parent names the hyperparameter this one depends on. Its values must
	// be discrete: a Choice, Boolean, Fixed, Int, or Float with a Step.
	Parent string
	// Values lists the parent's values that activate this one; at least
	// one, each a value the parent can take.
	Values []any
}

// When returns the condition "active when parent has one of values".
func When(parent string, values ...any) *Condition {
	return &Condition{Parent: parent, Values: values}
}

// Int is an integer hyperparameter in [Min, Max].
type Int struct {
	// Name names the hyperparameter in Values, tables and files.
	Name string
	// Min and Max bound the values, both included; Min <= Max.
	Min, Max int
	// Step spaces the values: Min, Min+Step, ... up to Max; zero means 1.
	// With Log, a Step > 1 is a factor instead: Min, Min·Step, Min·Step²,
	// ... up to Max, as Keras Tuner's sampling="log"; zero there draws any
	// integer in [Min, Max] log-uniformly.
	Step int
	// Log draws on a log scale; Min must then be > 0.
	Log bool
	// When, if not nil, makes the hyperparameter conditional.
	When *Condition
}

// Float is a real hyperparameter in [Min, Max].
type Float struct {
	// Name names the hyperparameter in Values, tables and files.
	Name string
	// Min and Max bound the values, both included; Min <= Max, both finite.
	Min, Max float64
	// Step, when > 0, spaces the values: Min, Min+Step, ... up to Max.
	// With Log, Step > 1 is a factor: Min, Min·Step, ... up to Max. Zero
	// means any value in [Min, Max] (a grid search then takes
	// Grid.Points values, ends included).
	Step float64
	// Log draws on a log scale (log-uniformly); Min must then be > 0.
	Log bool
	// When, if not nil, makes the hyperparameter conditional.
	When *Condition
}

// Choice is a hyperparameter that takes one of Values: all strings, all
// booleans, or all numbers (integers stay ints unless a value has a
// fraction, then all are float64).
type Choice struct {
	// Name names the hyperparameter in Values, tables and files.
	Name string
	// Values lists the choices, at least one, no two equal.
	Values []any
	// When, if not nil, makes the hyperparameter conditional.
	When *Condition
}

// Boolean is a hyperparameter that is true or false.
type Boolean struct {
	// Name names the hyperparameter in Values, tables and files.
	Name string
	// When, if not nil, makes the hyperparameter conditional.
	When *Condition
}

// Fixed is a hyperparameter with one value: a string, a bool, an integer or
// a float. It documents a setting in the results and can be the parent of
// conditional ones.
type Fixed struct {
	// Name names the hyperparameter in Values, tables and files.
	Name string
	// Value is the value; nil is an error.
	Value any
	// When, if not nil, makes the hyperparameter conditional.
	When *Condition
}

// Type is the type of a hyperparameter's values.
type Type int

const (
	// IntType values are int.
	IntType Type = iota + 1
	// FloatType values are float64.
	FloatType
	// StringType values are string.
	StringType
	// BoolType values are bool.
	BoolType
)

// String returns "int", "float", "string" or "bool".
func (t Type) String() string {
	switch t {
	case IntType:
		return "int"
	case FloatType:
		return "float"
	case StringType:
		return "string"
	case BoolType:
		return "bool"
	}
	return "unknown"
}

// param is a checked hyperparameter: its name, the type of its values, the
// values it draws from and its condition.
type param struct {
	name string
	kind string // "int", "float", "choice", "boolean" or "fixed", for errors
	typ  Type
	dom  domain
	src  Param
	cond *Condition
}

func checkName(kind, name string) error {
	if name == "" {
		return errors.Errorf("%s hyperparameter: the name is empty", kind)
	}
	return nil
}

func (p Int) compile() (*param, error) {
	if err := checkName("int", p.Name); err != nil {
		return nil, err
	}
	out := &param{name: p.Name, kind: "int", typ: IntType, src: p, cond: p.When}
	switch {
	case p.Min > p.Max:
		return nil, errors.Errorf("int %q: min %d > max %d", p.Name, p.Min, p.Max)
	case p.Step < 0:
		return nil, errors.Errorf("int %q: step must be >= 0, got %d", p.Name, p.Step)
	case p.Log && p.Min <= 0:
		return nil, errors.Errorf("int %q: a log scale needs min > 0, got %d", p.Name, p.Min)
	case p.Log && p.Step == 1:
		return nil, errors.Errorf("int %q: on a log scale the step is a factor and must be >= 2 (or 0 for any integer), got 1", p.Name)
	case p.Log && p.Step > 1:
		var vs []any
		for v := p.Min; v <= p.Max; v *= p.Step {
			vs = append(vs, v)
			if v > math.MaxInt/p.Step {
				break
			}
		}
		out.dom = &list{values: vs}
	case p.Log:
		out.dom = &logUniform{min: float64(p.Min), max: float64(p.Max), integer: true}
	default:
		step := p.Step
		if step == 0 {
			step = 1
		}
		out.dom = &intRange{min: p.Min, max: p.Max, step: step}
	}
	return out, nil
}

func (p Float) compile() (*param, error) {
	if err := checkName("float", p.Name); err != nil {
		return nil, err
	}
	out := &param{name: p.Name, kind: "float", typ: FloatType, src: p, cond: p.When}
	for _, v := range []float64{p.Min, p.Max, p.Step} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.Errorf("float %q: min, max and step must be finite, got %v, %v, %v", p.Name, p.Min, p.Max, p.Step)
		}
	}
	switch {
	case p.Min > p.Max:
		return nil, errors.Errorf("float %q: min %v > max %v", p.Name, p.Min, p.Max)
	case p.Step < 0:
		return nil, errors.Errorf("float %q: step must be >= 0, got %v", p.Name, p.Step)
	case p.Log && p.Min <= 0:
		return nil, errors.Errorf("float %q: a log scale needs min > 0, got %v", p.Name, p.Min)
	case p.Log && p.Step > 0 && p.Step <= 1:
		return nil, errors.Errorf("float %q: on a log scale the step is a factor and must be > 1 (or 0), got %v", p.Name, p.Step)
	case p.Log && p.Step > 0:
		var vs []any
		for k := 0; ; k++ {
			v := clean(p.Min * math.Pow(p.Step, float64(k)))
			if v > p.Max*(1+1e-9) {
				break
			}
			vs = append(vs, v)
		}
		out.dom = &list{values: vs}
	case p.Step > 0:
		n := int(math.Floor((p.Max-p.Min)/p.Step + 1e-9))
		if n > maxValues {
			return nil, errors.Errorf("float %q: step %v makes %d values; at most %d", p.Name, p.Step, n+1, maxValues)
		}
		vs := make([]any, 0, n+1)
		for k := 0; k <= n; k++ {
			vs = append(vs, clean(p.Min+float64(k)*p.Step))
		}
		out.dom = &list{values: vs}
	case p.Log:
		out.dom = &logUniform{min: p.Min, max: p.Max}
	default:
		out.dom = &uniform{min: p.Min, max: p.Max}
	}
	return out, nil
}

func (p Choice) compile() (*param, error) {
	if err := checkName("choice", p.Name); err != nil {
		return nil, err
	}
	if len(p.Values) == 0 {
		return nil, errors.Errorf("choice %q: no values", p.Name)
	}
	vs, typ, err := normalizeAll(p.Values)
	if err != nil {
		return nil, errors.Wrapf(err, "choice %q", p.Name)
	}
	for i := range vs {
		for j := range i {
			if equal(vs[i], vs[j]) {
				return nil, errors.Errorf("choice %q: value %v is listed twice", p.Name, vs[i])
			}
		}
	}
	return &param{name: p.Name, kind: "choice", typ: typ, dom: &list{values: vs}, src: p, cond: p.When}, nil
}

func (p Boolean) compile() (*param, error) {
	if err := checkName("boolean", p.Name); err != nil {
		return nil, err
	}
	return &param{name: p.Name, kind: "boolean", typ: BoolType, dom: &list{values: []any{false, true}}, src: p, cond: p.When}, nil
}

func (p Fixed) compile() (*param, error) {
	if err := checkName("fixed", p.Name); err != nil {
		return nil, err
	}
	v, typ, err := normalize(p.Value)
	if err != nil {
		return nil, errors.Wrapf(err, "fixed %q", p.Name)
	}
	return &param{name: p.Name, kind: "fixed", typ: typ, dom: &list{values: []any{v}}, src: p, cond: p.When}, nil
}
