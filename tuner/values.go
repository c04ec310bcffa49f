package tuner

import (
	"encoding/json"
	"strings"

	"github.com/pkg/errors"
)

// Values are the hyperparameters one trial chose, as a BuildFunc reads
// them. The typed getters never panic: asking for a hyperparameter the
// space lacks, one that is inactive in this trial, or one of another type
// returns the zero value and records an error that Err returns (the first
// one). A trial whose build function leaves an error recorded fails with
// it, so a build function may read everything and check once.
//
// Each execution of a trial gets its own Values; a BuildFunc may read them
// from several goroutines only if it does not share one Values among them.
type Values struct {
	space *compiled
	m     map[string]any

	seed             int64
	trial, execution int
	err              error
}

func newValues(c *compiled, m map[string]any) *Values {
	return &Values{space: c, m: m}
}

// forRun returns a copy of v for execution e of trial id, with its seed
// and no recorded error.
func (v *Values) forRun(id, e int, seed int64) *Values {
	return &Values{space: v.space, m: v.m, seed: seed, trial: id, execution: e}
}

// Seed is the seed this execution of the trial trains with: derived from
// the search's seed, the trial's configuration and the execution alone.
// A BuildFunc passes it to models.Config's Seed so that the search is
// repeatable and executions differ; the search sets FitConfig.Seed to it.
func (v *Values) Seed() int64 { return v.seed }

// Trial is the ID of the trial being built, from 0.
func (v *Values) Trial() int { return v.trial }

// Execution is the execution of the trial being built, from 0 (see
// Search.Executions).
func (v *Values) Execution() int { return v.execution }

// Err returns the first error a getter recorded, or nil.
func (v *Values) Err() error { return v.err }

func (v *Values) fail(err error) {
	if v.err == nil {
		v.err = err
	}
}

// lookup returns the value of name, recording why there is none.
func (v *Values) lookup(name string) (any, bool) {
	if x, ok := v.m[name]; ok {
		return x, true
	}
	if v.space == nil {
		v.fail(errors.Errorf("hyperparameter %q: the values are empty", name))
		return nil, false
	}
	i, ok := v.space.index[name]
	if !ok {
		v.fail(errors.Errorf("hyperparameter %q is not in the search space (%s)", name, strings.Join(v.space.names(), ", ")))
		return nil, false
	}
	p := v.space.params[i]
	v.fail(errors.Errorf("hyperparameter %q is not active in this trial (%s); check Active first", name, v.space.conditionText(p)))
	return nil, false
}

// Int returns the value of an integer hyperparameter.
func (v *Values) Int(name string) int {
	x, ok := v.lookup(name)
	if !ok {
		return 0
	}
	i, ok := x.(int)
	if !ok {
		v.fail(errors.Errorf("hyperparameter %q is %v, not an int", name, x))
	}
	return i
}

// Float returns the value of a float hyperparameter; an integer one is
// converted.
func (v *Values) Float(name string) float64 {
	x, ok := v.lookup(name)
	if !ok {
		return 0
	}
	f, ok := toFloat(x)
	if !ok {
		v.fail(errors.Errorf("hyperparameter %q is %v, not a number", name, x))
	}
	return f
}

// String returns the value of a string hyperparameter.
func (v *Values) String(name string) string {
	x, ok := v.lookup(name)
	if !ok {
		return ""
	}
	s, ok := x.(string)
	if !ok {
		v.fail(errors.Errorf("hyperparameter %q is %v, not a string", name, x))
	}
	return s
}

// Bool returns the value of a boolean hyperparameter.
func (v *Values) Bool(name string) bool {
	x, ok := v.lookup(name)
	if !ok {
		return false
	}
	b, ok := x.(bool)
	if !ok {
		v.fail(errors.Errorf("hyperparameter %q is %v, not a bool", name, x))
	}
	return b
}

// Get returns the value of name (an int, float64, string or bool) and
// whether it is active in this trial. It records no error.
func (v *Values) Get(name string) (any, bool) {
	x, ok := v.m[name]
	return x, ok
}

// Active reports whether name has a value in this trial: it is in the
// space and its condition, if any, holds.
func (v *Values) Active(name string) bool {
	_, ok := v.m[name]
	return ok
}

// Names lists the active hyperparameters in the space's order.
func (v *Values) Names() []string {
	if v.space == nil {
		return nil
	}
	var names []string
	for _, p := range v.space.params {
		if _, ok := v.m[p.name]; ok {
			names = append(names, p.name)
		}
	}
	return names
}

// Map returns a copy of the values by name.
func (v *Values) Map() map[string]any {
	m := make(map[string]any, len(v.m))
	for k, x := range v.m {
		m[k] = x
	}
	return m
}

// Text returns the values as "lr=0.001 units=64", in the space's order.
func (v *Values) Text() string {
	var b strings.Builder
	for i, n := range v.Names() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n + "=" + format(v.m[n]))
	}
	return b.String()
}

// key identifies the configuration, for finding duplicates.
func (v *Values) key() string {
	b, _ := json.Marshal(v.m)
	return string(b)
}

// MarshalJSON writes the values as a JSON object by name.
func (v *Values) MarshalJSON() ([]byte, error) {
	if v.m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(v.m)
}
