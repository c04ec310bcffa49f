package layers_test

import (
	"context"
	"math"
	"reflect"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// chain runs layers one after the other as one layer, so the harness can
// check a stack: a layer whose output a later op overwrites in place, or
// whose backward pass needs a value another layer overwrote, shows up as a
// wrong gradient.
type chain struct {
	name string
	ls   []layers.Layer
	ws   []*layers.Weight
}

func (s *chain) Kind() string              { return "chain" }
func (s *chain) LayerName() string         { return s.name }
func (s *chain) SetLayerName(n string)     { s.name = n }
func (s *chain) Weights() []*layers.Weight { return s.ws }

func (s *chain) Build(b *layers.Builder, in layers.Shape) (layers.Shape, error) {
	s.ws = nil
	for _, l := range s.ls {
		var err error
		if in, err = l.Build(&layers.Builder{DType: b.DType, RNG: b.RNG, Name: s.name + "/" + l.LayerName()}, in); err != nil {
			return nil, err
		}
		s.ws = append(s.ws, l.Weights()...)
	}
	return in, nil
}

func (s *chain) Forward(c *layers.Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	for _, l := range s.ls {
		var err error
		if x, err = l.Forward(c, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// The image layers between activations whose gradients read their outputs
// (tanh, sigmoid) and ops that work in place (dropout's product, rescaling):
// every value the backward pass reads must survive the forward pass.
func TestImageLayersInAStack(t *testing.T) {
	stack := func() []layers.Layer {
		return []layers.Layer{
			&layers.Activation{Name: "a1", Func: layers.Tanh},
			&layers.ZeroPadding2D{Name: "pad", Padding: []int{1, 0, 0, 1}},
			&layers.Rescaling{Name: "r1", Scale: 2, Offset: 0.5},
			&layers.Activation{Name: "a2", Func: layers.Sigmoid},
			&layers.BatchNormalization{Name: "bn"},
			&layers.Activation{Name: "a3", Func: layers.Tanh},
			&layers.UpSampling2D{Name: "up", Size: []int{2, 1}},
			&layers.SpatialDropout2D{Name: "sd", Rate: 0.5},
			&layers.Rescaling{Name: "r2", Scale: 3},
			&layers.Activation{Name: "a4", Func: layers.Tanh},
			&layers.BatchNormalization{Name: "bn2", NoScale: true},
			&layers.Activation{Name: "a5", Func: layers.Sigmoid},
		}
	}
	features := func() []layers.Layer {
		return []layers.Layer{
			&layers.Activation{Name: "a1", Func: layers.Tanh},
			&layers.BatchNormalization{Name: "bn"},
			&layers.Activation{Name: "a2", Func: layers.Sigmoid},
			&layers.Dropout{Name: "d", Rate: 0.5},
			&layers.BatchNormalization{Name: "bn2", NoScale: true, NoCenter: true},
			&layers.Activation{Name: "a3", Func: layers.Tanh},
		}
	}
	for _, training := range []bool{false, true} {
		layertest.Check(t, &chain{name: "stack", ls: stack()}, layers.Shape{2, 3, 2}, layers.Shape{6, 4, 2}, layertest.Options{Batch: 4, Training: training})
		layertest.Check(t, &chain{name: "features", ls: features()}, layers.Shape{5}, layers.Shape{5}, layertest.Options{Batch: 4, Training: training})
	}
}

// The four layers train together in a float32 model on 8x8 digits: the
// loss falls, and prediction gives every row.
func TestImageLayersFitInFloat32(t *testing.T) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	const n = 240
	x := make([]float64, n*64)
	for i, v := range d.X.Data().([]float64)[:n*64] {
		x[i] = v / 16
	}
	xs := tensor.New(tensor.WithShape(n, 8, 8, 1), tensor.WithBacking(x))
	ys := tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float64(nil), d.Y.Data().([]float64)[:n]...)))
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{8, 8, 1}},
		&layers.ZeroPadding2D{Padding: []int{1, 0, 0, 1}},
		&layers.BatchNormalization{},
		&layers.UpSampling2D{Size: []int{1, 2}},
		&layers.SpatialDropout2D{Rate: 0.1},
		&layers.Flatten{},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	hist, err := m.Fit(context.Background(), xs, ys, trainer.FitConfig{Epochs: 4, BatchSize: 32, Seed: 3, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	first, last := hist.Values["loss"][0], hist.Values["loss"][3]
	if math.IsNaN(last) || !(last < first*0.8) {
		t.Errorf("loss went from %v to %v; want it to fall by a fifth", first, last)
	}
	ps, err := m.Predict(context.Background(), xs)
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	if want := []int{n, 10}; !reflect.DeepEqual([]int(p.Shape()), want) || p.Dtype() != tensor.Float32 {
		t.Errorf("predictions %v %v, want float32 %v", p.Dtype(), p.Shape(), want)
	}
}
