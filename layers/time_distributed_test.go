package layers_test

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"reflect"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

func TestTimeDistributedPassesTheHarness(t *testing.T) {
	tests := []struct {
		name    string
		layer   *layers.TimeDistributed
		in, out layers.Shape
		opt     layertest.Options
	}{
		{"dense inference", &layers.TimeDistributed{Layer: &layers.Dense{Units: 3, Activation: layers.Tanh}}, layers.Shape{4, 5}, layers.Shape{4, 3}, layertest.Options{}},
		{"dense training", &layers.TimeDistributed{Layer: &layers.Dense{Units: 3, Activation: layers.Tanh}}, layers.Shape{4, 5}, layers.Shape{4, 3}, layertest.Options{Training: true}},
		{"flatten per step", &layers.TimeDistributed{Layer: &layers.Flatten{}}, layers.Shape{3, 2, 2}, layers.Shape{3, 4}, layertest.Options{Training: true}},
		{"nested", &layers.TimeDistributed{Layer: &layers.TimeDistributed{Layer: &layers.Dense{Units: 2}}}, layers.Shape{2, 3, 4}, layers.Shape{2, 3, 2}, layertest.Options{Training: true, Batch: 2}},
		{"dropout training", &layers.TimeDistributed{Layer: &layers.Dropout{Rate: 0.5}}, layers.Shape{3, 4}, layers.Shape{3, 4}, layertest.Options{Training: true}},
		{"layer norm training", &layers.TimeDistributed{Layer: &layers.LayerNormalization{}}, layers.Shape{3, 4}, layers.Shape{3, 4}, layertest.Options{Training: true}},
		{"conv1d inference", &layers.TimeDistributed{Layer: &layers.Conv1D{Filters: 2, KernelSize: 2}}, layers.Shape{2, 4, 3}, layers.Shape{2, 3, 2}, layertest.Options{Batch: 2}},
		{"one step", &layers.TimeDistributed{Layer: &layers.Dense{Units: 2}}, layers.Shape{1, 3}, layers.Shape{1, 2}, layertest.Options{Training: true, Batch: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.out, tt.opt)
		})
	}
}

// TestTimeDistributedValues applies a Dense layer of known weights to each
// step by hand, in both dtypes, and checks the weights' names and that the
// call's batch size is restored.
func TestTimeDistributedValues(t *testing.T) {
	kernel := []float64{1, 0, -1, 2, 0.5, 1} // [3, 2]
	bias := []float64{0.25, -1}
	x := []float64{ // [2 samples, 2 steps, 3]
		1, 2, 3,
		0, 0, 0,
		-1, 1, 2,
		4, 0, -2,
	}
	var want []float64
	for s := 0; s < 4; s++ {
		for u := 0; u < 2; u++ {
			v := bias[u]
			for i := 0; i < 3; i++ {
				v += x[s*3+i] * kernel[i*2+u]
			}
			want = append(want, v)
		}
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, training := range []bool{false, true} {
			td := &layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Name: "proj", Units: 2}}
			out, err := build(t, td, layers.Shape{2, 3}, dt)
			if err != nil {
				t.Fatal(err)
			}
			if !out.Equal(layers.Shape{2, 2}) {
				t.Fatalf("output shape %v, want (2, 2)", out)
			}
			ws := td.Weights()
			if len(ws) != 2 || ws[0].Name != "td/proj/kernel" || ws[1].Name != "td/proj/bias" {
				t.Fatalf("weights %v, want td/proj/kernel, td/proj/bias", ws)
			}
			bnSetFloats(ws[0].Value, kernel)
			bnSetFloats(ws[1].Value, bias)
			c, y := seqForwardOnce(t, td, dt, training, layers.Shape{2, 3}, 2, x)
			if c.Batch != 2 {
				t.Errorf("the call's batch is %d after Forward, want 2", c.Batch)
			}
			if y.Dtype() != dt || !y.Shape().Eq(tensor.Shape{2, 2, 2}) {
				t.Fatalf("output %v %v, want %v (2, 2, 2)", y.Dtype(), y.Shape(), dt)
			}
			got := bnFloats(y.Value().(*tensor.Dense))
			for i := range want {
				if !bnClose(got[i], want[i], 1e-6) {
					t.Errorf("%v training=%v: y[%d] = %v, want %v", dt, training, i, got[i], want[i])
				}
			}
		}
	}
}

// An unnamed inner layer is named after its kind.
func TestTimeDistributedNamesItsLayer(t *testing.T) {
	td := &layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Units: 2}}
	if _, err := build(t, td, layers.Shape{2, 3}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	if n := td.Layer.LayerName(); n != "dense" {
		t.Errorf("inner layer named %q, want dense", n)
	}
	if ws := td.Weights(); len(ws) != 2 || ws[0].Name != "td/dense/kernel" {
		t.Errorf("weights %v, want td/dense/kernel first", ws)
	}
}

