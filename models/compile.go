package models

import (
	"github.com/pkg/errors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/trainer"
	"gorgonia.org/tensor"
	"math"
	"math/rand"
	"strings"

	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/optimizers"
)

// Config is what Compile takes: how the model learns and is scored.
type Config struct {
	// Loss is what training minimizes; it is required.
	Loss losses.Loss
	// Optimizer updates the weights; nil means optimizers.Adam{} (Keras's
	// defaults).
	Optimizer optimizers.Optimizer
	// Metrics are reported by Fit (and as val_ metrics) and Evaluate, after
	// the loss.
	Metrics []metrics.Metric
	// DType is tensor.Float32 or tensor.Float64; the zero value means float32.
	DType tensor.Dtype
	// Seed seeds the weight initializers: the same seed gives the same
	// weights, bit for bit.
	Seed int64
	// BatchSize is the batch size of Evaluate and Predict; zero means 32.
	BatchSize int

	// Losses gives a model's outputs their own losses, by output name
	// (Functional.OutputNames); an output it leaves out takes Loss.
	Losses map[string]losses.Loss
	// LossWeights weights each output's loss in the total a functional
	// model minimizes, by output name; an output it leaves out weighs 1.
	LossWeights map[string]float64
	// OutputMetrics scores a functional model's outputs, by output name;
	// with several outputs they are logged as "<output>_<metric>", and
	// Metrics must be empty.
	OutputMetrics map[string][]metrics.Metric
}

func (c Config) dtype() tensor.Dtype {
	if c.DType == (tensor.Dtype{}) {
		return tensor.Float32
	}
	return c.DType
}

// checkMetricNames refuses a nil metric and two metrics (or a metric and
// a logged loss) of one name.
func checkMetricNames(mets []metrics.Metric, losses ...string) error {
	names := map[string]bool{"loss": true}
	for _, n := range losses {
		names[n] = true
	}
	for i, m := range mets {
		if m == nil {
			return errors.Errorf("compile: metric %d is nil", i)
		}
		if names[m.Name()] {
			return errors.Errorf("compile: two metrics (or a metric and a loss) are named %q", m.Name())
		}
		names[m.Name()] = true
	}
	return nil
}

// newSolver returns the optimizer (Adam with Keras's defaults when nil)
// and its solver.
func newSolver(opt optimizers.Optimizer) (optimizers.Optimizer, optimizers.Solver, error) {
	if opt == nil {
		opt = optimizers.Adam{}
	}
	solver, err := opt.NewSolver()
	if err != nil {
		return nil, nil, errors.Wrap(err, "compile: optimizer")
	}
	return opt, solver, nil
}

// Compile sets each output's loss and loss weight, the optimizer and the
// metrics, then builds the model (when it has not built and its input
// shape is known) from cfg's seed, so shapes that do not fit are reported
// now, naming the layers. A Sequential whose first layer is not a
// layers.Input builds at its first Fit, Evaluate or Predict instead.
//
// One output takes Loss (or Losses[its name]) and Metrics; several take
// Losses by output name (an output left out takes Loss), LossWeights (1
// for one left out) and OutputMetrics. The model minimizes the weighted
// sum of its outputs' losses plus its layers' added losses
// (regularizers, a Sampling layer's KL term); with several outputs, each
// output's loss is logged too, as "<output>_loss".
//
// Compiling again keeps the weights and starts a fresh optimizer: the way
// to train again after SetTrainable (unfreezing for fine-tuning, at a
// lower learning rate).
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
	if f.seq != nil && f.inputs == nil {
		if first, ok := f.seq.firstInput(); ok {
			if err := f.defineFor([]layers.Shape{first.Shape}); err != nil {
				return errors.Wrap(err, "compile")
			}
		} else if cfg.Loss == nil {
			return errors.New("compile: a loss is required")
		}
	}
	if err := checkMetricNames(cfg.Metrics); err != nil {
		return err
	}
	opt, solver, err := newSolver(cfg.Optimizer)
	if err != nil {
		return err
	}
	prev := f.cfg
	f.cfg = cfg
	if f.inputs != nil {
		if err := f.compileOutputs(); err != nil {
			f.cfg = prev
			return err
		}
		if !f.built {
			if err := f.build(rand.New(rand.NewSource(cfg.Seed)), dt); err != nil {
				f.cfg = prev
				return errors.Wrap(err, "compile")
			}
		}
		if err := f.checkWeightNames(); err != nil {
			f.cfg = prev
			return err
		}
	}
	f.graphs.closeAll()
	f.solver, f.compiled = solver, true
	f.cfg.Optimizer = opt
	f.trained = nil
	if f.built {
		f.trained = f.trainedWeights()
	}
	return nil
}

// compileOutputs works out each output's loss, loss weight and metrics
// from the Config, once the outputs are known.
func (f *Functional) compileOutputs() error {
	cfg := f.cfg
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
			if f.seq != nil {
				return errors.New("compile: a loss is required")
			}
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
	f.outLoss, f.outW, f.mets = outLoss, outW, mets
	return nil
}

// checkWeightNames refuses two weights of one name: they would overwrite
// each other in a saved model (a custom layer that names two weights
// alike, or two layers that give theirs one name).
func (f *Functional) checkWeightNames() error {
	seen := map[string]bool{}
	for _, nw := range f.namedWeights() {
		if seen[nw.key] {
			return errors.Errorf("compile: two weights are named %q; a layer must give each of its weights its own name (layers.Builder.NewWeight), and weights are named after their layer", nw.key)
		}
		seen[nw.key] = true
	}
	return nil
}

// ensureBuilt defines and builds the model for the given per-sample input
// shapes when it has not built, and finishes a Compile made before the
// input shape was known.
func (f *Functional) ensureBuilt(in []layers.Shape, what string) error {
	if f.built {
		return nil
	}
	if err := f.defineFor(in); err != nil {
		return errors.Wrap(err, what)
	}
	if f.compiled && f.outLoss == nil {
		if err := f.compileOutputs(); err != nil {
			return errors.Wrap(err, what)
		}
	}
	if err := f.build(rand.New(rand.NewSource(f.cfg.Seed)), f.cfg.dtype()); err != nil {
		return errors.Wrap(err, what)
	}
	if f.compiled {
		if err := f.checkWeightNames(); err != nil {
			return errors.Wrap(err, what)
		}
		f.trained = f.trainedWeights()
	}
	return nil
}

// Config returns the configuration the model was compiled with.
func (f *Functional) Config() Config { return f.cfg }

// Solver returns the compiled optimizer's solver (nil before Compile): its
// learning rate can be changed between epochs without losing its state.
func (f *Functional) Solver() optimizers.Solver { return f.solver }

// Metrics returns the compiled metrics as the trainer runs them (a model of
// several outputs wraps each as trainer.OnOutput).
func (f *Functional) Metrics() []metrics.Metric { return append([]metrics.Metric(nil), f.mets...) }
