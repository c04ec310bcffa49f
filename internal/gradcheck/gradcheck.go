// Package gradcheck compares the gradients Gorgonia derives symbolically with
// central finite differences. Losses, layers and activations use it in their
// tests to show that what they build differentiates correctly.
//
// Only float64 is checked: float32 finite differences are too coarse to tell
// a wrong gradient from rounding.
package gradcheck

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Options tunes a check. The zero value works.
type Options struct {
	// Eps is the finite-difference step: the numeric derivative is
	// (f(x+Eps) - f(x-Eps)) / (2 Eps). Zero means 1e-6.
	Eps float64
	// Tol is the tolerance of the mixed absolute/relative criterion: the
	// symbolic value a and the numeric value n agree when
	//
	//	|a - n| <= Tol * max(1, |a|, |n|)
	//
	// that is, an absolute error below 1 in magnitude and a relative error
	// above it. Zero means 1e-4.
	Tol float64
}

func (o Options) withDefaults() Options {
	if o.Eps == 0 {
		o.Eps = 1e-6
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	return o
}

// Check compares the symbolic gradient of the scalar float64 node that build
// returns with central finite differences, for every element of every input.
//
// Check creates one graph and, for each of inputs, a float64 node named
// "input<i>" of the same shape bound to a copy of it (the caller's tensors are
// never changed), then calls build with the graph and those nodes. It returns
// an error naming the input, the element and both values at the first element
// whose gradients differ beyond opt's tolerance, or an error from build,
// gorgonia.Grad or the machine. Panics raised while the graph is built or
// differentiated are returned as errors; a panic inside a running op happens
// on Gorgonia's own goroutine, where no caller can recover it.
func Check(build func(g *gorgonia.ExprGraph, inputs []*gorgonia.Node) (*gorgonia.Node, error), inputs []*tensor.Dense, opt Options) (err error) {
	return check(build, inputs, opt, nil)
}

// check is Check with a hook that may change the symbolic gradients before
// they are compared; tests use it to show that a wrong gradient is caught.
func check(build func(g *gorgonia.ExprGraph, inputs []*gorgonia.Node) (*gorgonia.Node, error), inputs []*tensor.Dense, opt Options, hook func(grads [][]float64)) (err error) {
	defer recoverTo(&err)
	if build == nil {
		return errors.New("gradcheck: build is nil")
	}
	if len(inputs) == 0 {
		return errors.New("gradcheck: no inputs")
	}
	g := gorgonia.NewGraph()
	nodes := make([]*gorgonia.Node, len(inputs))
	for i, in := range inputs {
		if in == nil {
			return errors.Errorf("gradcheck: input %d is nil", i)
		}
		if in.Dtype() != tensor.Float64 {
			return errors.Errorf("gradcheck: input %d must be float64, got %v", i, in.Dtype())
		}
		name := fmt.Sprintf("input%d", i)
		if in.Shape().IsScalar() {
			// Gorgonia's scalar ops want a scalar value, not a 0-d tensor.
			v := gorgonia.NewF64(in.Float64s()[0])
			nodes[i] = gorgonia.NewScalar(g, tensor.Float64, gorgonia.WithName(name), gorgonia.WithValue(v))
			continue
		}
		shape := in.Shape().Clone()
		nodes[i] = gorgonia.NewTensor(g, tensor.Float64, len(shape),
			gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(in.Clone()))
	}
	cost, err := build(g, nodes)
	if err != nil {
		return errors.Wrap(err, "gradcheck: build")
	}
	return checkGraph(cost, nodes, opt, hook)
}

// Graph compares the symbolic gradient of cost, a scalar float64 node, with
// respect to each node of wrt with central finite differences. Each node of
// wrt must be bound (gorgonia.WithValue) to a float64 *tensor.Dense (or a
// *gorgonia.F64 for a scalar); Graph perturbs those values in place while it runs and restores them before it
// returns. Use it where the nodes already exist, such as the weights a layer
// binds through layers.Call; other inputs of the graph (feeds) must hold their
// values before the call and keep them throughout. Graph calls gorgonia.Grad
// on cost's graph, so call it once per graph. Errors are as for Check.
func Graph(cost *gorgonia.Node, wrt []*gorgonia.Node, opt Options) (err error) {
	defer recoverTo(&err)
	return checkGraph(cost, wrt, opt, nil)
}

func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = errors.Errorf("gradcheck: panic: %v", r)
	}
}

