package models

import (
	"fmt"
	"github.com/profundo/profundo/datasets"
	"math/rand"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// Functional is the one model of this package, Keras's functional API:
// named inputs, layers applied to nodes, merges (layers.Add,
// layers.Concatenate ...), several inputs and outputs with a loss (and a
// loss weight) per output, shared layers (one layer applied twice: one set
// of weights), and nested models (a model applied as a layer). A Sequential
// is a builder of one: a stack of layers is the graph of one input and one
// output, so every method below serves both.
//
//	img := models.Input("image", 8, 8, 1)
//	feats := models.Input("features", 4)
//	h := models.Apply(&layers.Flatten{}, img)
//	h = models.Merge(&layers.Concatenate{}, h, feats)
//	out := models.Apply(&layers.Dense{Units: 10, Activation: layers.Softmax}, h)
//	m, err := models.NewFunctional([]*models.Node{img, feats}, []*models.Node{out})
//
// Compile, Fit, Evaluate, Predict, TrainOnBatch, Summary, Save,
// SaveCheckpoint and Replica take and give one tensor per input and output
// (Tensors: a *tensor.Dense for a model of one input, a []*tensor.Dense in
// the model's order for several); Load reads any saved model. A Functional
// is itself a layer (layers.Layer for one input, layers.Merger for
// several): Apply it to nodes of another model, or use Call for a nested
// model of several outputs.
//
// The model builds (creates every weight from Config's seed and checks
// every shape) at Compile, or at the first Predict when it is not
// compiled; a nested model builds with the model that holds it, unless it
// has built already. Layers that already hold weights (trained, loaded, or
// taken from another model) keep them.
type Functional struct {
	// Name is the model's name in Summary and as a nested model; empty
	// means "functional" ("sequential" for a Sequential), numbered when
	// nested.
	Name string
	// ClassNames names the first output's classes, for reports and
	// serving; nil means none. Save keeps them.
	ClassNames []string
	// Preprocessing, fitted on the training data, is applied to the
	// features of a model of one input that Fit, Evaluate and Predict
	// receive, before the first layer: a scaler, an imputer or a
	// datasets.Pipeline of them. Nil means none. Save keeps it, so a
	// loaded model takes raw features.
	Preprocessing datasets.Transformer
	// Tabular, for a model trained on a CSV table, turns new tables into
	// features the way the training table was (column order, categories,
	// class names); nil for other data. Save keeps it.
	Tabular *datasets.Tabular
	// Notes are free-form facts the saver wants kept with the model (the
	// profundo command records the data set and split it trained on); nil
	// means none. Save keeps them.
	Notes map[string]string

	inputs, outputs []*Node
	nodes           []*Node // every other node, each after its inputs
	owners          []any   // the layers, mergers and nested models, in order of first use
	outNames        []string
	frozen          map[any]bool
	built           bool
	dtype           tensor.Dtype
	seq             *Sequential // the Sequential this model is the graph of; nil for others

	cfg      Config
	compiled bool
	solver   optimizers.Solver
	trained  []*layers.Weight // the weights the solver's slots line up with, at Compile
	graphs   graphCache
	outLoss  []losses.Loss
	outW     []float64
	mets     []metrics.Metric

	scores     map[string]float64 // the last epoch's logs and the last evaluation
	dataHash   string             // SHA-256 of the last training data
	checkpoint *Checkpoint        // where the run stood, for a loaded checkpoint
}

var (
	_ trainer.Model           = (*Functional)(nil)
	_ trainer.OutputLossNamer = (*Functional)(nil)
	_ layers.Layer            = (*Functional)(nil)
	_ layers.Merger           = (*Functional)(nil)
)

// NewFunctional returns the model computing outputs from inputs. It checks
// the graph: every node reachable from the outputs must depend only on the
// given inputs, every input must be used, there must be no cycle, and every
// node must have been made right (a nil layer or input is reported here).
// It names the unnamed inputs (input, input_1...) and layers (dense,
// dense_1...), and rejects two layers of one name.
func NewFunctional(inputs, outputs []*Node) (*Functional, error) {
	f := &Functional{}
	if err := f.define(inputs, outputs); err != nil {
		return nil, err
	}
	return f, nil
}

// define makes f the graph computing outputs from inputs; see
// NewFunctional.
func (f *Functional) define(inputs, outputs []*Node) error {
	if len(inputs) == 0 {
		return errors.New("functional: no inputs")
	}
	if len(outputs) == 0 {
		return errors.New("functional: no outputs")
	}
	f.inputs, f.outputs, f.nodes, f.owners = append([]*Node(nil), inputs...), append([]*Node(nil), outputs...), nil, nil
	isInput := map[*Node]int{}
	for i, in := range inputs {
		if in == nil {
			return errors.Errorf("functional: input %d is nil", i)
		}
		if !in.isInput() {
			return errors.Errorf("functional: input %d is the output of %s %q, not an Input", i, in.kind(), in.Name())
		}
		if in.err != nil {
			return errors.Wrap(in.err, "functional")
		}
		if j, dup := isInput[in]; dup {
			return errors.Errorf("functional: inputs %d and %d are the same node", j, i)
		}
		isInput[in] = i
	}
	// A depth-first walk from the outputs puts each node after its inputs;
	// a node met again while its own inputs are being walked closes a
	// cycle.
	const (
		walking = 1
		done    = 2
	)
	state := map[*Node]int{}
	used := map[*Node]bool{}
	var walk func(n *Node, from string) error
	walk = func(n *Node, from string) error {
		if n == nil {
			return errors.Errorf("functional: %s has a nil input", from)
		}
		if n.err != nil {
			return errors.Wrap(n.err, "functional")
		}
		if n.isInput() {
			if _, ok := isInput[n]; !ok {
				return errors.Errorf("functional: %s depends on input %q, which is not among the model's inputs", from, n.name)
			}
			used[n] = true
			return nil
		}
		switch state[n] {
		case done:
			return nil
		case walking:
			return errors.Errorf("functional: a cycle runs through %s %q", n.kind(), n.Name())
		}
		state[n] = walking
		what := fmt.Sprintf("%s %q", n.kind(), n.Name())
		for _, in := range n.inputs {
			if err := walk(in, what); err != nil {
				return err
			}
		}
		state[n] = done
		f.nodes = append(f.nodes, n)
		return nil
	}
	for i, out := range outputs {
		if out == nil {
			return errors.Errorf("functional: output %d is nil", i)
		}
		if err := walk(out, fmt.Sprintf("output %d", i)); err != nil {
			return err
		}
	}
	for i, in := range inputs {
		if !used[in] {
			return errors.Errorf("functional: input %d (%q) is not used by any output", i, in.name)
		}
	}
	seen := map[any]bool{}
	for _, n := range f.nodes {
		if o := n.owner(); !seen[o] {
			seen[o] = true
			f.owners = append(f.owners, o)
		}
	}
	if err := f.name(); err != nil {
		return err
	}
	f.outNames = make([]string, len(outputs))
	taken := map[string]bool{}
	for i, out := range outputs {
		name := out.Name()
		if taken[name] {
			name = fmt.Sprintf("%s_%d", name, i)
		}
		taken[name] = true
		f.outNames[i] = name
	}
	return nil
}

// name names the unnamed inputs and layers after their kind, and rejects
// two of one name.
func (f *Functional) name() error {
	type named interface {
		LayerName() string
		SetLayerName(string)
		Kind() string
	}
	used := map[string]any{}
	claim := func(name string, o any) error {
		if other, ok := used[name]; ok && other != o {
			return errors.Errorf("functional: two layers (or inputs) are named %q", name)
		}
		used[name] = o
		return nil
	}
	for _, in := range f.inputs {
		if in.name != "" {
			if err := claim(in.name, in); err != nil {
				return err
			}
		}
	}
	for _, o := range f.owners {
		if n := o.(named).LayerName(); n != "" {
			if err := claim(n, o); err != nil {
				return err
			}
		}
	}
	count := map[string]int{}
	fresh := func(kind string) string {
		for {
			name := kind
			if c := count[kind]; c > 0 {
				name = fmt.Sprintf("%s_%d", kind, c)
			}
			count[kind]++
			if _, ok := used[name]; !ok {
				return name
			}
		}
	}
	for _, in := range f.inputs {
		if in.name == "" {
			in.name = fresh("input")
			used[in.name] = in
		}
	}
	for _, o := range f.owners {
		if l := o.(named); l.LayerName() == "" {
			name := fresh(l.Kind())
			l.SetLayerName(name)
			used[name] = o
		}
	}
	return nil
}

func (f *Functional) displayName() string {
	if f.Name == "" {
		return f.Kind()
	}
	return f.Name
}

// Kind is "functional", or "sequential" for a Sequential's model.
func (f *Functional) Kind() string {
	if f.seq != nil {
		return "sequential"
	}
	return "functional"
}

// LayerName is the model's Name, as a layer of another model.
func (f *Functional) LayerName() string { return f.Name }

// SetLayerName sets the model's Name.
func (f *Functional) SetLayerName(name string) { f.Name = name }

// Inputs returns the model's input nodes, in order.
func (f *Functional) Inputs() []*Node { return append([]*Node(nil), f.inputs...) }

// Outputs returns the model's output nodes, in order.
func (f *Functional) Outputs() []*Node { return append([]*Node(nil), f.outputs...) }

// OutputNames are the outputs' names, the keys of Config's Losses,
// LossWeights and OutputMetrics: the name of the layer that gives each.
func (f *Functional) OutputNames() []string { return append([]string(nil), f.outNames...) }

// OutputLossNames names each output's loss in the logs ("<output>_loss")
// for a model of several outputs; nil for one.
func (f *Functional) OutputLossNames() []string {
	if len(f.outputs) < 2 {
		return nil
	}
	names := make([]string, len(f.outNames))
	for i, n := range f.outNames {
		names[i] = n + "_loss"
	}
	return names
}

// Layers returns the model's layers, mergers and nested models (as
// layers.Layer or layers.Merger values, *Functional for nested models), in
// order of first use.
func (f *Functional) Layers() []any { return append([]any(nil), f.owners...) }

// Built reports whether the model has built its weights.
func (f *Functional) Built() bool { return f.built }

// SetTrainable sets whether training this model updates the weights of
// l, a layer, merger or nested model of it, as Keras's layer.trainable:
// false freezes them (a nested model's every layer), and a frozen
// BatchNormalization runs in inference mode, on its moving statistics.
// The flag is this model's: the weights stay trainable for other models
// that share them (a GAN's combined model freezes the discriminator it
// shares with the discriminator's own model). Save keeps it. A change
// takes effect at the next Compile, which keeps the weights and starts
// the optimizer afresh; until then Fit refuses to run.
func (f *Functional) SetTrainable(l any, trainable bool) error {
	if l == nil {
		return errors.New("set trainable: the layer is nil")
	}
	l = ownerOf(l)
	if f.seq != nil && f.inputs == nil {
		if !f.seq.has(l) {
			return errors.Errorf("set trainable: %s is not a layer of %q", describe(l), f.displayName())
		}
	} else {
		found := false
		for _, o := range f.owners {
			if o == l {
				found = true
			}
		}
		if !found {
			return errors.Errorf("set trainable: %s is not a layer or nested model of %q", describe(l), f.displayName())
		}
	}
	if f.frozen == nil {
		f.frozen = map[any]bool{}
	}
	if trainable {
		delete(f.frozen, l)
	} else {
		f.frozen[l] = true
	}
	return nil
}

// Freeze is SetTrainable(l, false).
func (f *Functional) Freeze(l any) error { return f.SetTrainable(l, false) }

// Trainable reports whether training this model updates l's weights: false
// when l, or the nested model it sits in, is frozen.
func (f *Functional) Trainable(l any) bool { return !f.frozen[ownerOf(l)] }

// ownerOf is what a model holds for l: a nested Sequential's model.
func ownerOf(l any) any {
	if s, ok := l.(*Sequential); ok && s != nil {
		return &s.Functional
	}
	return l
}

// describe names a layer, merger or model for errors.
func describe(l any) string {
	if n, ok := l.(interface {
		Kind() string
		LayerName() string
	}); ok {
		return fmt.Sprintf("%s %q", n.Kind(), n.LayerName())
	}
	return fmt.Sprintf("%T", l)
}

// namedWeight is a weight with its name in the model's files: a nested
// model's weights under "<model>/".
type namedWeight struct {
	key    string
	w      *layers.Weight
	frozen bool
}

// namedWeights lists every weight once, in the order of the layers' first
// use.
func (f *Functional) namedWeights() []namedWeight {
	var out []namedWeight
	seen := map[*layers.Weight]bool{}
	for _, o := range f.owners {
		var ws []namedWeight
		switch v := o.(type) {
		case *Functional:
			for _, nw := range v.namedWeights() {
				ws = append(ws, namedWeight{key: v.displayName() + "/" + nw.key, w: nw.w, frozen: nw.frozen})
			}
		case layers.Layer:
			for _, w := range v.Weights() {
				ws = append(ws, namedWeight{key: w.Name, w: w})
			}
		case layers.Merger:
			for _, w := range v.Weights() {
				ws = append(ws, namedWeight{key: w.Name, w: w})
			}
		}
		for _, nw := range ws {
			if seen[nw.w] {
				continue
			}
			seen[nw.w] = true
			nw.frozen = nw.frozen || f.frozen[o]
			out = append(out, nw)
		}
	}
	return out
}

// Weights lists every weight of the model, nested models' included, once
// each, in the order of the layers' first use.
func (f *Functional) Weights() []*layers.Weight {
	nws := f.namedWeights()
	out := make([]*layers.Weight, len(nws))
	for i, nw := range nws {
		out[i] = nw.w
	}
	return out
}

// trainedWeights lists the weights this model's training updates:
// trainable and not frozen.
func (f *Functional) trainedWeights() []*layers.Weight {
	var out []*layers.Weight
	for _, nw := range f.namedWeights() {
		if nw.w.Trainable && !nw.frozen {
			out = append(out, nw.w)
		}
	}
	return out
}

// layerRecord is what a layer was built with.
type layerRecord struct {
	in  []layers.Shape
	out layers.Shape
}

// build creates the weights of every layer not built yet, from rng, and
// works out every node's shape.
func (f *Functional) build(rng *rand.Rand, dt tensor.Dtype) error {
	if f.built {
		if dt != f.dtype {
			return errors.Errorf("model %q was built as %v, not %v", f.displayName(), f.dtype, dt)
		}
		return nil
	}
	if f.inputs == nil {
		return errors.Errorf("build %q: no input shape; start the model with a layers.Input or pass data", f.displayName())
	}
	known := map[any]layerRecord{}
	shapesOf := func(n *Node) []layers.Shape {
		s := make([]layers.Shape, len(n.inputs))
		for i, in := range n.inputs {
			s[i] = in.shape
		}
		return s
	}
	for _, n := range f.nodes {
		if n.built && n.site == nil {
			known[n.owner()] = layerRecord{in: shapesOf(n), out: n.shape}
		}
	}
	for i, n := range f.nodes {
		if n.built {
			continue
		}
		in := shapesOf(n)
		what := fmt.Sprintf("%s %q", n.kind(), n.Name())
		if f.seq != nil {
			what = fmt.Sprintf("layer %d", i)
		}
		if n.site != nil {
			m := n.site.model
			if err := m.defineFor(in); err != nil {
				return errors.Wrapf(err, "build: %s", what)
			}
			if err := m.build(rng, dt); err != nil {
				return errors.Wrapf(err, "build: %s", what)
			}
			for i, s := range in {
				if want := m.inputs[i].shape; !s.Equal(want) {
					return errors.Errorf("build: %s: input %d (%q) takes %v, got %v", what, i, m.inputs[i].name, want, s)
				}
			}
			n.shape, n.built = m.outputs[n.out].shape.Clone(), true
			continue
		}
		o := n.owner()
		if r, ok := known[o]; ok {
			for i := range in {
				if !in[i].Equal(r.in[i]) {
					return errors.Errorf("build: %s is shared but applied to input %d of shape %v and of shape %v; a shared layer takes one shape", what, i, r.in[i], in[i])
				}
			}
			n.shape, n.built = r.out.Clone(), true
			continue
		}
		out, err := buildOwner(n, in, rng, dt)
		if err != nil {
			return errors.Wrapf(err, "build: %s", what)
		}
		known[o] = layerRecord{in: in, out: out}
		n.shape, n.built = out.Clone(), true
	}
	f.built, f.dtype = true, dt
	return nil
}

// Build builds the model as a layer of another with one input.
func (f *Functional) Build(b *layers.Builder, in layers.Shape) (layers.Shape, error) {
	return f.BuildMerge(b, []layers.Shape{in})
}

// BuildMerge builds the model as a layer of another with several inputs;
// it must have one output.
func (f *Functional) BuildMerge(b *layers.Builder, in []layers.Shape) (layers.Shape, error) {
	if err := f.defineFor(in); err != nil {
		return nil, err
	}
	if len(f.outputs) != 1 {
		return nil, errors.Errorf("model %q has %d outputs; apply it with Call", f.displayName(), len(f.outputs))
	}
	if len(in) != len(f.inputs) {
		return nil, errors.Errorf("model %q takes %d inputs, got %d", f.displayName(), len(f.inputs), len(in))
	}
	if err := f.defineFor(in); err != nil {
		return nil, err
	}
	if err := f.build(b.RNG, b.DType); err != nil {
		return nil, err
	}
	for i, s := range in {
		if !s.Equal(f.inputs[i].shape) {
			return nil, errors.Errorf("model %q: input %d (%q) takes %v, got %v", f.displayName(), i, f.inputs[i].name, f.inputs[i].shape, s)
		}
	}
	return f.outputs[0].shape.Clone(), nil
}

// Forward adds the model, as a layer of one input, to c's graph.
func (f *Functional) Forward(c *layers.Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return f.ForwardMerge(c, []*gorgonia.Node{x})
}

// ForwardMerge adds the model, as a layer of several inputs, to c's graph.
func (f *Functional) ForwardMerge(c *layers.Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	outs, err := f.forward(c, xs, false)
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, errors.Errorf("model %q has %d outputs; apply it with Call", f.displayName(), len(outs))
	}
	return outs[0], nil
}

