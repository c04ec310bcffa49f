package trainer

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GradientMode graphs are TrainMode graphs (dropout masks from the stream,
// batch statistics) that compute the gradients of the loss with respect to
// the trainable weights, for Gradients; no solver steps them and their
// updates (moving statistics) are not applied. InputGradientMode graphs
// compute the gradients with respect to the inputs too; their ops compute
// every input gradient (layers.Call.InputGrads).
const (
	GradientMode Mode = iota + 100
	InputGradientMode
)

// Gradients runs m's GradientMode graph on all of data as one batch and
// returns the loss (the mean over the batch, the regularization penalties
// included), the gradient of that loss with respect to each of the graph's
// learnables, in the graph's order, and, when inputs is set, with respect
// to each input, the first first. stream gives the random numbers of the
// graph's feeds (dropout masks); nil means a stream seeded by 0. It changes
// nothing in the model: no weight, no moving statistic. The tensors
// returned are copies.
func Gradients(m Model, data Data, inputs bool, stream *rand.Rand) (loss float64, weights gorgonia.Nodes, grads, inputGrads []*tensor.Dense, err error) {
	if err := data.check("gradients"); err != nil {
		return 0, nil, nil, nil, err
	}
	if stream == nil {
		stream = rand.New(rand.NewSource(0))
	}
	n := data.X[0].Shape()[0]
	mode := GradientMode
	if inputs {
		mode = InputGradientMode
	}
	g, err := graphFor(m, mode, n, data)
	if err != nil {
		return 0, nil, nil, nil, err
	}
	defer g.reset()
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	if err := g.feed(data, rows); err != nil {
		return 0, nil, nil, nil, err
	}
	g.fillFeeds(func() *rand.Rand { return stream })
	if err := g.run(); err != nil {
		return 0, nil, nil, nil, err
	}
	if loss, err = scalar(g.Loss); err != nil {
		return 0, nil, nil, nil, errors.Wrap(err, "gradients: loss")
	}
	copyGrad := func(nd *gorgonia.Node) (*tensor.Dense, error) {
		gv, err := nd.Grad()
		if err != nil {
			return nil, errors.Wrapf(err, "gradients: %q", nd.Name())
		}
		t, ok := gv.(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("gradients: %q: gradient is %T, want a dense tensor", nd.Name(), gv)
		}
		c := t.Clone().(*tensor.Dense)
		// The machine adds into the gradients it binds: zero them for the
		// next run, as a solver step does.
		t.Zero()
		return c, nil
	}
	for _, nd := range g.Learnables {
		t, err := copyGrad(nd)
		if err != nil {
			return 0, nil, nil, nil, err
		}
		grads = append(grads, t)
	}
	if inputs {
		for _, nd := range g.Inputs {
			t, err := copyGrad(nd)
			if err != nil {
				return 0, nil, nil, nil, err
			}
			inputGrads = append(inputGrads, t)
		}
	}
	return loss, g.Learnables, grads, inputGrads, nil
}

// scalar reads a scalar node's value as a float64.
func scalar(n *gorgonia.Node) (float64, error) {
	if n == nil {
		return 0, errors.New("no node")
	}
	switch v := n.Value().Data().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	case []float32:
		if len(v) == 1 {
			return float64(v[0]), nil
		}
	case []float64:
		if len(v) == 1 {
			return v[0], nil
		}
	}
	return 0, errors.Errorf("%q is not a float scalar", n.Name())
}

// compileGradients adds to a GradientMode graph the gradients of the loss
// with respect to the learnables and the inputs, and makes its machine.
func (g *Graph) compileGradients() error {
	if g.Loss == nil {
		return errors.Errorf("gradient graph for batch %d has no loss", g.Batch)
	}
	wrt := append(gorgonia.Nodes{}, g.Learnables...)
	if g.Mode == InputGradientMode {
		wrt = append(wrt, g.Inputs...)
	}
	if len(wrt) == 0 {
		return errors.Errorf("gradient graph for batch %d: no trainable weights, and the inputs' gradients were not asked for", g.Batch)
	}
	if _, err := gorgonia.Grad(g.Loss, wrt...); err != nil {
		if g.Mode == InputGradientMode {
			return errors.Wrapf(err, "gradients with respect to the inputs (an input of integer ids, as an Embedding's, has none)")
		}
		return errors.Wrapf(err, "gradients of the gradient graph for batch %d", g.Batch)
	}
	opts := append(keepOutput(g.Outputs...), gorgonia.BindDualValues(wrt...))
	g.vm = gorgonia.NewTapeMachine(g.Graph, opts...)
	return nil
}
