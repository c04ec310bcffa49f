package layers

import (
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Call is what a layer's Forward receives: the graph being built, its batch
// size, and whether it is a training graph. Training and inference graphs are
// separate (dropout masks and batch statistics only exist in training graphs).
//
// Layers add the penalties of their regularizers to the graph as losses
// (AddLoss); the model adds them to its loss (TotalLoss) in every graph
// that has one, training and evaluation alike, as Keras does.
type Call struct {
	Graph    *gorgonia.ExprGraph
	DType    tensor.Dtype
	Batch    int
	Training bool
	// NoLosses tells layers to leave their regularization losses out of the
	// graph, for graphs that compute no loss (prediction), where they would
	// only cost time; false (the default) adds them.
	NoLosses bool
	// InputGrads makes NeedsGrad true for every node of the graph,
	// for graphs differentiated with respect to their input (gradient
	// checks, saliency maps); false lets layers skip gradients that no
	// weight needs.
	InputGrads bool

	nodes      map[*Weight]*gorgonia.Node
	names      map[string]int
	learnables gorgonia.Nodes
	feeds      []*Feed
	logits     map[*gorgonia.Node]Logits
	masks      map[*gorgonia.Node]*gorgonia.Node
	losses     []*gorgonia.Node
	updates    []*Update
}

// NewCall starts a graph of the given dtype and batch size.
func NewCall(dt tensor.Dtype, batch int, training bool) *Call {
	return &Call{
		Graph:    gorgonia.NewGraph(),
		DType:    dt,
		Batch:    batch,
		Training: training,
		nodes:    map[*Weight]*gorgonia.Node{},
		logits:   map[*gorgonia.Node]Logits{},
		masks:    map[*gorgonia.Node]*gorgonia.Node{},
	}
}

// Node returns the node bound to w's tensor in this graph, creating it on
// first use. In a training graph a trainable weight becomes a learnable.
func (c *Call) Node(w *Weight) *gorgonia.Node {
	if n, ok := c.nodes[w]; ok {
		return n
	}
	// The node gets a tensor header of its own over the weight's values:
	// Gorgonia's machines write to the headers of the tensors they run on
	// (their engine), so graphs running on separate goroutines must not
	// share headers; they share the values, which is what a solver updates.
	shape := w.Value.Shape()
	view := tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(w.Value.Data()))
	// Two weights of one name (the layers of two nested models, each named
	// by its own model) get distinct node names: Gorgonia merges input
	// nodes of the same name, type and shape into one.
	n := gorgonia.NewTensor(c.Graph, w.Value.Dtype(), len(shape),
		gorgonia.WithShape(shape...), gorgonia.WithName(c.uniqueName(w.Name)), gorgonia.WithValue(view))
	c.nodes[w] = n
	if c.Training && w.Trainable {
		c.learnables = append(c.learnables, n)
	}
	return n
}

// uniqueName returns name, or name#k when the graph already has an input
// node of that name: Gorgonia merges input nodes of the same name, type and
// shape into one.
func (c *Call) uniqueName(name string) string {
	if c.names == nil {
		c.names = map[string]int{}
	}
	k := c.names[name]
	c.names[name]++
	if k > 0 {
		return fmt.Sprintf("%s#%d", name, k)
	}
	return name
}

// Lookup returns the node bound to w in this graph, if a layer used w.
func (c *Call) Lookup(w *Weight) (*gorgonia.Node, bool) {
	n, ok := c.nodes[w]
	return n, ok
}

// Learnables lists the nodes of trainable weights used by this graph, in the
// order they were first used.
func (c *Call) Learnables() gorgonia.Nodes { return c.learnables }

// FillFunc writes fresh values into a feed's tensor before each run.
type FillFunc func(rng *rand.Rand, t *tensor.Dense)

// Feed is an input node other than the data that the trainer fills before
// every run of a training graph, such as a dropout mask.
type Feed struct {
	Node  *gorgonia.Node
	Value *tensor.Dense
	Fill  FillFunc
}

// NewFeed adds a feed of the given full shape (batch included) to the graph.
func (c *Call) NewFeed(name string, shape tensor.Shape, fill FillFunc) *gorgonia.Node {
	t := tensor.New(tensor.Of(c.DType), tensor.WithShape(shape...))
	n := gorgonia.NewTensor(c.Graph, c.DType, len(shape),
		gorgonia.WithShape(shape...), gorgonia.WithName(c.uniqueName(name)), gorgonia.WithValue(t))
	c.feeds = append(c.feeds, &Feed{Node: n, Value: t, Fill: fill})
	return n
}

// Feeds lists the feeds the graph's layers added.
func (c *Call) Feeds() []*Feed { return c.feeds }

// Logits records that out = activation(logits), so a loss that works on
// probabilities can work on the logits instead, which is numerically stable
// (as Keras does for a final softmax or sigmoid).
type Logits struct {
	Node       *gorgonia.Node
	Activation Activator
}

