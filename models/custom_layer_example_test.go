package models_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// Scale is a layer with a weight of its own: it multiplies each feature by
// a learned factor, y = x * w, [batch, n] -> [batch, n]. Its exported
// fields are its configuration, which Save keeps.
type Scale struct {
	Name string `json:"name,omitempty"`
	w    *layers.Weight
}

func (l *Scale) Kind() string             { return "scale" }
func (l *Scale) LayerName() string        { return l.Name }
func (l *Scale) SetLayerName(name string) { l.Name = name }

// Weights lists the weights Build made: "<layer>/factors".
func (l *Scale) Weights() []*layers.Weight {
	if l.w == nil {
		return nil
	}
	return []*layers.Weight{l.w}
}

// Build makes the weight, one factor per feature, from the model's seeded
// stream.
func (l *Scale) Build(b *layers.Builder, in layers.Shape) (layers.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("scale %q: takes [batch, features], got %v", l.Name, in.WithBatch(-1))
	}
	var err error
	l.w, err = b.NewWeight("factors", []int{in[0]}, layers.Ones{})
	return in.Clone(), err
}

// Forward multiplies x by the factors, broadcast over the batch.
func (l *Scale) Forward(c *layers.Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.BroadcastHadamardProd(x, c.Node(l.w), nil, []byte{0})
}

// Residual is a layer made of layers: x + Dense(Dense(x)), two dense
// layers whose weights it names "<layer>/inner/..." and "<layer>/outer/...".
type Residual struct {
	Name  string `json:"name,omitempty"`
	Units int    `json:"units"`

	inner, outer *layers.Dense
}

func (l *Residual) Kind() string             { return "residual" }
func (l *Residual) LayerName() string        { return l.Name }
func (l *Residual) SetLayerName(name string) { l.Name = name }

// Weights lists both dense layers' weights.
func (l *Residual) Weights() []*layers.Weight {
	if l.inner == nil {
		return nil
	}
	return append(l.inner.Weights(), l.outer.Weights()...)
}

// Build builds the two dense layers, each under a name of its own, from
// the model's stream.
func (l *Residual) Build(b *layers.Builder, in layers.Shape) (layers.Shape, error) {
	l.inner = &layers.Dense{Name: l.Name + "/inner", Units: l.Units, Activation: layers.ReLU}
	l.outer = &layers.Dense{Name: l.Name + "/outer", Units: in[len(in)-1]}
	h, err := l.inner.Build(&layers.Builder{DType: b.DType, RNG: b.RNG, Name: b.Name + "/inner"}, in)
	if err != nil {
		return nil, err
	}
	if _, err := l.outer.Build(&layers.Builder{DType: b.DType, RNG: b.RNG, Name: b.Name + "/outer"}, h); err != nil {
		return nil, err
	}
	return in.Clone(), nil
}

// Forward adds x to what the two dense layers make of it.
func (l *Residual) Forward(c *layers.Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	h, err := l.inner.Forward(c, x)
	if err != nil {
		return nil, err
	}
	if h, err = l.outer.Forward(c, h); err != nil {
		return nil, err
	}
	return gorgonia.Add(x, h)
}

// myLayers makes the layers of one's own by kind, for Load.
func myLayers(kind string) (layers.Layer, bool) {
	switch kind {
	case "scale":
		return &Scale{}, true
	case "residual":
		return &Residual{}, true
	}
	return nil, false
}

// Layers of one's own train, save and load like the built-in ones: a layer
// with its own weight (Scale) and a layer made of layers (Residual).
// LoadWith makes them by kind through LoadOptions.Layers; without it, the
// error says so.
func Example_customLayers() {
	d, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range d.X.Data().([]float64) {
		d.X.Data().([]float64)[i] = v / 16
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&Scale{},
		&Residual{Units: 16},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range m.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	ctx := context.Background()
	hist, err := m.Fit(ctx, d.X, d.Y, trainer.FitConfig{Epochs: 10, Seed: 1, Silent: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := hist.Last("accuracy")
	fmt.Println("training accuracy above 0.9:", acc > 0.9)

	dir, err := os.MkdirTemp("", "custom")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model")
	if err := m.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := models.Load(path); err != nil {
		_, msg, _ := strings.Cut(err.Error(), path+": ")
		fmt.Println(strings.SplitAfter(msg, "LoadFS or FromSpec)")[0], "...")
	}
	back, err := models.LoadWith(path, models.LoadOptions{Layers: myLayers})
	if err != nil {
		fmt.Println(err)
		return
	}
	want, _ := m.Predict(ctx, d.X)
	got, _ := back.Predict(ctx, d.X)
	fmt.Println("same predictions after loading:", got[0].Eq(want[0]))
	// Output:
	// scale/factors (64)
	// residual/inner/kernel (64, 16)
	// residual/inner/bias (16)
	// residual/outer/kernel (16, 64)
	// residual/outer/bias (64)
	// dense/kernel (64, 10)
	// dense/bias (10)
	// training accuracy above 0.9: true
	// layer 1: unknown layer kind "scale": a layer of one's own loads when models.LoadOptions.Layers (given to LoadWith, LoadFS or FromSpec) ...
	// same predictions after loading: true
}
