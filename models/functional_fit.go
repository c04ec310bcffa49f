package models

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/graphlock"
	"github.com/profundo/profundo/internal/tensors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// Compile sets each output's loss and loss weight, the optimizer and the
// metrics, then builds the model (when it has not built) from cfg's seed,
// so shapes that do not fit are reported now, naming the layers.
//
// One output takes Loss (or Losses[its name]) and Metrics; several take
// Losses by output name (an output left out takes Loss), LossWeights (1
// for one left out) and OutputMetrics. The model minimizes the weighted
// sum of its outputs' losses plus its layers' added losses
// (regularizers, a Sampling layer's KL term); with several outputs, each
// output's loss is logged too, as "<output>_loss".
func (f *Functional) Compile(cfg Config) error {
	dt := cfg.dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("compile: dtype must be float32 or float64, got %v", dt)
	}
	if cfg.BatchSize < 0 {
		return errors.Errorf("compile: batch size must be > 0, got %d", cfg.BatchSize)
	}
	if f.built && dt != f.dtype {
		return errors.Errorf("compile: the model was built as %v, got dtype %v", f.dtype, dt)
	}
	index := map[string]int{}
	for i, n := range f.outNames {
		index[n] = i
	}
	known := func(what string, keys []string) error {
		for _, k := range keys {
			if _, ok := index[k]; !ok {
				return errors.Errorf("compile: %s names output %q; the outputs are %s", what, k, strings.Join(f.outNames, ", "))
			}
		}
		return nil
	}
	if err := known("Losses", keysOf(cfg.Losses)); err != nil {
		return err
	}
	if err := known("LossWeights", keysOf(cfg.LossWeights)); err != nil {
		return err
	}
	if err := known("OutputMetrics", keysOf(cfg.OutputMetrics)); err != nil {
		return err
	}
	outLoss := make([]losses.Loss, len(f.outputs))
	outW := make([]float64, len(f.outputs))
	for i, name := range f.outNames {
		l := cfg.Loss
		if ol, ok := cfg.Losses[name]; ok {
			l = ol
		}
		if l == nil {
			return errors.Errorf("compile: no loss for output %q: set Loss or Losses[%q]", name, name)
		}
		w := 1.0
		if ow, ok := cfg.LossWeights[name]; ok {
			w = ow
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return errors.Errorf("compile: loss weight of output %q must be finite and >= 0, got %v", name, w)
		}
		outLoss[i], outW[i] = l, w
	}
	var mets []metrics.Metric
	if len(f.outputs) > 1 && len(cfg.Metrics) > 0 {
		return errors.Errorf("compile: the model has %d outputs; give metrics per output in OutputMetrics", len(f.outputs))
	}
	mets = append(mets, cfg.Metrics...)
	for i, name := range f.outNames {
		for _, m := range cfg.OutputMetrics[name] {
			if m == nil {
				return errors.Errorf("compile: a metric of output %q is nil", name)
			}
			if len(f.outputs) == 1 {
				mets = append(mets, m)
			} else {
				mets = append(mets, trainer.OnOutput(m, i, name))
			}
		}
	}
	if err := checkMetricNames(mets, f.OutputLossNames()...); err != nil {
		return err
	}
	opt, solver, err := newSolver(cfg.Optimizer)
	if err != nil {
		return err
	}
	if !f.built {
		if err := f.build(rand.New(rand.NewSource(cfg.Seed)), dt); err != nil {
			return errors.Wrap(err, "compile")
		}
	}
	f.graphs.closeAll()
	f.cfg, f.solver, f.compiled = cfg, solver, true
	f.cfg.Optimizer = opt
	f.outLoss, f.outW, f.mets = outLoss, outW, mets
	return nil
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Config returns the configuration the model was compiled with.
func (f *Functional) Config() Config { return f.cfg }

// Solver returns the compiled optimizer's solver (nil before Compile).
func (f *Functional) Solver() optimizers.Solver { return f.solver }

// Metrics returns the compiled metrics as the trainer runs them (a model of
// several outputs wraps each as trainer.OnOutput).
func (f *Functional) Metrics() []metrics.Metric { return append([]metrics.Metric(nil), f.mets...) }

