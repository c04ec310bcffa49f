package tuner

import (
	"math/rand"
	"strings"

	"github.com/pkg/errors"
)

// Space is a search space: the hyperparameters a trial chooses, in order.
// A conditional hyperparameter comes after its parent.
//
//	space := tuner.Space{
//		tuner.Float{Name: "lr", Min: 1e-4, Max: 1e-1, Log: true},
//		tuner.Int{Name: "units", Min: 16, Max: 256, Step: 16},
//		tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
//		tuner.Float{Name: "momentum", Min: 0, Max: 0.9, Step: 0.3, When: tuner.When("optimizer", "sgd")},
//	}
type Space []Param

// compiled is a checked Space.
type compiled struct {
	params []*param
	index  map[string]int
}

// Validate checks the space: at least one hyperparameter, names unique and
// not empty, bounds in order (min <= max, a log scale above 0, steps >=
// 0), choices not empty and of one type, and each condition on an earlier
// hyperparameter with discrete values, naming values it can take. The
// error names the hyperparameter and the value received.
func (s Space) Validate() error {
	_, err := s.compile()
	return err
}

func (s Space) compile() (*compiled, error) {
	if len(s) == 0 {
		return nil, errors.New("space: no hyperparameters; add at least one")
	}
	c := &compiled{index: map[string]int{}}
	for i, p := range s {
		if p == nil {
			return nil, errors.Errorf("space: hyperparameter %d is nil", i)
		}
		cp, err := p.compile()
		if err != nil {
			return nil, errors.Wrap(err, "space")
		}
		if _, dup := c.index[cp.name]; dup {
			return nil, errors.Errorf("space: two hyperparameters are named %q", cp.name)
		}
		if err := c.checkCondition(cp); err != nil {
			return nil, errors.Wrap(err, "space")
		}
		c.index[cp.name] = len(c.params)
		c.params = append(c.params, cp)
	}
	return c, nil
}

// checkCondition checks p's condition against the hyperparameters before
// it, and normalizes its values.
func (c *compiled) checkCondition(p *param) error {
	if p.cond == nil {
		return nil
	}
	name := p.cond.Parent
	if name == p.name {
		return errors.Errorf("%s %q: the condition is on itself", p.kind, p.name)
	}
	i, ok := c.index[name]
	if !ok {
		return errors.Errorf("%s %q: the condition's parent %q is not a hyperparameter declared before it", p.kind, p.name, name)
	}
	parent := c.params[i]
	if parent.dom.size() < 0 {
		return errors.Errorf("%s %q: the condition's parent %q takes continuous values; give it a Step or make it a Choice", p.kind, p.name, name)
	}
	if len(p.cond.Values) == 0 {
		return errors.Errorf("%s %q: the condition on %q lists no values", p.kind, p.name, name)
	}
	vs := make([]any, len(p.cond.Values))
	for j, v := range p.cond.Values {
		n, _, err := normalize(v)
		if err != nil {
			return errors.Wrapf(err, "%s %q: the condition on %q", p.kind, p.name, name)
		}
		if !parent.dom.contains(n) {
			return errors.Errorf("%s %q: the condition on %q names %v, a value %q never takes", p.kind, p.name, name, v, name)
		}
		vs[j] = n
	}
	p.cond = &Condition{Parent: name, Values: vs}
	return nil
}

// active reports whether p is active given the values chosen so far.
func (c *compiled) active(p *param, chosen map[string]any) bool {
	if p.cond == nil {
		return true
	}
	v, ok := chosen[p.cond.Parent]
	if !ok {
		return false
	}
	for _, w := range p.cond.Values {
		if equal(v, w) {
			return true
		}
	}
	return false
}

// sample draws the values of one trial: each active hyperparameter in
// order.
func (c *compiled) sample(r *rand.Rand) map[string]any {
	m := map[string]any{}
	for _, p := range c.params {
		if c.active(p, m) {
			m[p.name] = p.dom.sample(r)
		}
	}
	return m
}

// gridSize is the number of points a grid of the hyperparameters from i
// on holds, given chosen, capped at maxValues+1. It branches only on the
// values of parents of conditions.
func (c *compiled) gridSize(i int, chosen map[string]any, points int) int {
	if i == len(c.params) {
		return 1
	}
	p := c.params[i]
	if !c.active(p, chosen) {
		return c.gridSize(i+1, chosen, points)
	}
	if !c.isParent(p.name) {
		n := p.dom.size()
		if _, ok := p.dom.(*logUniform); ok || n < 0 {
			n = len(p.dom.grid(points))
		}
		rest := c.gridSize(i+1, chosen, points)
		if n > 0 && rest > (maxValues+1)/n {
			return maxValues + 1
		}
		return n * rest
	}
	total := 0
	for _, v := range p.dom.grid(points) {
		chosen[p.name] = v
		total = min(total+c.gridSize(i+1, chosen, points), maxValues+1)
	}
	delete(chosen, p.name)
	return total
}