// forward adds the model's computation on xs, one node per input, to c's
// graph and returns its outputs.
//
// In a training graph, a BatchNormalization that this model (or, when
// frozen is true, the model holding it) freezes runs in inference mode, as
// in Keras.
func (f *Functional) forward(c *layers.Call, xs []*gorgonia.Node, frozen bool) ([]*gorgonia.Node, error) {
	if !f.built {
		return nil, errors.Errorf("model %q is not built", f.displayName())
	}
	if len(xs) != len(f.inputs) {
		return nil, errors.Errorf("model %q takes %d inputs, got %d", f.displayName(), len(f.inputs), len(xs))
	}
	vals := make(map[*Node]*gorgonia.Node, len(f.nodes)+len(xs))
	for i, in := range f.inputs {
		vals[in] = xs[i]
	}
	sites := map[*callSite][]*gorgonia.Node{}
	for _, n := range f.nodes {
		ins := make([]*gorgonia.Node, len(n.inputs))
		for i, in := range n.inputs {
			ins[i] = vals[in]
		}
		var out *gorgonia.Node
		var err error
		switch {
		case n.layer != nil:
			if _, bn := n.layer.(*layers.BatchNormalization); bn && c.Training && (frozen || f.frozen[n.layer]) {
				// Inference mode, but the layers before it may train: the
				// gradient still flows through it to x.
				grads := c.InputGrads
				c.Training, c.InputGrads = false, true
				out, err = n.layer.Forward(c, ins[0])
				c.Training, c.InputGrads = true, grads
			} else {
				out, err = n.layer.Forward(c, ins[0])
			}
		case n.merger != nil:
			out, err = n.merger.ForwardMerge(c, ins)
		default:
			outs, ok := sites[n.site]
			if !ok {
				if outs, err = n.site.model.forward(c, ins, frozen || f.frozen[n.site.model]); err == nil {
					sites[n.site] = outs
				}
			}
			if err == nil {
				out = outs[n.out]
			}
		}
		if err != nil {
			if changed := lengthChanged(n, ins); changed != "" {
				return nil, errors.Wrapf(err, "%s %q: %s", n.kind(), n.Name(), changed)
			}
			return nil, errors.Wrapf(err, "%s %q", n.kind(), n.Name())
		}
		if want := n.shape.WithBatch(c.Batch); !out.Shape().Eq(want) || out.Dims() != len(want) {
			if changed := lengthChanged(n, ins); changed != "" {
				if !lengthOnly(n.shape, out.Shape()) {
					return nil, errors.Errorf("%s %q: built for output %v, gives %v %s; its output depends on the sequence length, so the model takes one length only", n.kind(), n.Name(), want, out.Shape(), changed)
				}
			} else {
				return nil, errors.Errorf("%s %q: built for output %v, its graph gives %v", n.kind(), n.Name(), want, out.Shape())
			}
		}
		vals[n] = out
	}
	outs := make([]*gorgonia.Node, len(f.outputs))
	for i, o := range f.outputs {
		outs[i] = vals[o]
	}
	return outs, nil
}

