package models

import "github.com/pkg/errors"

// Replica returns a model that shares this one's layers and weights but has
// graphs of its own, for predicting on another goroutine: a Sequential runs
// one graph at a time, and replicas let a server predict in parallel. A
// replica predicts only (it is not compiled); weights updated by training
// the original are seen by its replicas.
func (s *Sequential) Replica() (*Sequential, error) {
	if !s.built {
		return nil, errors.New("replica: the model is not built")
	}
	return &Sequential{
		Name:          s.Name,
		ClassNames:    s.ClassNames,
		Preprocessing: s.Preprocessing,
		Tabular:       s.Tabular,
		Notes:         s.Notes,
		layers:        s.layers,
		in:            s.in,
		shapes:        s.shapes,
		built:         true,
		cfg:           Config{DType: s.cfg.DType, Seed: s.cfg.Seed, BatchSize: s.cfg.BatchSize},
	}, nil
}