// isParent reports whether a condition depends on name.
func (c *compiled) isParent(name string) bool {
	for _, p := range c.params {
		if p.cond != nil && p.cond.Parent == name {
			return true
		}
	}
	return false
}

var errTooMany = errors.New("too many points")

// enumerate calls visit with every combination of the values of the
// hyperparameters from i on, given chosen, in order: the last
// hyperparameter varies fastest, and a continuous one takes points
// values. visit must copy the map it is given to keep it.
func (c *compiled) enumerate(i int, chosen map[string]any, points int, visit func(map[string]any) error) error {
	if i == len(c.params) {
		return visit(chosen)
	}
	p := c.params[i]
	if !c.active(p, chosen) {
		return c.enumerate(i+1, chosen, points, visit)
	}
	for _, v := range p.dom.grid(points) {
		chosen[p.name] = v
		if err := c.enumerate(i+1, chosen, points, visit); err != nil {
			delete(chosen, p.name)
			return err
		}
	}
	delete(chosen, p.name)
	return nil
}

// Names lists the hyperparameters' names in order.
func (s Space) Names() []string {
	c, err := s.compile()
	if err != nil {
		return nil
	}
	names := make([]string, len(c.params))
	for i, p := range c.params {
		names[i] = p.name
	}
	return names
}

// Type returns the type of the values of the hyperparameter name, and false
// when the space has none of that name or does not validate.
func (s Space) Type(name string) (Type, bool) {
	c, err := s.compile()
	if err != nil {
		return 0, false
	}
	i, ok := c.index[name]
	if !ok {
		return 0, false
	}
	return c.params[i].typ, true
}

// Values returns the Values of a trial that chose m: every active
// hyperparameter given, in its domain, and no inactive one. It is how a
// configuration found elsewhere (a results file, a command line) is
// trained again.
func (s Space) Values(m map[string]any) (*Values, error) {
	c, err := s.compile()
	if err != nil {
		return nil, err
	}
	return c.values(m)
}

func (c *compiled) values(m map[string]any) (*Values, error) {
	chosen := map[string]any{}
	for name := range m {
		if _, ok := c.index[name]; !ok {
			return nil, errors.Errorf("values: %q is not a hyperparameter of the space (%s)", name, strings.Join(c.names(), ", "))
		}
	}
	for _, p := range c.params {
		v, given := m[p.name]
		active := c.active(p, chosen)
		switch {
		case active && !given:
			return nil, errors.Errorf("values: %q is active but has no value", p.name)
		case !active && given:
			return nil, errors.Errorf("values: %q is given but inactive (%s)", p.name, c.conditionText(p))
		case !active:
			continue
		}
		n, err := c.convert(p, v)
		if err != nil {
			return nil, errors.Wrap(err, "values")
		}
		chosen[p.name] = n
	}
	return newValues(c, chosen), nil
}

// convert normalizes v, a value of p read from Go or JSON, to p's type and
// checks that p can take it.
func (c *compiled) convert(p *param, v any) (any, error) {
	n, t, err := normalize(v)
	if err != nil {
		return nil, errors.Wrapf(err, "%q", p.name)
	}
	if t == IntType && p.typ == FloatType {
		n, t = float64(n.(int)), FloatType
	}
	if t == FloatType && p.typ == IntType {
		f := n.(float64)
		if f != float64(int(f)) {
			return nil, errors.Errorf("%q: %v is not an integer", p.name, f)
		}
		n, t = int(f), IntType
	}
	if t != p.typ {
		return nil, errors.Errorf("%q is a %s, got %v (%s)", p.name, p.typ, v, t)
	}
	if !p.dom.contains(n) {
		return nil, errors.Errorf("%q: %v is not a value it takes", p.name, v)
	}
	return n, nil
}

func (c *compiled) names() []string {
	names := make([]string, len(c.params))
	for i, p := range c.params {
		names[i] = p.name
	}
	return names
}

// conditionText says when p is active: "it needs optimizer = sgd".
func (c *compiled) conditionText(p *param) string {
	vs := make([]string, len(p.cond.Values))
	for i, v := range p.cond.Values {
		vs[i] = format(v)
	}
	return "it needs " + p.cond.Parent + " = " + strings.Join(vs, " or ")
}

// Sample returns the first n configurations a Random search with this
// seed tries, fewer when the space holds fewer distinct ones.
func (s Space) Sample(seed int64, n int) ([]*Values, error) {
	c, err := s.compile()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, errors.Errorf("sample: n must be >= 0, got %d", n)
	}
	smp := &sampler{c: c, seed: seed}
	return append([]*Values(nil), smp.get(n)...), nil
}

// Enumerate returns the configurations a Grid search of the given Points
// tries, in order.
func (s Space) Enumerate(points int) ([]*Values, error) {
	c, err := s.compile()
	if err != nil {
		return nil, err
	}
	g := Grid{Points: points}
	p := &plan{space: c}
	if err := g.check(p); err != nil {
		return nil, err
	}
	return g.configs(p), nil
}