// A mask on the input (from an Embedding with MaskZero) is the output's.
func TestTimeDistributedPassesTheMask(t *testing.T) {
	e := &layers.Embedding{Name: "e", InputDim: 5, OutputDim: 3, MaskZero: true}
	td := &layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Units: 2}}
	if _, err := build(t, e, layers.Shape{4}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	if _, err := build(t, td, layers.Shape{4, 3}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float64, 2, false)
	xv := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{0, 0, 3, 1, 4, 0, 2, 0}))
	x := gorgonia.NewMatrix(c.Graph, tensor.Float64, gorgonia.WithShape(2, 4), gorgonia.WithName("x"), gorgonia.WithValue(xv))
	h, err := e.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	y, err := td.Forward(c, h)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := c.MaskOf(y)
	if hm, _ := c.MaskOf(h); !ok || m != hm {
		t.Fatalf("output mask %v (set: %v), want the input's %v", m, ok, hm)
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got, want := bnFloats(m.Value().(*tensor.Dense)), []float64{0, 0, 1, 1, 1, 0, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("mask %v, want %v", got, want)
	}
	// Without a mask on the input, none on the output.
	c2 := layers.NewCall(tensor.Float64, 2, false)
	x2 := gorgonia.NewTensor(c2.Graph, tensor.Float64, 3, gorgonia.WithShape(2, 4, 3), gorgonia.WithName("x"))
	y2, err := td.Forward(c2, x2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c2.MaskOf(y2); ok {
		t.Error("output has a mask its input did not have")
	}
}

func TestTimeDistributedErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.TimeDistributed
		in    layers.Shape
		want  string
	}{
		{"no layer", &layers.TimeDistributed{Name: "td"}, layers.Shape{3, 2}, `time_distributed "td": no layer to apply`},
		{"no steps", &layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Units: 2}}, layers.Shape{3}, `time_distributed "td": expected input shape (None, steps, ...), got (None, 3)`},
		{"zero steps", &layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Units: 2}}, layers.Shape{0, 3}, "has a dimension <= 0"},
		{"inner error", &layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Units: -1}}, layers.Shape{2, 3}, `time_distributed "td": dense "dense": units must be > 0, got -1`},
		{"inner shape error", &layers.TimeDistributed{Name: "td", Layer: &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}}}, layers.Shape{2, 3, 4}, `time_distributed "td": conv2d "c": expected input shape`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.layer, tt.in, tensor.Float32)
			wantError(t, err, tt.want)
		})
	}
	td := &layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Units: 2}}
	c := layers.NewCall(tensor.Float32, 2, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float32, 3, gorgonia.WithShape(2, 3, 5), gorgonia.WithName("x"))
	_, err := td.Forward(c, x)
	wantError(t, err, `time_distributed "td": forward before build`)
	if _, err := build(t, td, layers.Shape{3, 4}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	_, err = td.Forward(c, x)
	wantError(t, err, `time_distributed "td": built for input (2, 3, 4), got a node of shape (2, 3, 5)`)
	if c.Batch != 2 {
		t.Errorf("the call's batch is %d after a failed Forward, want 2", c.Batch)
	}
}

// TestSequenceLayersLearnDigits trains Embedding (with its mask),
// TimeDistributed(Dense) and LayerNormalization together on the 8x8 digits
// read as ids, then saves and loads the model: the loaded one predicts the
// same.
func TestSequenceLayersLearnDigits(t *testing.T) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := datasets.TrainTestSplit(d, 0.2, rand.New(rand.NewSource(2)), true)
	if err != nil {
		t.Fatal(err)
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Embedding{InputDim: 17, OutputDim: 4, MaskZero: true},
		&layers.TimeDistributed{Layer: &layers.Dense{Units: 4, Activation: layers.ReLU}},
		&layers.LayerNormalization{},
		&layers.Flatten{},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range m.Weights() {
		names = append(names, w.Name)
	}
	wantNames := []string{"embedding/embeddings", "time_distributed/dense/kernel", "time_distributed/dense/bias",
		"layer_normalization/gamma", "layer_normalization/beta", "dense/kernel", "dense/bias"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("weights %v, want %v", names, wantNames)
	}
	hist, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 6, BatchSize: 32, Seed: 2, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if first, last := hist.Values["loss"][0], hist.Values["loss"][5]; math.IsNaN(last) || !(last < first/2) {
		t.Errorf("loss went from %v to %v; want it to halve", first, last)
	}
	scores, err := m.Evaluate(context.Background(), test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test accuracy %v", scores["accuracy"])
	if scores["accuracy"] < 0.8 {
		t.Errorf("test accuracy %v, want >= 0.8", scores["accuracy"])
	}

	path := filepath.Join(t.TempDir(), "seq.zip")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p1s, err := m.Predict(context.Background(), test.X)
	if err != nil {
		t.Fatal(err)
	}
	p1 := p1s[0]
	p2s, err := back.Predict(context.Background(), test.X)
	if err != nil {
		t.Fatal(err)
	}
	p2 := p2s[0]
	if !reflect.DeepEqual(p1.Data(), p2.Data()) {
		t.Error("the loaded model predicts differently")
	}
}
