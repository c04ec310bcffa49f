package models

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/graphlock"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/trainer"
)

// maxInferenceGraphs bounds how many graphs a model keeps besides the
// training graphs at its built input shapes: evaluation and prediction
// graphs (one per batch size and input shape seen), and any graph for
// inputs of another sequence length (training ones included). Past 8, the
// least recently used goes.
const maxInferenceGraphs = 8

type graphKey struct {
	mode  trainer.Mode
	batch int
	shape string // the per-sample input shapes when not the built ones, else ""
}

// bounded reports whether the graph of k counts against maxInferenceGraphs.
func (k graphKey) bounded() bool { return !training(k.mode) || k.shape != "" }

// graphCache keeps a model's graphs: training graphs for every batch size
// trained at the built input shapes (the full batch and the last, smaller
// one), and at most maxInferenceGraphs others.
type graphCache struct {
	graphs map[graphKey]*trainer.Graph
	order  []graphKey // bounded graphs, least recently used first
}

func (c *graphCache) get(k graphKey) (*trainer.Graph, bool) {
	g, ok := c.graphs[k]
	if ok && k.bounded() {
		c.touch(k)
	}
	return g, ok
}

func (c *graphCache) touch(k graphKey) {
	for i, o := range c.order {
		if o == k {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.order = append(c.order, k)
}

func (c *graphCache) put(k graphKey, g *trainer.Graph) {
	if c.graphs == nil {
		c.graphs = map[graphKey]*trainer.Graph{}
	}
	c.graphs[k] = g
	if !k.bounded() {
		return
	}
	c.touch(k)
	for len(c.order) > maxInferenceGraphs {
		old := c.order[0]
		c.order = c.order[1:]
		_ = c.graphs[old].Close()
		delete(c.graphs, old)
	}
}

func (c *graphCache) closeAll() {
	for _, g := range c.graphs {
		_ = g.Close()
	}
	c.graphs, c.order = nil, nil
}

// Graph returns the model's graph for mode and batch size at its built
// input shapes, building it on first use. It is how the trainer runs the
// model.
func (f *Functional) Graph(mode trainer.Mode, batch int) (*trainer.Graph, error) {
	return f.GraphFor(mode, batch, nil)
}

// GraphFor is Graph for inputs of the given per-sample shapes (nil means
// the built ones). A sequence may be of another length than the model was
// built for (axis 0 of an input's per-sample shape); a layer whose weights
// or output size depend on that length (Flatten after a sequence, then
// Dense) makes it an error that names the layer. Graphs are cached per
// shape (see maxInferenceGraphs).
func (f *Functional) GraphFor(mode trainer.Mode, batch int, shapes [][]int) (*trainer.Graph, error) {
	if !f.built {
		return nil, errors.New("graph: the model is not built")
	}
	if batch <= 0 {
		return nil, errors.Errorf("graph: batch size must be > 0, got %d", batch)
	}
	if mode != trainer.PredictMode && !f.compiled {
		return nil, errors.Errorf("%s graph: the model is not compiled; call Compile first", mode)
	}
	ins, key, err := f.graphShapes(shapes)
	if err != nil {
		return nil, errors.Wrapf(err, "%s graph for batch %d", mode, batch)
	}
	k := graphKey{mode, batch, key}
	if g, ok := f.graphs.get(k); ok {
		return g, nil
	}
	var g *trainer.Graph
	err = graphlock.Do(func() (err error) {
		g, err = f.buildGraph(mode, batch, ins)
		return err
	})
	if err != nil {
		if key != "" {
			return nil, errors.Wrapf(err, "%s graph for batch %d and inputs %s", mode, batch, key)
		}
		return nil, errors.Wrapf(err, "%s graph for batch %d", mode, batch)
	}
	f.graphs.put(k, g)
	return g, nil
}

// graphShapes checks per-sample input shapes against the built ones: each
// may differ only in its length (axis 0). It returns the shapes to build
// with and the cache key ("" for the built shapes).
func (f *Functional) graphShapes(shapes [][]int) ([]layers.Shape, string, error) {
	ins := make([]layers.Shape, len(f.inputs))
	for i, in := range f.inputs {
		ins[i] = in.shape
	}
	if shapes == nil {
		return ins, "", nil
	}
	if len(shapes) != len(f.inputs) {
		return nil, "", errors.Errorf("the model takes %d inputs, got shapes for %d", len(f.inputs), len(shapes))
	}
	same := true
	for i, s := range shapes {
		got := layers.Shape(s)
		if got.Equal(ins[i]) {
			continue
		}
		if !f.lengthMayChange(i) || len(got) != len(ins[i]) || got[0] <= 0 || !got[1:].Equal(ins[i][1:]) {
			return nil, "", errors.Errorf("input %q takes samples of shape %v, got %v", f.inputs[i].name, f.declaredShape(i), got)
		}
		ins[i], same = got.Clone(), false
	}
	if same {
		return ins, "", nil
	}
	return ins, fmt.Sprint(ins), nil
}

// TakesAnyLength reports whether input i takes sequences of any length
// ([steps, features...] with steps > 0), not only the length it was built
// for: it was declared with length 0 (None), or it is a sequence of vectors
// or more and the model's prediction graph builds at another length (no
// layer's output depends on the length, as Flatten's does). The check
// builds that graph once (it stays in the cache).
func (f *Functional) TakesAnyLength(i int) bool {
	if !f.built || i < 0 || i >= len(f.inputs) || !f.lengthMayChange(i) {
		return false
	}
	if f.inputs[i].anyLength {
		return true
	}
	shapes := make([][]int, len(f.inputs))
	for j, in := range f.inputs {
		shapes[j] = in.shape.Clone()
	}
	shapes[i][0]++
	_, err := f.GraphFor(trainer.PredictMode, 1, shapes)
	return err == nil
}

// lengthMayChange reports whether input i may take sequences of another
// length than it was built for: it was declared with length 0 (None), or
// it is a sequence of vectors or more ([T, features...]).
func (f *Functional) lengthMayChange(i int) bool {
	in := f.inputs[i]
	return in.anyLength || len(in.shape) >= 2
}

// declaredShape is input i's per-sample shape as declared, with 0 for a
// length of any size.
func (f *Functional) declaredShape(i int) layers.Shape {
	s := f.inputs[i].shape.Clone()
	if f.inputs[i].anyLength {
		s[0] = 0
	}
	return s
}

func (f *Functional) buildGraph(mode trainer.Mode, batch int, ins []layers.Shape) (g *trainer.Graph, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("gorgonia: %v", r)
		}
	}()
	dt := f.dtype
	call := layers.NewCall(dt, batch, training(mode))
	call.NoLosses = mode == trainer.PredictMode
	call.InputGrads = mode == trainer.InputGradientMode
	xs := make([]*gorgonia.Node, len(f.inputs))
	xvs := make([]*tensor.Dense, len(f.inputs))
	for i, in := range f.inputs {
		xvs[i] = tensor.New(tensor.Of(dt), tensor.WithShape(ins[i].WithBatch(batch)...))
		xs[i] = gorgonia.NewTensor(call.Graph, dt, xvs[i].Dims(), gorgonia.WithShape(xvs[i].Shape()...), gorgonia.WithName("input:"+in.name), gorgonia.WithValue(xvs[i]))
	}
	outs, err := f.forward(call, xs, false)
	if err != nil {
		return nil, err
	}
	g = &trainer.Graph{
		Mode: mode, Batch: batch, Graph: call.Graph,
		Inputs: xs, InputValues: xvs, Outputs: outs,
		Feeds: call.Feeds(), Updates: call.Updates(),
	}
	if training(mode) {
		g.Learnables = f.learnables(call)
	}
	if mode == trainer.PredictMode {
		return g, nil
	}
	for i, out := range outs {
		if m, ok := call.MaskOf(out); ok && out.Dims() >= 3 && m.Dims() == 2 {
			if g.OutputMasks == nil {
				g.OutputMasks = make([]*gorgonia.Node, len(outs))
			}
			g.OutputMasks[i] = m
		}
	}
	if mode == trainer.WeightedTrainMode && len(f.outputs) > 1 {
		return nil, errors.New("sample and class weights are for models of one output")
	}
	var total *gorgonia.Node
	var outLosses []*gorgonia.Node
	for i, out := range outs {
		tv := tensor.New(tensor.Of(dt), tensor.WithShape(out.Shape().Clone()...))
		t := gorgonia.NewTensor(call.Graph, dt, tv.Dims(), gorgonia.WithShape(tv.Shape()...), gorgonia.WithName("target:"+f.outNames[i]), gorgonia.WithValue(tv))
		g.Targets, g.TargetValues = append(g.Targets, t), append(g.TargetValues, tv)
		loss, pred := f.outLoss[i], out
		if ll, ok := loss.(losses.LogitsLoss); ok {
			if lg, ok := call.LogitsOf(out); ok {
				if onLogits, ok := ll.OnLogits(string(lg.Activation)); ok {
					loss, pred = onLogits, lg.Node
				}
			}
		}
		var l, w *gorgonia.Node
		var wv *tensor.Dense
		if l, w, wv, err = outputLoss(call, mode, loss, out, pred, t); w != nil {
			g.Weights, g.WeightsValue = w, wv
		}
		if err == nil {
			l, err = losses.Total(l)
		}
		if err != nil {
			return nil, errors.Wrapf(err, "output %q: loss %s", f.outNames[i], loss.Name())
		}
		outLosses = append(outLosses, l)
		if w := f.outW[i]; w != 1 {
			c := gorgonia.NewConstant(w)
			if dt == tensor.Float32 {
				c = gorgonia.NewConstant(float32(w))
			}
			if l, err = gorgonia.Mul(l, c); err != nil {
				return nil, errors.Wrapf(err, "output %q: loss weight", f.outNames[i])
			}
		}
		if total == nil {
			total = l
		} else if total, err = gorgonia.Add(total, l); err != nil {
			return nil, errors.Wrapf(err, "output %q: add its loss", f.outNames[i])
		}
	}
	if len(outs) > 1 {
		g.OutputLosses = outLosses
	}
	if g.Loss, err = call.TotalLoss(total); err != nil {
		return nil, errors.Wrap(err, "added losses")
	}
	return g, nil
}

