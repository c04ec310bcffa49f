package models_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// classes returns the samples of d whose class is in [from, from+5), their
// labels shifted down by from.
func classes(t *testing.T, d *datasets.Dataset, from int) *datasets.Dataset {
	t.Helper()
	var rows []int
	for i, v := range d.Y.Data().([]float64) {
		if int(v) >= from && int(v) < from+5 {
			rows = append(rows, i)
		}
	}
	s, err := d.Subset(rows)
	if err != nil {
		t.Fatal(err)
	}
	y := s.Y.Data().([]float64)
	for i := range y {
		y[i] -= float64(from)
	}
	return s
}

func rawBytes(ws []*layers.Weight) []byte {
	var b bytes.Buffer
	for _, w := range ws {
		b.Write(w.Value.Header.Raw)
	}
	return b.Bytes()
}

// pretrained trains a classifier of digits 0-4 whose base (a nested
// Sequential with batch normalization) is meant for reuse, and saves it.
func pretrained(t *testing.T) (string, *datasets.Dataset, *datasets.Dataset) {
	t.Helper()
	train, test := digits(t)
	base := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Name: "features", Units: 32, Activation: layers.ReLU},
		&layers.BatchNormalization{Name: "norm"},
	)
	base.Name = "base"
	clf := models.NewSequential(base.AsLayer(), &layers.Dense{Name: "old_head", Units: 5, Activation: layers.Softmax})
	if err := clf.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 3e-3}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	first := classes(t, train, 0)
	if _, err := clf.Fit(context.Background(), first.X, first.Y, trainer.FitConfig{Epochs: 3, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "digits-0-4")
	if err := clf.Save(path); err != nil {
		t.Fatal(err)
	}
	return path, train, test
}