// lengthChanged describes how n's inputs differ from the shapes it was
// built for ("for inputs [5 16], built for [20 16]"), or is "" when they
// do not.
func lengthChanged(n *Node, ins []*gorgonia.Node) string {
	for i, x := range ins {
		if i >= len(n.inputs) || x == nil {
			continue
		}
		built := n.inputs[i].shape
		got := x.Shape()
		if len(got) != len(built)+1 || !layers.Shape(got[1:]).Equal(built) {
			return fmt.Sprintf("for inputs %v, built for %v", []int(got[1:]), []int(built))
		}
	}
	return ""
}

// lengthOnly reports whether a node's output of shape got ([batch, ...])
// differs from its built per-sample shape only in the sequence length
// (axis 0 of the sample), with the same rank.
func lengthOnly(built layers.Shape, got tensor.Shape) bool {
	if len(got) != len(built)+1 || len(built) < 2 {
		return false
	}
	return layers.Shape(got[2:]).Equal(built[1:])
}

// String describes the model for errors: its name and its inputs and
// outputs.
func (f *Functional) String() string {
	var ins, outs []string
	for _, in := range f.inputs {
		ins = append(ins, in.name)
	}
	outs = append(outs, f.outNames...)
	return fmt.Sprintf("functional %q (inputs %s; outputs %s)", f.displayName(), strings.Join(ins, ", "), strings.Join(outs, ", "))
}

// InputShapes are the per-sample shapes of the inputs, in order; nil for
// a Sequential until its input shape is known.
func (f *Functional) InputShapes() []layers.Shape {
	var out []layers.Shape
	for _, in := range f.inputs {
		out = append(out, in.shape.Clone())
	}
	return out
}

// OutputShapes are the per-sample shapes of the outputs, in order; nil
// until the model builds.
func (f *Functional) OutputShapes() []layers.Shape {
	if !f.built {
		return nil
	}
	var out []layers.Shape
	for _, o := range f.outputs {
		out = append(out, o.shape.Clone())
	}
	return out
}
