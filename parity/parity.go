package parity

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Fixture is a generator's output: its name and its cases, left raw for
// each area's test to decode into its own case type.
type Fixture struct {
	Generator string            `json:"generator"`
	Versions  map[string]string `json:"versions"`
	Cases     []json.RawMessage `json:"cases"`
}

// Case holds the fields every case has.
type Case struct {
	Name   string  `json:"name"`
	DType  string  `json:"dtype"`
	RTol   float64 `json:"rtol"`
	ATol   float64 `json:"atol"`
	Source string  `json:"source"`
}

// Explain logs, when t failed, the reference the case follows: defer it at
// the start of a case's test.
func (c Case) Explain(t testing.TB) {
	t.Helper()
	if t.Failed() {
		t.Logf("reference: %s (%s; rtol %g, atol %g)", c.Source, c.DType, c.RTol, c.ATol)
	}
}

// Dtype is the case's dtype as a tensor.Dtype.
func (c Case) Dtype() (tensor.Dtype, error) {
	switch c.DType {
	case "float32":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, errors.Errorf("case %q: dtype %q, want float32 or float64", c.Name, c.DType)
}

// Load reads the fixture at path and decodes each case into a new element
// of *cases (a pointer to a slice).
func Load[T any](path string) ([]T, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fixture
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, errors.Wrapf(err, "%s", path)
	}
	out := make([]T, len(f.Cases))
	for i, raw := range f.Cases {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			return nil, errors.Wrapf(err, "%s: case %d", path, i)
		}
	}
	return out, nil
}

// Values are numbers as a fixture writes them: JSON numbers, or the
// strings "nan", "inf" and "-inf".
type Values []float64

// UnmarshalJSON reads numbers and the strings "nan", "inf", "-inf".
func (v *Values) UnmarshalJSON(data []byte) error {
	var raw []any
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make([]float64, len(raw))
	for i, r := range raw {
		switch x := r.(type) {
		case float64:
			out[i] = x
		case string:
			switch x {
			case "nan":
				out[i] = math.NaN()
			case "inf":
				out[i] = math.Inf(1)
			case "-inf":
				out[i] = math.Inf(-1)
			default:
				return errors.Errorf("value %d: %q is not a number", i, x)
			}
		default:
			return errors.Errorf("value %d: %v is not a number", i, r)
		}
	}
	*v = out
	return nil
}

// Tensor returns v as a tensor of shape and dtype dt.
func (v Values) Tensor(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// Floats returns t's values as float64s.
func Floats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	return nil
}

// Compare returns a description of the first values of got that are not
// within atol + rtol |want| of want (NaN matches NaN, an infinity itself),
// and the largest error relative to the tolerance; "" when all match.
func Compare(what string, got, want []float64, rtol, atol float64) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad, first := 0, ""
	for i := range got {
		g, w := got[i], want[i]
		if math.IsNaN(w) && math.IsNaN(g) || (math.IsInf(w, 0) && g == w) {
			continue
		}
		if d := math.Abs(g - w); !(d <= atol+rtol*math.Abs(w)) {
			if bad == 0 {
				first = fmt.Sprintf("[%d] = %.17g, want %.17g (|diff| %.3g > %.3g)", i, g, w, d, atol+rtol*math.Abs(w))
			}
			bad++
		}
	}
	if bad == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %d of %d values differ, first %s", what, bad, len(got), first)
}

// DotLoss is the loss sum(pred * target): with the case's upstream
// gradient dy as the target, the gradient of the loss with respect to
// anything is dy times the Jacobian of the output, what PyTorch's
// y.backward(dy) computes.
type DotLoss struct{}

// Name returns "dot".
func (DotLoss) Name() string { return "dot" }

// Build returns sum(pred * target).
func (DotLoss) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	p, err := gorgonia.HadamardProd(pred, target)
	if err != nil {
		return nil, err
	}
	return gorgonia.Sum(p)
}