// TestTransferLearning is Keras's transfer-learning recipe: a trained
// model's base, loaded, frozen under a new head, trained, then unfrozen
// and fine-tuned at a lower learning rate.
func TestTransferLearning(t *testing.T) {
	path, train, test := pretrained(t)
	ctx := context.Background()
	loaded, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := loaded.Layer("base")
	if err != nil {
		t.Fatal(err)
	}
	base, ok := l.(*models.Functional)
	if !ok {
		t.Fatalf("layer base is %T, want a nested *models.Functional", l)
	}
	trained := rawBytes(base.Weights())

	// The base nests in a new model with its weights, frozen.
	x := models.Input("pixels", 64)
	out := models.Apply(&layers.Dense{Name: "new_head", Units: 5, Activation: layers.Softmax}, models.Apply(base, x))
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetTrainable(base, false); err != nil {
		t.Fatal(err)
	}
	cfg := models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 3e-3},
		Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: 2}
	if err := m.Compile(cfg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rawBytes(base.Weights()), trained) {
		t.Fatal("nesting the loaded base changed its weights")
	}
	if !strings.Contains(m.Summary(), "Non-trainable params: 2,208") {
		t.Errorf("the frozen base's weights do not count as non-trainable:\n%s", m.Summary())
	}
	second, secondTest := classes(t, train, 5), classes(t, test, 5)
	if _, err := m.Fit(ctx, second.X, second.Y, trainer.FitConfig{Epochs: 10, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	// Every weight of the base, the batch normalization's moving
	// statistics included (a frozen BatchNormalization runs in inference
	// mode), is bit-identical after training.
	if !bytes.Equal(rawBytes(base.Weights()), trained) {
		t.Fatal("the frozen base's weights moved in training")
	}
	frozenScores, err := m.Evaluate(ctx, secondTest.X, secondTest.Y)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accuracy on digits 5-9 with the frozen base: %.3f", frozenScores["accuracy"])
	if frozenScores["accuracy"] < 0.75 {
		t.Errorf("accuracy on digits 5-9 with the frozen base: %.3f, want >= 0.75", frozenScores["accuracy"])
	}

	// The frozen flag is saved and loaded.
	saved := filepath.Join(t.TempDir(), "frozen")
	if err := m.Save(saved); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(saved)
	if err != nil {
		t.Fatal(err)
	}
	bl, _ := back.Layer("base")
	if back.Trainable(bl) {
		t.Error("the loaded model trains the base it froze")
	}

	// Unfreezing takes a new Compile; it keeps every weight and the
	// optimizer starts afresh, at a lower learning rate.
	if err := m.SetTrainable(base, true); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(ctx, second.X, second.Y, trainer.FitConfig{Silent: true}); err == nil || !strings.Contains(err.Error(), "compile again") {
		t.Fatalf("fit after unfreezing, before compiling: %v", err)
	}
	before := rawBytes(m.Weights())
	cfg.Optimizer = optimizers.Adam{LearningRate: 1e-4}
	if err := m.Compile(cfg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rawBytes(m.Weights()), before) {
		t.Fatal("compiling again changed the weights")
	}
	if _, err := m.Fit(ctx, second.X, second.Y, trainer.FitConfig{Epochs: 2, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(rawBytes(base.Weights()), trained) {
		t.Error("fine-tuning did not train the unfrozen base")
	}
	tuned, err := m.Evaluate(ctx, secondTest.X, secondTest.Y)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after fine-tuning: %.3f", tuned["accuracy"])
	if tuned["accuracy"] < frozenScores["accuracy"]-0.05 {
		t.Errorf("fine-tuning dropped the accuracy from %.3f to %.3f", frozenScores["accuracy"], tuned["accuracy"])
	}
}

// TestReusedLayersKeepWeights takes a loaded model's layers into a new
// Sequential: they keep their trained weights; a layer whose weights do
// not fit its new input is refused, and left as it was.
func TestReusedLayersKeepWeights(t *testing.T) {
	m := mlp(t, 1)
	train, _ := digits(t)
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 2, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mlp")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	seq := loaded.Sequential()
	if seq == nil {
		t.Fatal("a saved Sequential loads without its Sequential")
	}
	kept := seq.Layers()[:3] // input, dense, dropout
	want := rawBytes(kept[1].Weights())
	reused := models.NewSequential(append(kept, &layers.Dense{Units: 3, Activation: layers.Softmax})...)
	if err := reused.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	if got := rawBytes(kept[1].Weights()); !bytes.Equal(got, want) {
		t.Fatal("the reused dense layer was initialized again")
	}
	// The two models share the layer's weights: both predict with them.
	a, err := loaded.Predict(context.Background(), train.X)
	if err != nil {
		t.Fatal(err)
	}
	if !a[0].Shape().Eq(tensor.Shape{train.Len(), 10}) {
		t.Fatalf("the loaded model predicts %v", a[0].Shape())
	}

	// The trained dense layer takes 64 features; applied to 10 it cannot
	// keep its weights.
	misfit := models.NewSequential(&layers.Input{Shape: layers.Shape{10}}, kept[1])
	err = misfit.Compile(models.Config{Loss: losses.MeanSquaredError{}})
	if err == nil || !strings.Contains(err.Error(), "trained weight") || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("a trained layer on another input shape: %v", err)
	}
	if got := rawBytes(kept[1].Weights()); !bytes.Equal(got, want) {
		t.Fatal("the refused layer's weights changed")
	}
}

// TestLayerAndPop finds layers by name and pops the last one, keeping the
// others' weights.
func TestLayerAndPop(t *testing.T) {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{4}},
		&layers.Dense{Name: "hidden", Units: 3},
		&layers.Dense{Name: "out", Units: 2},
	)
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	l, err := m.Layer("hidden")
	if err != nil || l.(*layers.Dense).Units != 3 {
		t.Fatalf("Layer(hidden): %v, %v", l, err)
	}
	if _, err := m.Layer("nope"); err == nil || !strings.Contains(err.Error(), `"hidden"`) {
		t.Errorf("Layer(nope): %v", err)
	}
	// A nested Sequential freezes by itself as well as by its model.
	inner := models.NewSequential(&layers.Dense{Units: 2})
	outer := models.NewSequential(&layers.Input{Shape: layers.Shape{3}}, inner.AsLayer(), &layers.Dense{Units: 1})
	if err := outer.SetTrainable(inner, false); err != nil {
		t.Fatal(err)
	}
	if outer.Trainable(inner) || outer.Trainable(inner.AsLayer()) {
		t.Error("the nested Sequential is still trainable")
	}
	hidden := rawBytes(l.(*layers.Dense).Weights())
	popped, err := m.Pop()
	if err != nil || popped.LayerName() != "out" {
		t.Fatalf("Pop: %v, %v", popped, err)
	}
	if err := m.Add(&layers.Dense{Name: "new_out", Units: 5}); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	if got := m.OutputShape(); !got.Equal(layers.Shape{5}) {
		t.Errorf("output shape after pop and add: %v", got)
	}
	if !bytes.Equal(rawBytes(l.(*layers.Dense).Weights()), hidden) {
		t.Error("pop changed the weights of the layers left")
	}
}

