package layers_test

import (
	"context"
	"encoding/json"
	"math/rand"
	"reflect"
	"sort"
	"strings"
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

func TestEmbeddingPassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.Embedding
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"steps inference", &layers.Embedding{InputDim: 7, OutputDim: 4}, layers.Shape{5}, layers.Shape{5, 4}, layertest.Options{IDs: 7}},
		{"steps training", &layers.Embedding{InputDim: 7, OutputDim: 4}, layers.Shape{5}, layers.Shape{5, 4}, layertest.Options{IDs: 7, Training: true}},
		{"mask zero training", &layers.Embedding{InputDim: 3, OutputDim: 2, MaskZero: true}, layers.Shape{6}, layers.Shape{6, 2}, layertest.Options{IDs: 3, Training: true, Batch: 4}},
		{"2-D ids inference", &layers.Embedding{InputDim: 5, OutputDim: 3}, layers.Shape{2, 3}, layers.Shape{2, 3, 3}, layertest.Options{IDs: 5, Seed: 2}},
		{"one id one unit training", &layers.Embedding{InputDim: 1, OutputDim: 1}, layers.Shape{1}, layers.Shape{1, 1}, layertest.Options{IDs: 1, Training: true, Batch: 1}},
		{"ids cover part of the vocabulary", &layers.Embedding{InputDim: 50, OutputDim: 2, EmbeddingsInitializer: layers.RandomNormal{}}, layers.Shape{4}, layers.Shape{4, 2}, layertest.Options{IDs: 10, Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

// seqForwardOnce adds l to a graph of dtype dt on x, [batch, in...], runs it
// once and returns the call and the output node, whose value (and its
// mask's) is kept.
func seqForwardOnce(t *testing.T, l layers.Layer, dt tensor.Dtype, training bool, in layers.Shape, batch int, x []float64) (*layers.Call, *gorgonia.Node) {
	t.Helper()
	c := layers.NewCall(dt, batch, training)
	xv := tensor.New(tensor.Of(dt), tensor.WithShape(in.WithBatch(batch)...))
	bnSetFloats(xv, x)
	xn := gorgonia.NewTensor(c.Graph, dt, xv.Dims(), gorgonia.WithShape(xv.Shape()...), gorgonia.WithName("x"), gorgonia.WithValue(xv))
	out, err := l.Forward(c, xn)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Feeds() {
		f.Fill(rand.New(rand.NewSource(9)), f.Value)
	}
	m := gorgonia.NewTapeMachine(c.Graph, gorgonia.TraceExec())
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return c, out
}

// TestEmbeddingValues looks up rows by hand in both dtypes and both modes,
// and checks the mask MaskZero records.
func TestEmbeddingValues(t *testing.T) {
	table := []float64{ // [4, 2]: row i is (i, -i/2)
		0, 0,
		1, -0.5,
		2, -1,
		3, -1.5,
	}
	ids := []float64{3, 1, 0, 0, 2, 2} // [2, 3]
	want := []float64{3, -1.5, 1, -0.5, 0, 0, 0, 0, 2, -1, 2, -1}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, training := range []bool{false, true} {
			for _, maskZero := range []bool{false, true} {
				e := &layers.Embedding{Name: "emb", InputDim: 4, OutputDim: 2, MaskZero: maskZero}
				out, err := build(t, e, layers.Shape{3}, dt)
				if err != nil {
					t.Fatal(err)
				}
				if !out.Equal(layers.Shape{3, 2}) {
					t.Fatalf("output shape %v, want (3, 2)", out)
				}
				ws := e.Weights()
				if len(ws) != 1 || ws[0].Name != "emb/embeddings" || !ws[0].Trainable || ws[0].Value.Dtype() != dt ||
					!ws[0].Value.Shape().Eq(tensor.Shape{4, 2}) {
					t.Fatalf("weights %v, want one trainable %v emb/embeddings (4, 2)", ws, dt)
				}
				bnSetFloats(ws[0].Value, table)
				c, y := seqForwardOnce(t, e, dt, training, layers.Shape{3}, 2, ids)
				if y.Dtype() != dt || !y.Shape().Eq(tensor.Shape{2, 3, 2}) {
					t.Fatalf("output %v %v, want %v (2, 3, 2)", y.Dtype(), y.Shape(), dt)
				}
				if got := bnFloats(y.Value().(*tensor.Dense)); !reflect.DeepEqual(got, want) {
					t.Errorf("%v training=%v: output %v, want %v", dt, training, got, want)
				}
				m, ok := c.MaskOf(y)
				if ok != maskZero {
					t.Fatalf("%v mask_zero=%v: output has a mask: %v", dt, maskZero, ok)
				}
				if !ok {
					continue
				}
				if m.Dtype() != dt || !m.Shape().Eq(tensor.Shape{2, 3}) {
					t.Fatalf("mask %v %v, want %v (2, 3)", m.Dtype(), m.Shape(), dt)
				}
				if got, want := bnFloats(m.Value().(*tensor.Dense)), []float64{1, 1, 0, 0, 1, 1}; !reflect.DeepEqual(got, want) {
					t.Errorf("%v: mask %v, want %v", dt, got, want)
				}
			}
		}
	}
}

func TestEmbeddingDefaultInitializer(t *testing.T) {
	e := &layers.Embedding{InputDim: 100, OutputDim: 8}
	if _, err := build(t, e, layers.Shape{3}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	vals := bnFloats(e.Weights()[0].Value)
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	// Keras's RandomUniform(-0.05, 0.05): 800 draws come close to both ends.
	if lo < -0.05 || hi >= 0.05 || lo > -0.045 || hi < 0.045 {
		t.Errorf("embeddings in [%v, %v], want them to fill [-0.05, 0.05)", lo, hi)
	}
}

func TestEmbeddingBadIDsFailTheRun(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		e := &layers.Embedding{Name: "words", InputDim: 1000, OutputDim: 2}
		if _, err := build(t, e, layers.Shape{8}, dt); err != nil {
			t.Fatal(err)
		}
		c := layers.NewCall(dt, 4, false)
		xv := tensor.New(tensor.Of(dt), tensor.WithShape(4, 8))
		ids := make([]float64, 32)
		ids[3*8+7] = 1234
		bnSetFloats(xv, ids)
		x := gorgonia.NewTensor(c.Graph, dt, 2, gorgonia.WithShape(4, 8), gorgonia.WithName("x"), gorgonia.WithValue(xv))
		if _, err := e.Forward(c, x); err != nil {
			t.Fatal(err)
		}
		m := gorgonia.NewTapeMachine(c.Graph)
		err := m.RunAll()
		m.Close()
		wantError(t, err, `embedding "words": id 1234 at [3 7] is outside the vocabulary of 1000`)
	}
}

func TestEmbeddingErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.Embedding
		in    layers.Shape
		dt    tensor.Dtype
		want  string
	}{
		{"no vocabulary", &layers.Embedding{Name: "e", OutputDim: 2}, layers.Shape{3}, tensor.Float32, `embedding "e": input_dim must be > 0, got 0`},
		{"negative output", &layers.Embedding{Name: "e", InputDim: 3, OutputDim: -2}, layers.Shape{3}, tensor.Float32, `embedding "e": output_dim must be > 0, got -2`},
		{"no steps", &layers.Embedding{Name: "e", InputDim: 3, OutputDim: 2}, layers.Shape{}, tensor.Float32, `embedding "e": expected input shape (None, steps) of ids`},
		{"zero steps", &layers.Embedding{Name: "e", InputDim: 3, OutputDim: 2}, layers.Shape{0}, tensor.Float32, "has a dimension <= 0"},
		{"mask of 2-D ids", &layers.Embedding{Name: "e", InputDim: 3, OutputDim: 2, MaskZero: true}, layers.Shape{2, 3}, tensor.Float32, "mask_zero needs ids of shape (None, steps), got (None, 2, 3)"},
		{"float32 vocabulary", &layers.Embedding{Name: "e", InputDim: 1<<24 + 1, OutputDim: 1}, layers.Shape{3}, tensor.Float32, "too large for float32 ids"},
		{"bad initializer", &layers.Embedding{Name: "e", InputDim: 3, OutputDim: 2, EmbeddingsInitializer: layers.RandomUniform{Min: 1, Max: -1}}, layers.Shape{3}, tensor.Float64, `embedding "e"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.layer, tt.in, tt.dt)
			wantError(t, err, tt.want)
		})
	}

	// Forward before Build, and on an input of another shape.
	e := &layers.Embedding{Name: "e", InputDim: 3, OutputDim: 2}
	c := layers.NewCall(tensor.Float32, 2, false)
	x := gorgonia.NewMatrix(c.Graph, tensor.Float32, gorgonia.WithShape(2, 4), gorgonia.WithName("x"))
	_, err := e.Forward(c, x)
	wantError(t, err, `embedding "e": forward before build`)
	if _, err := build(t, e, layers.Shape{3}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	// Another length is fine (a model takes sequences of any length);
	// another rank is not.
	if _, err = e.Forward(c, x); err != nil {
		t.Fatalf("another length: %v", err)
	}
	x3 := gorgonia.NewTensor(c.Graph, tensor.Float32, 3, gorgonia.WithShape(2, 3, 1), gorgonia.WithName("x3"))
	_, err = e.Forward(c, x3)
	wantError(t, err, `embedding "e": built for input (2, 3), got a node of shape (2, 3, 1)`)
}

func TestSequenceLayerSpecsRoundTrip(t *testing.T) {
	ls := []layers.Layer{
		&layers.Embedding{Name: "emb", InputDim: 100, OutputDim: 8, MaskZero: true, EmbeddingsInitializer: layers.RandomNormal{Stddev: 0.1}},
		&layers.Embedding{InputDim: 5, OutputDim: 2},
		&layers.LayerNormalization{Name: "ln", Epsilon: 1e-5, NoCenter: true},
		&layers.LayerNormalization{},
		&layers.TimeDistributed{Name: "td", Layer: &layers.Dense{Name: "proj", Units: 3, Activation: layers.ReLU, KernelInitializer: layers.HeNormal{}}},
		&layers.TimeDistributed{Layer: &layers.TimeDistributed{Layer: &layers.Flatten{}}},
		&layers.TimeDistributed{},
	}
	for _, l := range ls {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		var back layers.Spec
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		got, err := layers.Unmarshal(back, nil)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("round trip of %s gave %#v, want %#v", js, got, l)
		}
	}
}

func TestSequenceLayerSpecsByHand(t *testing.T) {
	src := `{"kind": "time_distributed", "config": {"name": "td", "layer": {"kind": "dense", "config": {"units": 4, "activation": "tanh"}}}}`
	var spec layers.Spec
	if err := json.Unmarshal([]byte(src), &spec); err != nil {
		t.Fatal(err)
	}
	l, err := layers.Unmarshal(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	td := l.(*layers.TimeDistributed)
	if d, ok := td.Layer.(*layers.Dense); td.Name != "td" || !ok || d.Units != 4 || d.Activation != layers.Tanh {
		t.Errorf("got %#v with layer %#v", td, td.Layer)
	}
	src = `{"kind": "embedding", "config": {"input_dim": 10, "output_dim": 3, "mask_zero": true, "embeddings_initializer": {"kind": "zeros"}}}`
	if err := json.Unmarshal([]byte(src), &spec); err != nil {
		t.Fatal(err)
	}
	if l, err = layers.Unmarshal(spec, nil); err != nil {
		t.Fatal(err)
	}
	if e := l.(*layers.Embedding); e.InputDim != 10 || e.OutputDim != 3 || !e.MaskZero || e.EmbeddingsInitializer != (layers.Zeros{}) {
		t.Errorf("got %#v", e)
	}

	for _, tc := range []struct{ src, want string }{
		{`{"kind": "embedding", "config": {"input_dim": 10, "output_dims": 3}}`, "output_dims"},
		{`{"kind": "embedding", "config": {"input_dim": 10, "embeddings_initializer": {"kind": "nope"}}}`, "embeddings_initializer"},
		{`{"kind": "time_distributed", "config": {"layer": {"kind": "nope"}}}`, `unknown layer kind "nope"`},
		{`{"kind": "time_distributed", "config": {"layers": {"kind": "dense"}}}`, "layers"},
		{`{"kind": "layer_normalization", "config": {"axis": -1}}`, "axis"},
	} {
		if err := json.Unmarshal([]byte(tc.src), &spec); err != nil {
			t.Fatal(err)
		}
		_, err := layers.Unmarshal(spec, nil)
		wantError(t, err, tc.want)
	}
}

// TestEmbeddingLearnsDigits classifies the 8x8 digits from their pixel
// values (0..16) read as ids: each value gets a vector, pooled over pairs of
// neighbouring pixels, and a softmax over the flattened result.
func TestEmbeddingLearnsDigits(t *testing.T) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := datasets.TrainTestSplit(d, 0.2, rand.New(rand.NewSource(1)), true)
	if err != nil {
		t.Fatal(err)
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Embedding{InputDim: 17, OutputDim: 4},
		&layers.AveragePooling1D{PoolSize: 2},
		&layers.Flatten{},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 10, BatchSize: 32, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	scores, err := m.Evaluate(context.Background(), test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test accuracy %v", scores["accuracy"])
	if scores["accuracy"] < 0.8 {
		t.Errorf("test accuracy %v, want >= 0.8", scores["accuracy"])
	}
	// Ids outside the vocabulary fail Predict with an error naming the layer.
	bad := tensor.New(tensor.WithShape(1, 64), tensor.WithBacking(make([]float64, 64)))
	bad.Data().([]float64)[5] = 17
	_, err = m.Predict(context.Background(), bad)
	if err == nil || !strings.Contains(err.Error(), `embedding "embedding": id 17 at [0 5] is outside the vocabulary of 17`) {
		t.Errorf("predict on id 17: %v", err)
	}
}

// The sequence layers are registered: Kinds lists them, sorted, and New
// makes a layer of each kind.
func TestSequenceLayerKindsAreRegistered(t *testing.T) {
	kinds := layers.Kinds()
	if !sort.StringsAreSorted(kinds) {
		t.Errorf("Kinds() is not sorted: %v", kinds)
	}
	for _, kind := range []string{"embedding", "layer_normalization", "time_distributed"} {
		if i := sort.SearchStrings(kinds, kind); i == len(kinds) || kinds[i] != kind {
			t.Errorf("Kinds() lacks %q", kind)
		}
	}
	for _, kind := range kinds {
		l, err := layers.New(kind)
		if err != nil {
			t.Errorf("New(%q): %v", kind, err)
			continue
		}
		if l.Kind() != kind {
			t.Errorf("New(%q) made a layer of kind %q", kind, l.Kind())
		}
	}
}