// learnables returns the graph's trained weight nodes in the model's
// weight order, so that the solver's state lines up in every graph.
func (f *Functional) learnables(call *layers.Call) gorgonia.Nodes {
	used := map[*gorgonia.Node]bool{}
	for _, n := range call.Learnables() {
		used[n] = true
	}
	var out gorgonia.Nodes
	for _, w := range f.trainedWeights() {
		if n, ok := call.Lookup(w); ok && used[n] {
			out = append(out, n)
		}
	}
	return out
}

// training reports whether graphs of mode train (and so stay cached).
func training(mode trainer.Mode) bool {
	return mode == trainer.TrainMode || mode == trainer.WeightedTrainMode || mode == trainer.GradientMode || mode == trainer.InputGradientMode
}

// weightedLoss is sum(w_i * loss_i) / batch, Keras's reduction of weighted
// samples (sum(w_i * loss_i) with the loss's reduction Sum), with w fed
// through a [batch] input.
func weightedLoss(call *layers.Call, loss losses.Loss, pred, target *gorgonia.Node) (l, w *gorgonia.Node, wv *tensor.Dense, err error) {
	sl, ok := loss.(losses.SampleLoss)
	if !ok {
		return nil, nil, nil, errors.New("cannot weight samples: the loss does not give per-sample values (losses.SampleLoss)")
	}
	samples, err := sl.Samples(pred, target)
	if err != nil {
		return nil, nil, nil, err
	}
	batch := call.Batch
	wv = tensor.New(tensor.Of(call.DType), tensor.WithShape(batch))
	w = gorgonia.NewTensor(call.Graph, call.DType, 1, gorgonia.WithShape(batch), gorgonia.WithName("sample_weights"), gorgonia.WithValue(wv))
	prod, err := gorgonia.HadamardProd(w, samples)
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "weight the samples")
	}
	if l, err = losses.ReduceWeighted(loss, prod); err != nil {
		return nil, nil, nil, err
	}
	return l, w, wv, nil
}
