package models

import (
	"context"
	"fmt"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/tensors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/trainer"
)

// Tensors is the data of a model's inputs or of its outputs' targets: a
// *tensor.Dense for a model of one, or a []*tensor.Dense, one tensor per
// input (or output) in the model's order, for any model. Each tensor is
// [samples, ...]; every one has the same number of samples.
//
//	m.Fit(ctx, x, y, cfg)                                        // one input, one output
//	m.Fit(ctx, []*tensor.Dense{img, meta}, []*tensor.Dense{y1, y2}, cfg) // two of each
type Tensors any

// tensorsOf reads a Tensors value; what names it in errors.
func tensorsOf(v Tensors, what string) ([]*tensor.Dense, error) {
	switch t := v.(type) {
	case nil:
		return nil, errors.Errorf("%s is nil", what)
	case *tensor.Dense:
		if t == nil {
			return nil, errors.Errorf("%s is nil", what)
		}
		return []*tensor.Dense{t}, nil
	case []*tensor.Dense:
		if len(t) == 0 {
			return nil, errors.Errorf("%s is an empty list of tensors", what)
		}
		return t, nil
	}
	return nil, errors.Errorf("%s is a %T: give a *tensor.Dense, or a []*tensor.Dense of one tensor per input or output", what, v)
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// prepareInputs checks xs (one per input, present, not empty, of the
// inputs' shapes, finite, with one number of rows), applies the model's
// Preprocessing, and converts them to the model's dtype, building the
// model first when it has not built.
func (f *Functional) prepareInputs(x Tensors, what string) ([]*tensor.Dense, error) {
	xs, err := tensorsOf(x, what+": x")
	if err != nil {
		return nil, err
	}
	for i, x := range xs {
		if x == nil {
			return nil, errors.Errorf("%s: input %d is nil", what, i)
		}
		if x.Dims() < 2 || x.Shape()[0] == 0 {
			return nil, errors.Errorf("%s: input %d must be [samples, features...] with at least one sample, got shape %v", what, i, x.Shape())
		}
	}
	if f.Preprocessing != nil {
		if len(xs) != 1 {
			return nil, errors.Errorf("%s: Preprocessing is for models of one input, got %d inputs", what, len(xs))
		}
		p, err := f.Preprocessing.Transform(xs[0])
		if err != nil {
			return nil, errors.Wrapf(err, "%s: preprocessing", what)
		}
		xs = []*tensor.Dense{p}
	}
	if !f.built {
		shapes := make([]layers.Shape, len(xs))
		for i, x := range xs {
			shapes[i] = layers.Shape(x.Shape()[1:]).Clone()
		}
		if err := f.ensureBuilt(shapes, what); err != nil {
			return nil, err
		}
	}
	if len(xs) != len(f.inputs) {
		return nil, errors.Errorf("%s: the model takes %d inputs, got %d", what, len(f.inputs), len(xs))
	}
	out := make([]*tensor.Dense, len(xs))
	n := -1
	for i, x := range xs {
		name := f.inputs[i].name
		if n >= 0 && x.Shape()[0] != n {
			return nil, errors.Errorf("%s: input %q has %d rows, input %q has %d", what, name, x.Shape()[0], f.inputs[0].name, n)
		}
		n = x.Shape()[0]
		label := fmt.Sprintf("input %q", name)
		if f.seq != nil {
			label = "x"
		}
		want := f.inputs[i].shape
		if got := layers.Shape(x.Shape()[1:]); f.lengthMayChange(i) && len(got) == len(want) && got[0] > 0 && got[1:].Equal(want[1:]) {
			want = got // a sequence of another length
		} else if f.inputs[i].anyLength {
			want = f.declaredShape(i)
		}
		xt, err := convertInput(x, want, f.dtype, what, label)
		if err != nil {
			return nil, err
		}
		out[i] = xt
	}
	return out, nil
}

// outputShapesFor returns the per-sample output shapes for inputs xs: the
// built ones, or, for sequences of another length, those of the model's
// graph at that length.
func (f *Functional) outputShapesFor(xs []*tensor.Dense) ([]layers.Shape, error) {
	out := make([]layers.Shape, len(f.outputs))
	for i, o := range f.outputs {
		out[i] = o.shape
	}
	shapes := make([][]int, len(xs))
	same := true
	for i, x := range xs {
		shapes[i] = []int(x.Shape()[1:])
		same = same && layers.Shape(shapes[i]).Equal(f.inputs[i].shape)
	}
	if same {
		return out, nil
	}
	g, err := f.GraphFor(trainer.PredictMode, 1, shapes)
	if err != nil {
		return nil, err
	}
	for i, o := range g.Outputs {
		out[i] = layers.Shape(o.Shape()[1:]).Clone()
	}
	return out, nil
}

// convertInput checks that x, an input called name, holds samples of
// shape want and finite values, and converts it to dtype dt.
func convertInput(x *tensor.Dense, want layers.Shape, dt tensor.Dtype, what, name string) (*tensor.Dense, error) {
	if got := layers.Shape(x.Shape()[1:]); !got.Equal(want) {
		return nil, errors.Errorf("%s: %s has samples of shape %v, the model takes %v", what, name, got, want)
	}
	xt, err := tensors.Convert(x, dt)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: %s", what, name)
	}
	if err := tensors.CheckFinite(xt, what+": "+name); err != nil {
		return nil, err
	}
	return xt, nil
}

