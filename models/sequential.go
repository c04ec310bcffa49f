// Package models holds the models users build, train and deploy, the Keras
// way: Sequential, a stack of layers, and Functional, a graph of layers
// applied to nodes (several inputs and outputs, merges, shared layers,
// nested models), each with Compile, Fit, Evaluate, Predict, Summary and
// save/load. The loops themselves live in package trainer.
package models

import (
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// Sequential is a stack of layers, each feeding the next.
//
// It builds (creates every weight and checks every shape) as soon as the
// input shape is known: at Compile when the first layer is a layers.Input,
// else at the first Fit, Evaluate or Predict, before any data flows.
type Sequential struct {
	// Name is the model's name in Summary; empty means "sequential".
	Name string
	// ClassNames names the model's output classes, for reports and serving;
	// nil means none. Save keeps them.
	ClassNames []string
	// Preprocessing, fitted on the training data, is applied to the
	// features Fit, Evaluate and Predict receive, before the first layer:
	// a scaler, an imputer or a datasets.Pipeline of them. Nil means none.
	// Save keeps it, so a loaded model takes raw features.
	Preprocessing datasets.Transformer
	// Tabular, for a model trained on a CSV table, turns new tables into
	// features the way the training table was (column order, categories,
	// class names); nil for other data. Save keeps it.
	Tabular *datasets.Tabular
	// Notes are free-form facts the saver wants kept with the model (the
	// profundo command records the data set and split it trained on); nil
	// means none. Save keeps them.
	Notes map[string]string

	layers []layers.Layer
	in     layers.Shape
	shapes []layers.Shape // output shape of each layer
	built  bool

	cfg      Config
	compiled bool
	solver   optimizers.Solver
	graphs   graphCache

	scores     map[string]float64 // the last epoch's logs and the last evaluation
	dataHash   string             // SHA-256 of the last training data
	checkpoint *Checkpoint        // where the run stood, for a loaded checkpoint
}

var _ trainer.Model = (*Sequential)(nil)

// NewSequential returns a model of the given layers, in order.
func NewSequential(ls ...layers.Layer) *Sequential {
	return &Sequential{layers: append([]layers.Layer(nil), ls...)}
}

// Add appends a layer. A model that has built takes no more layers.
func (s *Sequential) Add(l layers.Layer) error {
	if s.built {
		return errors.Errorf("add %s: the model is already built", kindOf(l))
	}
	if l == nil {
		return errors.New("add: layer is nil")
	}
	s.layers = append(s.layers, l)
	return nil
}

// Layers returns the model's layers in order.
func (s *Sequential) Layers() []layers.Layer { return append([]layers.Layer(nil), s.layers...) }

// Built reports whether the model has built its weights.
func (s *Sequential) Built() bool { return s.built }

// InputShape is the per-sample input shape, nil until known.
func (s *Sequential) InputShape() layers.Shape { return s.in.Clone() }

// OutputShape is the per-sample output shape, nil until built.
func (s *Sequential) OutputShape() layers.Shape {
	if !s.built || len(s.shapes) == 0 {
		return nil
	}
	return s.shapes[len(s.shapes)-1].Clone()
}

// Weights lists every layer's weights, in layer order.
func (s *Sequential) Weights() []*layers.Weight {
	var ws []*layers.Weight
	for _, l := range s.layers {
		ws = append(ws, l.Weights()...)
	}
	return ws
}

// Build creates the weights for per-sample input shape in, from the seed in
// the compiled Config (0 when not compiled), and checks that every layer's
// output fits the next. When the first layer is a layers.Input, in may be
// nil. Building again with the same shape does nothing; with another shape it
// is an error.
func (s *Sequential) Build(in layers.Shape) error {
	return s.buildWith(in, rand.New(rand.NewSource(s.cfg.Seed)), s.cfg.dtype())
}

// buildWith builds the model from rng as dtype dt; a model nested in a
// functional one builds with the outer model's stream.
func (s *Sequential) buildWith(in layers.Shape, rng *rand.Rand, dt tensor.Dtype) error {
	if first, ok := s.firstInput(); ok && in == nil {
		in = first.Shape
	}
	if s.built {
		if !in.Equal(s.in) {
			return errors.Errorf("build: the model was built for input %v, got %v", s.in, in)
		}
		if dt != s.cfg.dtype() {
			return errors.Errorf("build: the model was built as %v, not %v", s.cfg.dtype(), dt)
		}
		return nil
	}
	if len(s.layers) == 0 {
		return errors.New("build: the model has no layers")
	}
	if len(in) == 0 {
		return errors.New("build: no input shape; start the model with a layers.Input or pass data")
	}
	if s.compiled && dt != s.cfg.dtype() {
		return errors.Errorf("build: the model is compiled as %v, not %v", s.cfg.dtype(), dt)
	}
	if err := s.nameLayers(); err != nil {
		return err
	}
	shapes := make([]layers.Shape, len(s.layers))
	shape := in.Clone()
	for i, l := range s.layers {
		b := &layers.Builder{DType: dt, RNG: rng, Name: l.LayerName()}
		out, err := l.Build(b, shape)
		if err != nil {
			return errors.Wrapf(err, "build: layer %d", i)
		}
		shapes[i], shape = out, out
	}
	s.in, s.shapes, s.built = in.Clone(), shapes, true
	s.cfg.DType = dt
	return nil
}

func (s *Sequential) firstInput() (*layers.Input, bool) {
	if len(s.layers) == 0 {
		return nil, false
	}
	in, ok := s.layers[0].(*layers.Input)
	return in, ok
}

// nameLayers names every unnamed layer after its kind (dense, dense_1, ...)
// and rejects duplicate names, which would make weight names clash.
func (s *Sequential) nameLayers() error {
	used := map[string]bool{}
	for _, l := range s.layers {
		if l == nil {
			return errors.New("build: a layer is nil")
		}
		if n := l.LayerName(); n != "" {
			if used[n] {
				return errors.Errorf("build: two layers are named %q", n)
			}
			used[n] = true
		}
	}
	count := map[string]int{}
	for _, l := range s.layers {
		if l.LayerName() != "" {
			continue
		}
		kind := l.Kind()
		for {
			name := kind
			if c := count[kind]; c > 0 {
				name = fmt.Sprintf("%s_%d", kind, c)
			}
			count[kind]++
			if !used[name] {
				used[name] = true
				l.SetLayerName(name)
				break
			}
		}
	}
	return nil
}

func kindOf(l layers.Layer) string {
	if l == nil {
		return "nil layer"
	}
	return l.Kind()
}