// TestWeightNameCollision refuses, at Compile, two weights of one name,
// which would overwrite each other in a saved model.
func TestWeightNameCollision(t *testing.T) {
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{3}}, &twoAlike{})
	err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}})
	if err == nil || !strings.Contains(err.Error(), `two weights are named "two_alike/w"`) {
		t.Fatalf("compile: %v", err)
	}
}

// twoAlike is a layer that names both its weights "w": y = x*w1 + x*w2.
type twoAlike struct {
	Name   string `json:"name,omitempty"`
	w1, w2 *layers.Weight
}

func (l *twoAlike) Kind() string             { return "two_alike" }
func (l *twoAlike) LayerName() string        { return l.Name }
func (l *twoAlike) SetLayerName(name string) { l.Name = name }
func (l *twoAlike) Weights() []*layers.Weight {
	if l.w1 == nil {
		return nil
	}
	return []*layers.Weight{l.w1, l.w2}
}

func (l *twoAlike) Build(b *layers.Builder, in layers.Shape) (layers.Shape, error) {
	var err error
	if l.w1, err = b.NewWeight("w", []int{in[0]}, layers.Ones{}); err != nil {
		return nil, err
	}
	if l.w2, err = b.NewWeight("w", []int{in[0]}, layers.Ones{}); err != nil {
		return nil, err
	}
	return in.Clone(), nil
}

func (l *twoAlike) Forward(c *layers.Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	a, err := gorgonia.BroadcastHadamardProd(x, c.Node(l.w1), nil, []byte{0})
	if err != nil {
		return nil, err
	}
	b, err := gorgonia.BroadcastHadamardProd(x, c.Node(l.w2), nil, []byte{0})
	if err != nil {
		return nil, err
	}
	return gorgonia.Add(a, b)
}

// A frozen BatchNormalization between trainable layers runs in inference
// mode (its moving statistics do not move) while the layer before it
// still trains through it.
func TestFrozenBatchNormBetweenTrainableLayers(t *testing.T) {
	train, _ := digits(t)
	first := &layers.Dense{Name: "first", Units: 16, Activation: layers.ReLU}
	bn := &layers.BatchNormalization{Name: "bn"}
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, first, bn, &layers.Dense{Units: 10, Activation: layers.Softmax})
	if err := m.SetTrainable(bn, false); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	bnBefore, firstBefore := rawBytes(bn.Weights()), rawBytes(first.Weights())
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 1, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rawBytes(bn.Weights()), bnBefore) {
		t.Error("the frozen batch normalization's weights or statistics moved")
	}
	if bytes.Equal(rawBytes(first.Weights()), firstBefore) {
		t.Error("the dense layer before the frozen batch normalization did not train")
	}
}
