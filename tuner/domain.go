package tuner

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"strconv"

	"github.com/pkg/errors"
)

// maxValues bounds the values a discrete hyperparameter lists and the
// points a grid enumerates.
const maxValues = 1_000_000

// domain is the set of values a hyperparameter draws from.
type domain interface {
	// sample draws a value.
	sample(r *rand.Rand) any
	// size is the number of values, or -1 for a continuum.
	size() int
	// grid lists the values a grid search tries: every value of a discrete
	// domain, points values (ends included) of a continuum.
	grid(points int) []any
	// contains reports whether v is one of the values.
	contains(v any) bool
}

// list is a discrete domain of the given values.
type list struct{ values []any }

func (l *list) sample(r *rand.Rand) any { return l.values[r.Intn(len(l.values))] }
func (l *list) size() int               { return len(l.values) }
func (l *list) grid(int) []any          { return append([]any(nil), l.values...) }
func (l *list) contains(v any) bool {
	for _, x := range l.values {
		if equal(x, v) {
			return true
		}
	}
	return false
}

// intRange is min, min+step, ... up to max.
type intRange struct{ min, max, step int }

func (d *intRange) n() int { return (d.max-d.min)/d.step + 1 }
func (d *intRange) sample(r *rand.Rand) any {
	return d.min + r.Intn(d.n())*d.step
}
func (d *intRange) size() int { return d.n() }
func (d *intRange) grid(int) []any {
	n := min(d.n(), maxValues)
	vs := make([]any, n)
	for k := range vs {
		vs[k] = d.min + k*d.step
	}
	return vs
}
func (d *intRange) contains(v any) bool {
	i, ok := v.(int)
	return ok && i >= d.min && i <= d.max && (i-d.min)%d.step == 0
}

// uniform is the real interval [min, max].
type uniform struct{ min, max float64 }

func (d *uniform) sample(r *rand.Rand) any { return d.min + r.Float64()*(d.max-d.min) }
func (d *uniform) size() int {
	if d.min == d.max {
		return 1
	}
	return -1
}
func (d *uniform) grid(points int) []any {
	if d.min == d.max {
		return []any{d.min}
	}
	vs := make([]any, points)
	for k := range vs {
		vs[k] = clean(d.min + float64(k)*(d.max-d.min)/float64(points-1))
	}
	return vs
}
func (d *uniform) contains(v any) bool {
	f, ok := toFloat(v)
	return ok && f >= d.min && f <= d.max
}

// logUniform is [min, max] on a log scale; with integer, its values are
// the integers in it, drawn log-uniformly and rounded.
type logUniform struct {
	min, max float64
	integer  bool
}

func (d *logUniform) at(u float64) float64 {
	return math.Exp(math.Log(d.min) + u*(math.Log(d.max)-math.Log(d.min)))
}
func (d *logUniform) value(f float64) any {
	if d.integer {
		return int(math.Min(math.Max(math.Round(f), d.min), d.max))
	}
	return math.Min(math.Max(f, d.min), d.max)
}
func (d *logUniform) sample(r *rand.Rand) any { return d.value(d.at(r.Float64())) }
func (d *logUniform) size() int {
	switch {
	case d.min == d.max:
		return 1
	case d.integer:
		return int(d.max-d.min) + 1
	}
	return -1
}
func (d *logUniform) grid(points int) []any {
	if d.min == d.max {
		return []any{d.value(d.min)}
	}
	var vs []any
	for k := range points {
		v := d.value(d.at(float64(k) / float64(points-1)))
		if f, ok := v.(float64); ok {
			v = clean(f)
		}
		if len(vs) == 0 || !equal(vs[len(vs)-1], v) {
			vs = append(vs, v)
		}
	}
	return vs
}
func (d *logUniform) contains(v any) bool {
	if d.integer {
		i, ok := v.(int)
		return ok && float64(i) >= d.min && float64(i) <= d.max
	}
	f, ok := toFloat(v)
	return ok && f >= d.min && f <= d.max
}

// clean rounds away the last digits of floating-point noise: 0.1+0.2 is
// 0.3.
func clean(f float64) float64 {
	g, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
	if err != nil {
		return f
	}
	return g
}

// normalize turns a hyperparameter value into its canonical Go type: int,
// float64, string or bool.
func normalize(v any) (any, Type, error) {
	switch x := v.(type) {
	case int:
		return x, IntType, nil
	case int8:
		return int(x), IntType, nil
	case int16:
		return int(x), IntType, nil
	case int32:
		return int(x), IntType, nil
	case int64:
		return int(x), IntType, nil
	case uint8:
		return int(x), IntType, nil
	case uint16:
		return int(x), IntType, nil
	case uint32:
		return int(x), IntType, nil
	case float32:
		return normalize(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, 0, errors.Errorf("value %v is not finite", x)
		}
		return x, FloatType, nil
	case json.Number:
		if i, err := strconv.Atoi(string(x)); err == nil {
			return i, IntType, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, 0, errors.Errorf("value %s is not a number", x)
		}
		return normalize(f)
	case string:
		return x, StringType, nil
	case bool:
		return x, BoolType, nil
	case nil:
		return nil, 0, errors.New("value is nil")
	}
	return nil, 0, errors.Errorf("value %v is a %T; want a string, bool, integer or float", v, v)
}

// normalizeAll normalizes values of one type; integers among floats
// become floats.
func normalizeAll(values []any) ([]any, Type, error) {
	out := make([]any, len(values))
	var typ Type
	for i, v := range values {
		n, t, err := normalize(v)
		if err != nil {
			return nil, 0, errors.Wrapf(err, "value %d", i)
		}
		out[i] = n
		switch {
		case typ == 0 || typ == t:
			typ = t
		case isNumber(typ) && isNumber(t):
			typ = FloatType
		default:
			return nil, 0, errors.Errorf("values mix %s (%v) and %s (%v); want one type", typ, out[0], t, n)
		}
	}
	if typ == FloatType {
		for i, v := range out {
			out[i], _ = toFloat(v)
		}
	}
	return out, typ, nil
}

func isNumber(t Type) bool { return t == IntType || t == FloatType }

// toFloat returns an int or float64 value as a float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// equal compares two normalized values, numbers by value (1 equals 1.0).
func equal(a, b any) bool {
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	if oka && okb {
		return fa == fb
	}
	return a == b
}

// format writes a value for tables and progress lines.
func format(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', 4, 64)
	}
	return fmt.Sprint(v)
}
