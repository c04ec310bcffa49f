package models

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/graphlock"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/trainer"
)

// maxInferenceGraphs bounds how many evaluation and prediction graphs (one
// per batch size seen) a model keeps; past it, the least recently used goes.
const maxInferenceGraphs = 8

type graphKey struct {
	mode  trainer.Mode
	batch int
}

// graphCache keeps a model's graphs: training graphs for every batch size
// trained (the full batch and the last, smaller one), and a few inference
// graphs.
type graphCache struct {
	graphs map[graphKey]*trainer.Graph
	order  []graphKey // inference graphs, least recently used first
}

func (c *graphCache) get(k graphKey) (*trainer.Graph, bool) {
	g, ok := c.graphs[k]
	if ok && !training(k.mode) {
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
	if training(k.mode) {
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

// Graph returns the model's graph for mode and batch size, building it on
// first use. It is how the trainer runs the model.
func (s *Sequential) Graph(mode trainer.Mode, batch int) (*trainer.Graph, error) {
	if !s.built {
		return nil, errors.New("graph: the model is not built")
	}
	if batch <= 0 {
		return nil, errors.Errorf("graph: batch size must be > 0, got %d", batch)
	}
	if mode != trainer.PredictMode && !s.compiled {
		return nil, errors.Errorf("%s graph: the model is not compiled; call Compile first", mode)
	}
	k := graphKey{mode, batch}
	if g, ok := s.graphs.get(k); ok {
		return g, nil
	}
	var g *trainer.Graph
	err := graphlock.Do(func() (err error) {
		g, err = s.buildGraph(mode, batch)
		return err
	})
	if err != nil {
		return nil, errors.Wrapf(err, "%s graph for batch %d", mode, batch)
	}
	s.graphs.put(k, g)
	return g, nil
}

func (s *Sequential) buildGraph(mode trainer.Mode, batch int) (g *trainer.Graph, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("gorgonia: %v", r)
		}
	}()
	dt := s.cfg.dtype()
	call := layers.NewCall(dt, batch, training(mode))
	call.NoLosses = mode == trainer.PredictMode
	call.InputGrads = mode == trainer.InputGradientMode
	xt := tensor.New(tensor.Of(dt), tensor.WithShape(s.in.WithBatch(batch)...))
	x := gorgonia.NewTensor(call.Graph, dt, xt.Dims(), gorgonia.WithShape(xt.Shape()...), gorgonia.WithName("x"), gorgonia.WithValue(xt))
	h := x
	for i, l := range s.layers {
		if h, err = l.Forward(call, h); err != nil {
			return nil, err
		}
		if want := s.shapes[i].WithBatch(batch); !h.Shape().Eq(want) || h.Dims() != len(want) {
			return nil, errors.Errorf("%s %q: built for output %v, its graph gives %v", l.Kind(), l.LayerName(), want, h.Shape())
		}
	}
	g = &trainer.Graph{
		Mode: mode, Batch: batch, Graph: call.Graph,
		Input: x, InputValue: xt, Output: h,
		Learnables: s.learnables(call), Feeds: call.Feeds(), Updates: call.Updates(),
	}
	if mode == trainer.PredictMode {
		return g, nil
	}
	out := s.OutputShape()
	g.TargetValue = tensor.New(tensor.Of(dt), tensor.WithShape(out.WithBatch(batch)...))
	g.Target = gorgonia.NewTensor(call.Graph, dt, g.TargetValue.Dims(), gorgonia.WithShape(g.TargetValue.Shape()...), gorgonia.WithName("y"), gorgonia.WithValue(g.TargetValue))
	loss, pred := s.cfg.Loss, h
	if ll, ok := loss.(losses.LogitsLoss); ok {
		if lg, ok := call.LogitsOf(h); ok {
			if onLogits, ok := ll.OnLogits(string(lg.Activation)); ok {
				loss, pred = onLogits, lg.Node
			}
		}
	}
	if mode == trainer.WeightedTrainMode {
		g.Loss, g.Weights, g.WeightsValue, err = weightedLoss(call, loss, pred, g.Target)
	} else {
		g.Loss, err = loss.Build(pred, g.Target)
	}
	if err == nil {
		g.Loss, err = losses.Total(g.Loss)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "loss %s", loss.Name())
	}
	// The layers' regularization penalties add to the loss, unweighted, as
	// in Keras.
	if g.Loss, err = call.TotalLoss(g.Loss); err != nil {
		return nil, errors.Wrap(err, "regularization losses")
	}
	return g, nil
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

// learnables returns the graph's trainable weight nodes in the model's
// weight order, whatever order the layers used them in, so that a solver's
// state lines up with trainable(s.Weights()) in every graph and checkpoint.
func (s *Sequential) learnables(call *layers.Call) gorgonia.Nodes {
	used := map[*gorgonia.Node]bool{}
	for _, n := range call.Learnables() {
		used[n] = true
	}
	var out gorgonia.Nodes
	for _, w := range trainable(s.Weights()) {
		if n, ok := call.Lookup(w); ok && used[n] {
			out = append(out, n)
		}
	}
	return out
}