func checkGraph(cost *gorgonia.Node, wrt []*gorgonia.Node, opt Options, hook func(grads [][]float64)) error {
	opt = opt.withDefaults()
	if cost == nil {
		return errors.New("gradcheck: cost node is nil")
	}
	if cost.Dtype() != tensor.Float64 {
		return errors.Errorf("gradcheck: cost must be float64, got %v", cost.Dtype())
	}
	if !cost.IsScalar() {
		return errors.Errorf("gradcheck: cost must be a scalar, got shape %v", cost.Shape())
	}
	if len(wrt) == 0 {
		return errors.New("gradcheck: no nodes to differentiate with respect to")
	}
	// elems[i][j] points at element j of the value bound to wrt[i].
	elems := make([][]*float64, len(wrt))
	for i, n := range wrt {
		if n == nil {
			return errors.Errorf("gradcheck: node %d is nil", i)
		}
		switch v := n.Value().(type) {
		case *tensor.Dense:
			if v.Dtype() != tensor.Float64 {
				return errors.Errorf("gradcheck: node %d (%q) must be float64, got %v", i, n.Name(), v.Dtype())
			}
			data := v.Float64s()
			elems[i] = make([]*float64, len(data))
			for j := range data {
				elems[i][j] = &data[j]
			}
		case *gorgonia.F64:
			elems[i] = []*float64{(*float64)(v)}
		default:
			return errors.Errorf("gradcheck: node %d (%q) must be bound to a *tensor.Dense or *gorgonia.F64, got %T", i, n.Name(), n.Value())
		}
	}
	if _, err := gorgonia.Grad(cost, wrt...); err != nil {
		return errors.Wrap(err, "gradcheck: symbolic gradient")
	}
	m := gorgonia.NewTapeMachine(cost.Graph(), gorgonia.BindDualValues(wrt...))
	defer m.Close()

	// Symbolic side, from the first run only: Gorgonia accumulates the
	// gradients in the dual values on every later run.
	if err := m.RunAll(); err != nil {
		return errors.Wrap(err, "gradcheck: run")
	}
	grads := make([][]float64, len(wrt))
	for i, n := range wrt {
		gv, err := n.Grad()
		if err != nil {
			return errors.Wrapf(err, "gradcheck: gradient of node %d (%q)", i, n.Name())
		}
		gs, err := floats(gv)
		if err != nil {
			return errors.Wrapf(err, "gradcheck: gradient of node %d (%q)", i, n.Name())
		}
		if len(gs) != len(elems[i]) {
			return errors.Errorf("gradcheck: gradient of node %d (%q) has %d values, want %d", i, n.Name(), len(gs), len(elems[i]))
		}
		grads[i] = append([]float64(nil), gs...)
	}
	if hook != nil {
		hook(grads)
	}

	eval := func() (float64, error) {
		m.Reset()
		if err := m.RunAll(); err != nil {
			return 0, errors.Wrap(err, "gradcheck: run")
		}
		vs, err := floats(cost.Value())
		if err != nil {
			return 0, errors.Wrap(err, "gradcheck: cost")
		}
		if len(vs) != 1 {
			return 0, errors.Errorf("gradcheck: cost has %d values, want 1", len(vs))
		}
		return vs[0], nil
	}

	for i, es := range elems {
		for j, e := range es {
			orig := *e
			*e = orig + opt.Eps
			plus, err := eval()
			if err != nil {
				*e = orig
				return err
			}
			*e = orig - opt.Eps
			minus, err := eval()
			*e = orig
			if err != nil {
				return err
			}
			num := (plus - minus) / (2 * opt.Eps)
			sym := grads[i][j]
			if !agree(sym, num, opt.Tol) {
				n := wrt[i]
				return errors.Errorf("gradcheck: node %d (%q) element %d %v: symbolic gradient %.10g, numeric %.10g (difference %.3g, tolerance %.3g)",
					i, n.Name(), j, coords(j, n.Shape()), sym, num, math.Abs(sym-num), opt.Tol*math.Max(1, math.Max(math.Abs(sym), math.Abs(num))))
			}
		}
	}
	return nil
}

// agree reports whether a and n are within tol of each other by the mixed
// criterion documented on Options.Tol. NaNs never agree.
func agree(a, n, tol float64) bool {
	scale := math.Max(1, math.Max(math.Abs(a), math.Abs(n)))
	return math.Abs(a-n) <= tol*scale
}

// floats returns the float64 values of a scalar or tensor value.
func floats(v gorgonia.Value) ([]float64, error) {
	switch d := v.Data().(type) {
	case float64:
		return []float64{d}, nil
	case []float64:
		return d, nil
	default:
		return nil, errors.Errorf("want float64 values, got %T", v.Data())
	}
}

// coords converts the flat row-major index i into coordinates of shape.
func coords(i int, shape tensor.Shape) []int {
	c := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			c[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return c
}
