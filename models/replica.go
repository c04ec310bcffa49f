package models

import "github.com/pkg/errors"

// Replica returns a model that shares this one's layers and weights but has
// graphs of its own, for predicting on another goroutine: a model runs one
// graph at a time, and replicas let a server predict in parallel. A
// replica predicts only (it is not compiled); weights updated by training
// the original are seen by its replicas.
func (f *Functional) Replica() (*Functional, error) {
	if !f.built {
		return nil, errors.New("replica: the model is not built")
	}
	return &Functional{
		Name:          f.Name,
		ClassNames:    f.ClassNames,
		Preprocessing: f.Preprocessing,
		Tabular:       f.Tabular,
		Notes:         f.Notes,
		inputs:        f.inputs,
		outputs:       f.outputs,
		nodes:         f.nodes,
		owners:        f.owners,
		outNames:      f.outNames,
		frozen:        f.frozen,
		built:         true,
		dtype:         f.dtype,
		cfg:           Config{DType: f.cfg.DType, Seed: f.cfg.Seed, BatchSize: f.cfg.BatchSize},
	}, nil
}
