package trainer_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// digitsSlices returns the embedded digits scaled to [0, 1], shuffled with
// seed 0, cut into consecutive slices of the given sizes.
func digitsSlices(t testing.TB, sizes ...int) []*datasets.Dataset {
	t.Helper()
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d.X.Data().([]float64) {
		d.X.Data().([]float64)[i] = v / 16
	}
	perm := rand.New(rand.NewSource(0)).Perm(d.Len())
	var out []*datasets.Dataset
	for _, n := range sizes {
		s, err := d.Subset(perm[:n])
		if err != nil {
			t.Fatal(err)
		}
		perm = perm[n:]
		out = append(out, s)
	}
	return out
}

// classifier returns a compiled 64-hidden-10 softmax classifier without
// dropout, trained with Adam at lr, reporting accuracy.
func classifier(t testing.TB, hidden int, lr float64, seed int64) *models.Sequential {
	t.Helper()
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: hidden, Activation: layers.ReLU},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err := m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: lr},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      seed,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// valData returns d as FitConfig.ValidationData.
func valData(d *datasets.Dataset) *trainer.Data { return trainer.XY(d.X, d.Y) }

// fakeModel is a trainer.Model with one float64 weight of one value, for
// driving callbacks with fabricated events; it cannot build graphs.
type fakeModel struct{ w *layers.Weight }

func newFakeModel() *fakeModel {
	return &fakeModel{w: &layers.Weight{Name: "w", Value: tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0}))}}
}

func (m *fakeModel) Graph(trainer.Mode, int) (*trainer.Graph, error) {
	return nil, errors.New("fake model has no graphs")
}

func (m *fakeModel) Weights() []*layers.Weight { return []*layers.Weight{m.w} }

func (m *fakeModel) set(v float64) { m.w.Value.Data().([]float64)[0] = v }
func (m *fakeModel) get() float64  { return m.w.Value.Data().([]float64)[0] }

// bareModel is a trainer.Model that can neither list its weights nor save.
type bareModel struct{}

func (bareModel) Graph(trainer.Mode, int) (*trainer.Graph, error) {
	return nil, errors.New("bare model has no graphs")
}

// drive tells cb of TrainBegin, then of one epoch per entry of values (the
// monitored name's value at EpochEnd, with the model's weight set to the
// epoch number first), then TrainEnd unless cb stopped. It returns the
// number of epochs run and the first error other than ErrStop.
func drive(cb trainer.Callback, m trainer.Model, name string, values []float64) (epochs int, err error) {
	names := []string{"loss", name}
	if name == "loss" {
		names = names[:1]
	}
	e := &trainer.Event{Kind: trainer.TrainBegin, Epochs: len(values), Names: names, Model: m}
	if err := cb.On(e); err != nil {
		return 0, err
	}
	for epoch, v := range values {
		if f, ok := m.(*fakeModel); ok {
			f.set(float64(epoch))
		}
		e := &trainer.Event{Kind: trainer.EpochEnd, Epoch: epoch, Epochs: len(values), Names: names, Model: m,
			Logs: trainer.Logs{"loss": 1, name: v}}
		if err := cb.On(e); err != nil {
			if errors.Is(err, trainer.ErrStop) {
				return epoch + 1, nil
			}
			return epoch + 1, err
		}
	}
	return len(values), cb.On(&trainer.Event{Kind: trainer.TrainEnd, Epochs: len(values), Names: names, Model: m})
}

func nan() float64 { return math.NaN() }