// MarkLogits records that out was computed as activation(logits).
func (c *Call) MarkLogits(out, logits *gorgonia.Node, activation Activator) {
	c.logits[out] = Logits{Node: logits, Activation: activation}
}

// LogitsOf returns what MarkLogits recorded for out.
func (c *Call) LogitsOf(out *gorgonia.Node) (Logits, bool) {
	l, ok := c.logits[out]
	return l, ok
}

// AddLoss adds n, a scalar of the graph's dtype, to the losses the model
// adds to its loss: a regularization penalty, say. It is an error for n to
// be nil, not a scalar or of another dtype. Layers call it only when
// NoLosses is false.
func (c *Call) AddLoss(n *gorgonia.Node) error {
	if n == nil {
		return errors.New("add loss: node is nil")
	}
	if !n.IsScalar() {
		return errors.Errorf("add loss: %q must be a scalar, got shape %v", n.Name(), n.Shape())
	}
	if n.Dtype() != c.DType {
		return errors.Errorf("add loss: %q is %v in a %v graph", n.Name(), n.Dtype(), c.DType)
	}
	c.losses = append(c.losses, n)
	return nil
}

// Losses lists the losses the graph's layers added, in the order they were
// added.
func (c *Call) Losses() []*gorgonia.Node { return c.losses }

// TotalLoss returns loss plus every loss the layers added: loss itself when
// they added none. A model calls it on its loss node in the graphs that
// have one.
func (c *Call) TotalLoss(loss *gorgonia.Node) (*gorgonia.Node, error) {
	if loss == nil {
		return nil, errors.New("total loss: loss is nil")
	}
	total := loss
	for i, l := range c.losses {
		var err error
		if total, err = gorgonia.Add(total, l); err != nil {
			return nil, errors.Wrapf(err, "add loss %d (%q)", i, l.Name())
		}
	}
	return total, nil
}

// Update is a change of state a training graph asks for after each run, such
// as BatchNormalization's moving averages of the batch statistics: once a
// training run has succeeded, the trainer calls Apply with the value Node
// had in that run. Updates are not gradients, so they never reach the
// optimizer, and graphs that are not trained never apply them.
type Update struct {
	Node  *gorgonia.Node
	Apply func(value *tensor.Dense) error
}

// AddUpdate asks for apply to be called with n's value after every
// successful run of this training graph. It is an error outside a training
// graph, or with a nil node or function.
func (c *Call) AddUpdate(n *gorgonia.Node, apply func(value *tensor.Dense) error) error {
	if !c.Training {
		return errors.New("add update: not a training graph")
	}
	if n == nil || apply == nil {
		return errors.New("add update: node or function is nil")
	}
	c.updates = append(c.updates, &Update{Node: n, Apply: apply})
	return nil
}

// Updates lists the updates the graph's layers added, in order.
func (c *Call) Updates() []*Update { return c.updates }

// NeedsGrad reports whether a training graph needs the gradient of x: true
// when x is, or is computed from, one of the graph's trainable weights. An
// op can skip its input's gradient when it is false (the first layer's
// input, say). Outside training graphs it is false, unless InputGrads.
func (c *Call) NeedsGrad(x *gorgonia.Node) bool {
	if x == nil {
		return false
	}
	if c.InputGrads {
		return true
	}
	if !c.Training {
		return false
	}
	learn := make(map[int64]bool, len(c.learnables))
	for _, n := range c.learnables {
		learn[n.ID()] = true
	}
	seen := map[int64]bool{}
	stack := []int64{x.ID()}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if learn[id] {
			return true
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		children := c.Graph.From(id)
		for children.Next() {
			stack = append(stack, children.Node().ID())
		}
	}
	return false
}

// SetMask records that the time steps of x, [batch, steps, ...], are
// valid where mask, [batch, steps] of the graph's dtype, is 1 and padding
// where it is 0, as Keras's masks do: an Embedding with MaskZero sets it,
// and recurrent layers read it to carry their state over padding. Layers
// that keep the steps of their input pass the mask on to their output.
func (c *Call) SetMask(x, mask *gorgonia.Node) error {
	if x == nil || mask == nil {
		return errors.New("set mask: node is nil")
	}
	xs, ms := x.Shape(), mask.Shape()
	if len(xs) < 2 || len(ms) != 2 || ms[0] != xs[0] || ms[1] != xs[1] {
		return errors.Errorf("set mask: mask %v does not match the batch and steps of %q, %v", ms, x.Name(), xs)
	}
	if mask.Dtype() != c.DType {
		return errors.Errorf("set mask: mask is %v in a %v graph", mask.Dtype(), c.DType)
	}
	c.masks[x] = mask
	return nil
}

// MaskOf returns the mask SetMask recorded for x.
func (c *Call) MaskOf(x *gorgonia.Node) (*gorgonia.Node, bool) {
	m, ok := c.masks[x]
	return m, ok
}