// prepare checks x and y and turns them into the trainer's data: the
// model's dtype, each y as [n, 1] when given as [n], and the targets
// encoded as each output's loss is fed.
func (f *Functional) prepare(x, y Tensors, what string) (trainer.Data, error) {
	xts, err := f.prepareInputs(x, what)
	if err != nil {
		return trainer.Data{}, err
	}
	ys, err := tensorsOf(y, what+": y")
	if err != nil {
		return trainer.Data{}, err
	}
	if len(ys) != len(f.outputs) {
		return trainer.Data{}, errors.Errorf("%s: the model has %d outputs, got targets for %d", what, len(f.outputs), len(ys))
	}
	outShapes, err := f.outputShapesFor(xts)
	if err != nil {
		return trainer.Data{}, errors.Wrap(err, what)
	}
	n := xts[0].Shape()[0]
	d := trainer.Data{X: xts, Y: make([]*tensor.Dense, len(ys)), Target: make([]*tensor.Dense, len(ys))}
	for i, y := range ys {
		name := "y"
		if len(ys) > 1 {
			name = fmt.Sprintf("the targets of output %q", f.outNames[i])
		}
		if y == nil {
			return trainer.Data{}, errors.Errorf("%s: %s are nil", what, name)
		}
		if y.Dims() == 0 || y.Shape()[0] != n {
			return trainer.Data{}, errors.Errorf("%s: x has %d rows but %s has shape %v", what, n, name, y.Shape())
		}
		yt, err := tensors.Convert(y, f.dtype)
		if err != nil {
			return trainer.Data{}, errors.Wrapf(err, "%s: %s", what, name)
		}
		if yt.Dims() == 1 {
			yt = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(yt.Data()))
		}
		if err := tensors.CheckFinite(yt, what+": "+name); err != nil {
			return trainer.Data{}, err
		}
		target := yt
		if enc, ok := f.outLoss[i].(losses.TargetEncoder); ok {
			if target, err = enc.EncodeTargets(yt, outShapes[i]); err != nil {
				return trainer.Data{}, errors.Wrapf(err, "%s: %s", what, name)
			}
		}
		if got, want := layers.Shape(target.Shape()[1:]), outShapes[i]; !got.Equal(want) {
			return trainer.Data{}, errors.Errorf("%s: %s has targets of shape %v, the model outputs %v for loss %s", what, name, got, want, f.outLoss[i].Name())
		}
		d.Y[i] = yt
		if target != yt {
			d.Target[i] = target
		}
	}
	return d, nil
}

// ready checks that the model can train: compiled, and training the
// weights it was compiled for.
func (f *Functional) ready(what string) error {
	if !f.compiled {
		return errors.Errorf("%s: the model is not compiled; call Compile first", what)
	}
	if !f.built || f.trained == nil {
		return nil
	}
	now := f.trainedWeights()
	same := len(now) == len(f.trained)
	for i := 0; same && i < len(now); i++ {
		same = now[i] == f.trained[i]
	}
	if !same {
		return errors.Errorf("%s: the trainable weights changed since Compile (%d then, %d now): compile again, which keeps the weights and starts the optimizer afresh", what, len(f.trained), len(now))
	}
	return nil
}

// Fit trains the model on x, the features (one tensor per input), and y,
// the targets (one per output: class ids [n] for sparse labels, [n,
// out...] otherwise), as cfg says, and returns the history of every epoch.
// A model that has not built builds from x's shapes. ValidationData holds
// one tensor per input and output as well (trainer.XY for one of each).
// See trainer.FitConfig for the defaults.
func (f *Functional) Fit(ctx context.Context, x, y Tensors, cfg trainer.FitConfig) (*trainer.History, error) {
	if err := f.ready("fit"); err != nil {
		return nil, err
	}
	data, err := f.prepare(x, y, "fit")
	if err != nil {
		return nil, err
	}
	if err := f.checkClassWeights(cfg.ClassWeight); err != nil {
		return nil, err
	}
	if v := cfg.ValidationData; v != nil {
		vd, err := f.prepare(v.X, v.Y, "fit: validation data")
		if err != nil {
			return nil, err
		}
		cfg.ValidationData = &vd
	}
	f.dataHash = dataSHA256(append(append([]*tensor.Dense(nil), data.X...), data.Y...)...)
	hist, err := trainer.Fit(ctx, f, f.solver, f.mets, data, cfg)
	if hist != nil && len(hist.Epochs) > 0 {
		for _, k := range hist.Names {
			v, _ := hist.Last(k)
			f.score(k, v)
		}
	}
	return hist, err
}

