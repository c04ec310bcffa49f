package trainer

import (
	"context"
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/metrics"
)

// Stepper is a training step of one's own, for what Fit's step does not
// cover: several losses, several optimizers, alternating updates (a GAN's
// discriminator and generator). FitSteps runs it with everything else Fit
// does: batching and shuffling, epochs, callbacks, the progress display and
// the history.
//
// A step usually calls TrainOnBatch (or a model's TrainOnBatch) on one or
// more compiled models, each with its own optimizer, and returns the values
// it wants logged.
type Stepper interface {
	// LogNames lists the names of the values TrainStep returns, in display
	// order: "d_loss", "g_loss".
	LogNames() []string
	// TrainStep trains on one batch and returns its values. FitSteps shows
	// and records their running means over the epoch, each batch weighted
	// by its number of samples; a name TrainStep leaves out counts as no
	// value for that batch.
	TrainStep(b *Batch) (Logs, error)
}

// Validator is a Stepper that scores validation data (FitConfig's
// ValidationData or ValidationSplit) at the end of each epoch; its logs
// appear with a val_ prefix.
type Validator interface {
	Validate(ctx context.Context, d Data) (Logs, error)
}

// Batch is one batch of a FitSteps run.
type Batch struct {
	// Epoch and Index (from 0) say where the batch is in the run.
	Epoch, Index int
	// Data holds the batch's rows, copied from the data FitSteps was given,
	// in tensors reused for the next batch of the same size: copy what must
	// outlive the step.
	Data Data
	// RNG is the batch's own random stream, derived from (Seed, Epoch,
	// Index) as Fit's dropout masks are: draw the step's noise (a GAN's
	// latent vectors) from it, and pass it to TrainOnBatch, so that a run
	// is repeatable and a resumed one continues exactly.
	RNG *rand.Rand
}

// FitSteps trains with s's own step over data, as cfg says (batch size,
// epochs, shuffling, seed, validation, callbacks, progress), and returns the
// history of every epoch. Data needs only X: a step that reads no targets
// may leave Y nil. SampleWeight and ClassWeight are Fit's alone.
// Callbacks see s as the Event's Model, and no Solver: ReduceLROnPlateau
// and LearningRateScheduler do not apply; EarlyStopping's RestoreBest
// needs s to have a Weights method, ModelCheckpoint a Save method.
func FitSteps(ctx context.Context, s Stepper, data Data, cfg FitConfig) (*History, error) {
	hist := newHistory()
	if s == nil {
		return hist, errors.New("fit steps: no stepper")
	}
	if len(data.X) == 0 || data.X[0] == nil {
		return hist, errors.New("fit steps: x is required")
	}
	noY := len(data.Y) == 0
	if x := data.X[0]; noY && x.Dims() > 0 {
		// The loop checks and splits whole Data values: a stand-in of one
		// zero per sample keeps them whole, and the step never sees it.
		data.Y = []*tensor.Dense{tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape()[0], 1))}
	}
	if err := data.check("fit steps"); err != nil {
		return hist, err
	}
	if cfg.SampleWeight != nil || cfg.ClassWeight != nil {
		return hist, errors.New("fit steps: sample and class weights are Fit's; weight the losses in the step instead")
	}
	if cfg.Comm != nil {
		return hist, errors.New("fit steps: data-parallel training (Comm) is Fit's; a step of one's own averages its gradients itself")
	}
	names := s.LogNames()
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || seen[n] {
			return hist, errors.Errorf("fit steps: log names must be distinct and not empty, got %q", names)
		}
		seen[n] = true
	}
	means := make([]metrics.Mean, len(names))
	bufs := map[int]*Data{}
	r := &loopRun{
		names: names,
		begin: func() {
			for i := range means {
				means[i].Reset()
			}
		},
		step: func(epoch, batch int, d Data, rows []int, stream func() *rand.Rand) error {
			b := &Batch{Epoch: epoch, Index: batch, Data: d.gather(rows, bufs), RNG: stream()}
			if noY {
				b.Data.Y = nil
			}
			logs, err := s.TrainStep(b)
			if err != nil {
				return err
			}
			for k, v := range logs {
				if !seen[k] {
					return errors.Errorf("the step logged %q, which is not among its LogNames %q", k, names)
				}
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return errors.Errorf("%s is %v", k, v)
				}
			}
			for i, n := range names {
				if v, ok := logs[n]; ok {
					means[i].Add(v, float64(len(rows)))
				}
			}
			return nil
		},
		logs: func() Logs {
			logs := Logs{}
			for i, n := range names {
				logs[n] = means[i].Result()
			}
			return logs
		},
		model: s,
	}
	if v, ok := s.(Validator); ok {
		r.validate = func(ctx context.Context, d Data) (Logs, error) {
			if noY {
				d.Y = nil
			}
			return v.Validate(ctx, d)
		}
	}
	return runLoop(ctx, r, data, cfg, hist)
}
