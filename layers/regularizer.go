package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Regularizer is a penalty on a weight or on a layer's output that is added
// to the loss, as Keras's kernel_regularizer, bias_regularizer and
// activity_regularizer. Layers call Penalty while they build a graph and add
// the result with Call.AddLoss.
type Regularizer interface {
	// Penalty returns a scalar node of w's dtype in w's graph, computed
	// from w.
	Penalty(w *gorgonia.Node) (*gorgonia.Node, error)
}

// Compile-time checks that every regularizer satisfies the contract.
var (
	_ Regularizer = L1{}
	_ Regularizer = L2{}
	_ Regularizer = L1L2{}
)

// L1 is Keras's L1 regularizer: L1 * sum(|w|). Its gradient is
// L1 * sign(w), taken as 0 where w is exactly 0 (Gorgonia's Abs).
type L1 struct {
	// L1 is the factor, >= 0; zero means 0.01, Keras's default.
	L1 float64
}

// Penalty returns L1 * sum(|w|).
func (r L1) Penalty(w *gorgonia.Node) (*gorgonia.Node, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return l1l2(w, orDefault(r.L1, 0.01), 0)
}

// Validate returns an error naming L1 unless it is >= 0 and finite.
func (r L1) Validate() error { return checkFactor("l1", "L1", r.L1) }

// L2 is Keras's L2 regularizer: L2 * sum(w^2), weight decay through the
// loss (note Keras's L2 has no factor 1/2).
type L2 struct {
	// L2 is the factor, >= 0; zero means 0.01, Keras's default.
	L2 float64
}

// Penalty returns L2 * sum(w^2).
func (r L2) Penalty(w *gorgonia.Node) (*gorgonia.Node, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return l1l2(w, 0, orDefault(r.L2, 0.01))
}

// Validate returns an error naming L2 unless it is >= 0 and finite.
func (r L2) Validate() error { return checkFactor("l2", "L2", r.L2) }

// L1L2 is Keras's L1L2 regularizer: L1 * sum(|w|) + L2 * sum(w^2). Unlike
// L1 and L2, its zero factors mean 0, as in Keras: the zero value's penalty
// is 0.
type L1L2 struct {
	// L1 is the factor of sum(|w|), >= 0; zero means none.
	L1 float64
	// L2 is the factor of sum(w^2), >= 0; zero means none.
	L2 float64
}

// Penalty returns L1 * sum(|w|) + L2 * sum(w^2).
func (r L1L2) Penalty(w *gorgonia.Node) (*gorgonia.Node, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return l1l2(w, r.L1, r.L2)
}

// Validate returns an error naming the first factor that is negative or
// not finite.
func (r L1L2) Validate() error {
	if err := checkFactor("l1_l2", "L1", r.L1); err != nil {
		return err
	}
	return checkFactor("l1_l2", "L2", r.L2)
}

// l1l2 builds l1 * sum(|w|) + l2 * sum(w^2), leaving out a term whose
// factor is 0; with both 0 it is a scalar node of w's graph holding 0.
func l1l2(w *gorgonia.Node, l1, l2 float64) (*gorgonia.Node, error) {
	if w == nil {
		return nil, errors.New("penalty of a nil node")
	}
	dt := w.Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("penalty of %q: weights must be float32 or float64, got %v", w.Name(), dt)
	}
	var total *gorgonia.Node
	term := func(f func(*gorgonia.Node) (*gorgonia.Node, error), k float64) error {
		if k == 0 {
			return nil
		}
		v, err := f(w)
		if err != nil {
			return err
		}
		if !v.IsScalar() {
			if v, err = gorgonia.Sum(v); err != nil {
				return err
			}
		}
		if v, err = gorgonia.Mul(v, constOf(dt, k)); err != nil {
			return err
		}
		if total == nil {
			total = v
			return nil
		}
		total, err = gorgonia.Add(total, v)
		return err
	}
	if err := term(gorgonia.Abs, l1); err != nil {
		return nil, errors.Wrapf(err, "penalty of %q: l1", w.Name())
	}
	if err := term(gorgonia.Square, l2); err != nil {
		return nil, errors.Wrapf(err, "penalty of %q: l2", w.Name())
	}
	if total == nil {
		var zero gorgonia.Value = gorgonia.NewF64(0)
		if dt == tensor.Float32 {
			zero = gorgonia.NewF32(0)
		}
		return gorgonia.NewScalar(w.Graph(), dt, gorgonia.WithName(w.Name()+"/zero_penalty"), gorgonia.WithValue(zero)), nil
	}
	return total, nil
}

// constOf is a constant scalar node of dtype dt.
func constOf(dt tensor.Dtype, v float64) *gorgonia.Node {
	if dt == tensor.Float32 {
		return gorgonia.NewConstant(float32(v))
	}
	return gorgonia.NewConstant(v)
}

// checkFactor returns an error naming the regularizer, field and value
// unless v is >= 0 and finite.
func checkFactor(kind, field string, v float64) error {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.Errorf("%s: %s must be >= 0 and finite, got %v", kind, field, v)
	}
	return nil
}

// orDefault is v, or def when v is zero.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// addPenalty adds r's penalty on n to c's losses, divided by div when div
// > 1 (the batch size, for activity regularizers), unless r is nil or c
// leaves losses out. what names the regularizer in errors.
func addPenalty(c *Call, r Regularizer, n *gorgonia.Node, div int, what string) error {
	if r == nil || c.NoLosses {
		return nil
	}
	p, err := r.Penalty(n)
	if err != nil {
		return errors.Wrap(err, what)
	}
	if p == nil {
		return errors.Errorf("%s: %T gave a nil penalty", what, r)
	}
	if div > 1 {
		if p, err = gorgonia.Div(p, constOf(p.Dtype(), float64(div))); err != nil {
			return errors.Wrapf(err, "%s: divide by the batch size", what)
		}
	}
	return errors.Wrap(c.AddLoss(p), what)
}

// validateRegularizer calls r's Validate method, if it has one.
func validateRegularizer(r Regularizer) error {
	if v, ok := r.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}