// score records a metric for the saved model's "metrics".
func (f *Functional) score(name string, v float64) {
	if f.scores == nil {
		f.scores = map[string]float64{}
	}
	f.scores[name] = v
}

// EvalConfig says how Evaluate and Predict run, as Keras's batch_size
// argument of evaluate and predict. Its zero value uses Config's
// BatchSize.
type EvalConfig struct {
	// BatchSize is the number of rows per graph run; zero means Config's
	// BatchSize (32 when that is zero too).
	BatchSize int
}

// batchSize is the batch size of an Evaluate or Predict call.
func (f *Functional) batchSize(cfg []EvalConfig, what string) (int, error) {
	if len(cfg) > 1 {
		return 0, errors.Errorf("%s: give at most one EvalConfig, got %d", what, len(cfg))
	}
	if len(cfg) == 1 && cfg[0].BatchSize != 0 {
		if cfg[0].BatchSize < 0 {
			return 0, errors.Errorf("%s: batch size must be > 0, got %d", what, cfg[0].BatchSize)
		}
		return cfg[0].BatchSize, nil
	}
	return f.cfg.BatchSize, nil
}

// Evaluate scores the model on x and y (as Fit takes them): the mean total
// loss as "loss", each output's loss with several outputs, and each
// compiled metric by its name. A Sampling layer draws its noise from a
// fixed stream, so the same data scores the same. An EvalConfig sets the
// batch size: m.Evaluate(ctx, x, y, models.EvalConfig{BatchSize: 500}).
func (f *Functional) Evaluate(ctx context.Context, x, y Tensors, cfg ...EvalConfig) (trainer.Logs, error) {
	if !f.compiled {
		return nil, errors.New("evaluate: the model is not compiled; call Compile first")
	}
	bs, err := f.batchSize(cfg, "evaluate")
	if err != nil {
		return nil, err
	}
	data, err := f.prepare(x, y, "evaluate")
	if err != nil {
		return nil, err
	}
	logs, err := trainer.Evaluate(ctx, f, f.mets, data, bs)
	for k, v := range logs {
		f.score("evaluate_"+k, v)
	}
	return logs, err
}

// Predict returns the model's outputs for every row of x (one tensor per
// input), one tensor per output, [n, out_i...], in the model's order and
// dtype: Predict(ctx, x)[0] is a one-output model's. Any number of rows
// works, one included. A model that is not compiled builds from seed 0 (or
// the seed of a model holding it that built it). An EvalConfig sets the
// batch size.
func (f *Functional) Predict(ctx context.Context, x Tensors, cfg ...EvalConfig) ([]*tensor.Dense, error) {
	bs, err := f.batchSize(cfg, "predict")
	if err != nil {
		return nil, err
	}
	xts, err := f.prepareInputs(x, "predict")
	if err != nil {
		return nil, err
	}
	return trainer.Predict(ctx, f, xts, bs)
}

// TrainOnBatch takes one optimizer step on x and y (as Fit takes them) as
// one batch, as Keras's train_on_batch, and returns the batch's loss (and
// output losses and metrics). stream draws the batch's dropout masks and
// sampling noise; nil means a stream seeded by 0. It is what a custom
// training step (trainer.Stepper) calls on each model it trains.
func (f *Functional) TrainOnBatch(x, y Tensors, stream *rand.Rand) (trainer.Logs, error) {
	if err := f.ready("train on batch"); err != nil {
		return nil, err
	}
	data, err := f.prepare(x, y, "train on batch")
	if err != nil {
		return nil, err
	}
	return trainer.TrainOnBatch(f, f.solver, f.mets, data, stream)
}

// checkClassWeights refuses weights for classes the model cannot output.
func (f *Functional) checkClassWeights(cw map[int]float64) error {
	if cw == nil {
		return nil
	}
	if len(f.outputs) != 1 {
		return errors.Errorf("fit: class weights are for models of one output, this one has %d", len(f.outputs))
	}
	k := f.outputs[0].shape.Size()
	if k == 1 {
		k = 2 // one sigmoid unit: classes 0 and 1
	}
	for c := range cw {
		if c < 0 || c >= k {
			return errors.Errorf("fit: class weight for class %d, the model has classes 0 to %d", c, k-1)
		}
	}
	return nil
}