// Graph returns the model's graph for mode and batch size, building it on
// first use. It is how the trainer runs the model.
func (f *Functional) Graph(mode trainer.Mode, batch int) (*trainer.Graph, error) {
	if !f.built {
		return nil, errors.New("graph: the model is not built")
	}
	if batch <= 0 {
		return nil, errors.Errorf("graph: batch size must be > 0, got %d", batch)
	}
	if mode != trainer.PredictMode && !f.compiled {
		return nil, errors.Errorf("%s graph: the model is not compiled; call Compile first", mode)
	}
	k := graphKey{mode, batch}
	if g, ok := f.graphs.get(k); ok {
		return g, nil
	}
	var g *trainer.Graph
	err := graphlock.Do(func() (err error) {
		g, err = f.buildGraph(mode, batch)
		return err
	})
	if err != nil {
		return nil, errors.Wrapf(err, "%s graph for batch %d", mode, batch)
	}
	f.graphs.put(k, g)
	return g, nil
}

func (f *Functional) buildGraph(mode trainer.Mode, batch int) (g *trainer.Graph, err error) {
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
		xvs[i] = tensor.New(tensor.Of(dt), tensor.WithShape(in.shape.WithBatch(batch)...))
		xs[i] = gorgonia.NewTensor(call.Graph, dt, xvs[i].Dims(), gorgonia.WithShape(xvs[i].Shape()...), gorgonia.WithName("input:"+in.name), gorgonia.WithValue(xvs[i]))
	}
	outs, err := f.forward(call, xs)
	if err != nil {
		return nil, err
	}
	g = &trainer.Graph{
		Mode: mode, Batch: batch, Graph: call.Graph,
		Input: xs[0], InputValue: xvs[0], MoreInputs: xs[1:], MoreInputValues: xvs[1:],
		Output: outs[0], MoreOutputs: outs[1:],
		Feeds: call.Feeds(), Updates: call.Updates(),
	}
	if training(mode) {
		g.Learnables = f.learnables(call)
	}
	if mode == trainer.PredictMode {
		return g, nil
	}
	if mode == trainer.WeightedTrainMode && len(f.outputs) > 1 {
		return nil, errors.New("sample and class weights are for models of one output")
	}
	var total *gorgonia.Node
	var outLosses []*gorgonia.Node
	for i, out := range outs {
		tv := tensor.New(tensor.Of(dt), tensor.WithShape(f.outputs[i].shape.WithBatch(batch)...))
		t := gorgonia.NewTensor(call.Graph, dt, tv.Dims(), gorgonia.WithShape(tv.Shape()...), gorgonia.WithName("target:"+f.outNames[i]), gorgonia.WithValue(tv))
		if i == 0 {
			g.Target, g.TargetValue = t, tv
		} else {
			g.MoreTargets, g.MoreTargetValues = append(g.MoreTargets, t), append(g.MoreTargetValues, tv)
		}
		loss, pred := f.outLoss[i], out
		if ll, ok := loss.(losses.LogitsLoss); ok {
			if lg, ok := call.LogitsOf(out); ok {
				if onLogits, ok := ll.OnLogits(string(lg.Activation)); ok {
					loss, pred = onLogits, lg.Node
				}
			}
		}
		var l *gorgonia.Node
		if mode == trainer.WeightedTrainMode {
			l, g.Weights, g.WeightsValue, err = weightedLoss(call, loss, pred, t)
		} else {
			l, err = loss.Build(pred, t)
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

// prepareInputs checks xs (one per input, present, not empty, of the
// inputs' shapes, finite, with one number of rows) and converts them to the
// model's dtype, building the model first when it has not built.
func (f *Functional) prepareInputs(xs []*tensor.Dense, what string) ([]*tensor.Dense, error) {
	if len(xs) != len(f.inputs) {
		return nil, errors.Errorf("%s: the model takes %d inputs, got %d", what, len(f.inputs), len(xs))
	}
	if !f.built {
		if err := f.build(rand.New(rand.NewSource(f.cfg.Seed)), f.cfg.dtype()); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	out := make([]*tensor.Dense, len(xs))
	n := -1
	for i, x := range xs {
		name := f.inputs[i].name
		if x == nil {
			return nil, errors.Errorf("%s: input %q is nil", what, name)
		}
		if x.Dims() < 2 || x.Shape()[0] == 0 {
			return nil, errors.Errorf("%s: input %q must be [samples, features...] with at least one sample, got shape %v", what, name, x.Shape())
		}
		if n >= 0 && x.Shape()[0] != n {
			return nil, errors.Errorf("%s: input %q has %d rows, input %q has %d", what, name, x.Shape()[0], f.inputs[0].name, n)
		}
		n = x.Shape()[0]
		xt, err := convertInput(x, f.inputs[i].shape, f.dtype, what, fmt.Sprintf("input %q", name))
		if err != nil {
			return nil, err
		}
		out[i] = xt
	}
	return out, nil
}

// prepare checks xs and ys and turns them into the trainer's data: the
// model's dtype, each y as [n, 1] when given as [n], and the targets
// encoded as each output's loss is fed.
func (f *Functional) prepare(xs, ys []*tensor.Dense, what string) (trainer.Data, error) {
	xts, err := f.prepareInputs(xs, what)
	if err != nil {
		return trainer.Data{}, err
	}
	if len(ys) != len(f.outputs) {
		return trainer.Data{}, errors.Errorf("%s: the model has %d outputs, got targets for %d", what, len(f.outputs), len(ys))
	}
	n := xts[0].Shape()[0]
	yts := make([]*tensor.Dense, len(ys))
	targets := make([]*tensor.Dense, len(ys))
	for i, y := range ys {
		name := f.outNames[i]
		if y == nil {
			return trainer.Data{}, errors.Errorf("%s: the targets of output %q are nil", what, name)
		}
		if y.Dims() == 0 || y.Shape()[0] != n {
			return trainer.Data{}, errors.Errorf("%s: x has %d rows but the targets of output %q have shape %v", what, n, name, y.Shape())
		}
		yt, err := tensors.Convert(y, f.dtype)
		if err != nil {
			return trainer.Data{}, errors.Wrapf(err, "%s: output %q", what, name)
		}
		if yt.Dims() == 1 {
			yt = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(yt.Data()))
		}
		if err := tensors.CheckFinite(yt, what+": targets of "+name); err != nil {
			return trainer.Data{}, err
		}
		target := yt
		if enc, ok := f.outLoss[i].(losses.TargetEncoder); ok {
			if target, err = enc.EncodeTargets(yt, f.outputs[i].shape); err != nil {
				return trainer.Data{}, errors.Wrapf(err, "%s: output %q", what, name)
			}
		}
		if got, want := layers.Shape(target.Shape()[1:]), f.outputs[i].shape; !got.Equal(want) {
			return trainer.Data{}, errors.Errorf("%s: output %q: targets of shape %v, the model outputs %v for loss %s", what, name, got, want, f.outLoss[i].Name())
		}
		yts[i], targets[i] = yt, target
	}
	d := trainer.Data{X: xts[0], MoreX: xts[1:], Y: yts[0], MoreY: yts[1:]}
	if targets[0] != yts[0] {
		d.Target = targets[0]
	}
	for i := 1; i < len(ys); i++ {
		var t *tensor.Dense
		if targets[i] != yts[i] {
			t = targets[i]
		}
		d.MoreTarget = append(d.MoreTarget, t)
	}
	return d, nil
}

// Fit trains a model of one input and one output on x and y; see FitAll.
func (f *Functional) Fit(ctx context.Context, x, y *tensor.Dense, cfg trainer.FitConfig) (*trainer.History, error) {
	return f.FitAll(ctx, []*tensor.Dense{x}, []*tensor.Dense{y}, cfg)
}

// FitAll trains the model on xs, one tensor per input, and ys, one per
// output (class ids [n] for sparse labels, [n, out...] otherwise), as cfg
// says, and returns the history of every epoch. A ValidationData of
// several inputs or outputs holds the first in X and Y and the others in
// MoreX and MoreY.
func (f *Functional) FitAll(ctx context.Context, xs, ys []*tensor.Dense, cfg trainer.FitConfig) (*trainer.History, error) {
	if !f.compiled {
		return nil, errors.New("fit: the model is not compiled; call Compile first")
	}
	data, err := f.prepare(xs, ys, "fit")
	if err != nil {
		return nil, err
	}
	if v := cfg.ValidationData; v != nil {
		vd, err := f.prepare(append([]*tensor.Dense{v.X}, v.MoreX...), append([]*tensor.Dense{v.Y}, v.MoreY...), "fit: validation data")
		if err != nil {
			return nil, err
		}
		cfg.ValidationData = &vd
	}
	hist, err := trainer.Fit(ctx, f, f.solver, f.mets, data, cfg)
	if hist != nil && len(hist.Epochs) > 0 {
		for _, k := range hist.Names {
			v, _ := hist.Last(k)
			f.score(k, v)
		}
	}
	return hist, err
}

func (f *Functional) score(name string, v float64) {
	if f.scores == nil {
		f.scores = map[string]float64{}
	}
	f.scores[name] = v
}

// Evaluate scores a model of one input and one output; see EvaluateAll.
func (f *Functional) Evaluate(ctx context.Context, x, y *tensor.Dense) (trainer.Logs, error) {
	return f.EvaluateAll(ctx, []*tensor.Dense{x}, []*tensor.Dense{y})
}

// EvaluateAll scores the model on xs and ys: the mean total loss as
// "loss", each output's loss with several outputs, and each compiled
// metric by its name. A Sampling layer draws its noise from a fixed stream,
// so the same data scores the same.
func (f *Functional) EvaluateAll(ctx context.Context, xs, ys []*tensor.Dense) (trainer.Logs, error) {
	if !f.compiled {
		return nil, errors.New("evaluate: the model is not compiled; call Compile first")
	}
	data, err := f.prepare(xs, ys, "evaluate")
	if err != nil {
		return nil, err
	}
	logs, err := trainer.Evaluate(ctx, f, f.mets, data, f.cfg.BatchSize)
	for k, v := range logs {
		f.score("evaluate_"+k, v)
	}
	return logs, err
}

// Predict returns the output of a model of one input and one output for
// every row of x.
func (f *Functional) Predict(ctx context.Context, x *tensor.Dense) (*tensor.Dense, error) {
	outs, err := f.PredictAll(ctx, x)
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, errors.Errorf("predict: the model has %d outputs; use PredictAll", len(outs))
	}
	return outs[0], nil
}

// PredictAll returns every output, [n, out_i...], for xs, one tensor per
// input. A model that is not compiled builds from seed 0 (or the seed of
// a model holding it that built it).
func (f *Functional) PredictAll(ctx context.Context, xs ...*tensor.Dense) ([]*tensor.Dense, error) {
	xts, err := f.prepareInputs(xs, "predict")
	if err != nil {
		return nil, err
	}
	return trainer.PredictAll(ctx, f, xts, f.cfg.BatchSize)
}

// TrainOnBatch trains a model of one input and one output on one batch;
// see TrainOnBatchAll.
func (f *Functional) TrainOnBatch(x, y *tensor.Dense, stream *rand.Rand) (trainer.Logs, error) {
	return f.TrainOnBatchAll([]*tensor.Dense{x}, []*tensor.Dense{y}, stream)
}

// TrainOnBatchAll takes one optimizer step on xs and ys as one batch, as
// Keras's train_on_batch, and returns the batch's loss (and output losses
// and metrics). stream draws the batch's dropout masks and sampling noise;
// nil means a stream seeded by 0. It is what a custom training step
// (trainer.Stepper) calls on each model it trains.
func (f *Functional) TrainOnBatchAll(xs, ys []*tensor.Dense, stream *rand.Rand) (trainer.Logs, error) {
	if !f.compiled {
		return nil, errors.New("train on batch: the model is not compiled; call Compile first")
	}
	data, err := f.prepare(xs, ys, "train on batch")
	if err != nil {
		return nil, err
	}
	return trainer.TrainOnBatch(f, f.solver, f.mets, data, stream)
}

// TrainOnBatch takes one optimizer step on x and y as one batch, as
// Keras's train_on_batch, and returns the batch's loss and metrics. stream
// draws the batch's dropout masks; nil means a stream seeded by 0.
func (s *Sequential) TrainOnBatch(x, y *tensor.Dense, stream *rand.Rand) (trainer.Logs, error) {
	if !s.compiled {
		return nil, errors.New("train on batch: the model is not compiled; call Compile first")
	}
	data, err := s.prepare(x, y, "train on batch")
	if err != nil {
		return nil, err
	}
	return trainer.TrainOnBatch(s, s.solver, s.cfg.Metrics, data, stream)
}
