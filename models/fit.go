package models

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/tensors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/trainer"
)

// Fit trains the model on features x, [n, in...], and targets y (class ids
// [n] for sparse labels, [n, out...] otherwise), as cfg says, and returns the
// history of every epoch. It builds the model from x's shape if it has not
// built yet. See trainer.FitConfig for the defaults.
func (s *Sequential) Fit(ctx context.Context, x, y *tensor.Dense, cfg trainer.FitConfig) (*trainer.History, error) {
	if !s.compiled {
		return nil, errors.New("fit: the model is not compiled; call Compile first")
	}
	data, err := s.prepare(x, y, "fit")
	if err != nil {
		return nil, err
	}
	if err := s.checkClassWeights(cfg.ClassWeight); err != nil {
		return nil, err
	}
	if v := cfg.ValidationData; v != nil {
		vd, err := s.prepare(v.X, v.Y, "fit: validation data")
		if err != nil {
			return nil, err
		}
		cfg.ValidationData = &vd
	}
	s.dataHash = dataSHA256(data.X, data.Y)
	hist, err := trainer.Fit(ctx, s, s.solver, s.cfg.Metrics, data, cfg)
	if hist != nil && len(hist.Epochs) > 0 {
		for _, k := range hist.Names {
			v, _ := hist.Last(k)
			s.score(k, v)
		}
	}
	return hist, err
}

// score records a metric for the saved model's "metrics".
func (s *Sequential) score(name string, v float64) {
	if s.scores == nil {
		s.scores = map[string]float64{}
	}
	s.scores[name] = v
}

// Evaluate scores the model on x and y: the mean loss as "loss" and each
// compiled metric by its name.
func (s *Sequential) Evaluate(ctx context.Context, x, y *tensor.Dense) (trainer.Logs, error) {
	if !s.compiled {
		return nil, errors.New("evaluate: the model is not compiled; call Compile first")
	}
	data, err := s.prepare(x, y, "evaluate")
	if err != nil {
		return nil, err
	}
	logs, err := trainer.Evaluate(ctx, s, s.cfg.Metrics, data, s.cfg.BatchSize)
	for k, v := range logs {
		s.score("evaluate_"+k, v)
	}
	return logs, err
}

// Predict returns the model's outputs for every row of x, [n, out...], as
// the model's dtype. Any number of rows works, one included. A model must
// have been compiled or built (Build, or a layers.Input first) to predict.
func (s *Sequential) Predict(ctx context.Context, x *tensor.Dense) (*tensor.Dense, error) {
	if !s.compiled && !s.built {
		if _, ok := s.firstInput(); !ok {
			return nil, errors.New("predict: the model is not compiled or built; call Compile first")
		}
	}
	xt, err := s.prepareX(x, "predict")
	if err != nil {
		return nil, err
	}
	return trainer.Predict(ctx, s, xt, s.cfg.BatchSize)
}

// prepareX checks x (present, not empty, finite, the model's input shape),
// builds the model if needed and converts x to the model's dtype.
func (s *Sequential) prepareX(x *tensor.Dense, what string) (*tensor.Dense, error) {
	if x == nil {
		return nil, errors.Errorf("%s: x is nil", what)
	}
	if x.Dims() < 2 || x.Shape()[0] == 0 {
		return nil, errors.Errorf("%s: x must be [samples, features...] with at least one sample, got shape %v", what, x.Shape())
	}
	if s.Preprocessing != nil {
		var err error
		if x, err = s.Preprocessing.Transform(x); err != nil {
			return nil, errors.Wrapf(err, "%s: preprocessing", what)
		}
	}
	sample := layers.Shape(x.Shape()[1:]).Clone()
	if !s.built {
		if err := s.Build(sample); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	return convertInput(x, s.in, s.cfg.dtype(), what, "x")
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

// prepare checks x and y and turns them into the trainer's data: the model's
// dtype, y as [n, 1] when given as [n], and the targets encoded as the loss
// is fed.
func (s *Sequential) prepare(x, y *tensor.Dense, what string) (trainer.Data, error) {
	xt, err := s.prepareX(x, what)
	if err != nil {
		return trainer.Data{}, err
	}
	if y == nil {
		return trainer.Data{}, errors.Errorf("%s: y is nil", what)
	}
	if y.Dims() == 0 || y.Shape()[0] != xt.Shape()[0] {
		return trainer.Data{}, errors.Errorf("%s: x has %d rows but y has shape %v", what, xt.Shape()[0], y.Shape())
	}
	yt, err := tensors.Convert(y, s.cfg.dtype())
	if err != nil {
		return trainer.Data{}, errors.Wrapf(err, "%s: y", what)
	}
	if yt.Dims() == 1 {
		n := yt.Shape()[0]
		yt = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(yt.Data()))
	}
	if err := tensors.CheckFinite(yt, what+": y"); err != nil {
		return trainer.Data{}, err
	}
	data := trainer.Data{X: xt, Y: yt}
	target := yt
	if enc, ok := s.cfg.Loss.(losses.TargetEncoder); ok {
		if target, err = enc.EncodeTargets(yt, s.OutputShape()); err != nil {
			return trainer.Data{}, errors.Wrapf(err, "%s: y", what)
		}
		if target != yt {
			data.Target = target
		}
	}
	if got, want := layers.Shape(target.Shape()[1:]), s.OutputShape(); !got.Equal(want) {
		return trainer.Data{}, errors.Errorf("%s: y has targets of shape %v, the model outputs %v for loss %s", what, got, want, s.cfg.Loss.Name())
	}
	return data, nil
}

// checkClassWeights refuses weights for classes the model cannot output.
func (s *Sequential) checkClassWeights(cw map[int]float64) error {
	if cw == nil {
		return nil
	}
	k := s.OutputShape().Size()
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
