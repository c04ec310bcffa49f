package models

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

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

	// Losses gives a functional model's outputs their own losses, by
	// output name (Functional.OutputNames); an output it leaves out takes
	// Loss. Sequential models take Loss alone.
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

// Compile sets the loss, optimizer and metrics. When the input shape is
// known (a layers.Input first), the model builds now, so shapes that do not
// chain are reported before any data flows.
func (s *Sequential) Compile(cfg Config) error {
	if cfg.Loss == nil {
		return errors.New("compile: a loss is required")
	}
	if cfg.Losses != nil || cfg.LossWeights != nil || cfg.OutputMetrics != nil {
		return errors.New("compile: Losses, LossWeights and OutputMetrics are for functional models; a Sequential model takes Loss and Metrics")
	}
	if dt := cfg.dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("compile: dtype must be float32 or float64, got %v", dt)
	}
	if cfg.BatchSize < 0 {
		return errors.Errorf("compile: batch size must be > 0, got %d", cfg.BatchSize)
	}
	if s.built && cfg.dtype() != s.cfg.dtype() {
		return errors.Errorf("compile: the model was built as %v, got dtype %v", s.cfg.dtype(), cfg.dtype())
	}
	if err := checkMetricNames(cfg.Metrics); err != nil {
		return err
	}
	opt, solver, err := newSolver(cfg.Optimizer)
	if err != nil {
		return err
	}
	s.graphs.closeAll()
	s.cfg, s.solver, s.compiled = cfg, solver, true
	s.cfg.Optimizer = opt
	if _, ok := s.firstInput(); ok && !s.built {
		return s.Build(nil)
	}
	return nil
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

// Config returns the configuration the model was compiled with.
func (s *Sequential) Config() Config { return s.cfg }

// Solver returns the compiled optimizer's solver (nil before Compile): its
// learning rate can be changed between epochs without losing its state.
func (s *Sequential) Solver() optimizers.Solver { return s.solver }
