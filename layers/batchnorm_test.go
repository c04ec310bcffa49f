package layers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
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

func TestBatchNormalizationPassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer *layers.BatchNormalization
		in    layers.Shape
		opt   layertest.Options
	}{
		{"features inference", &layers.BatchNormalization{}, layers.Shape{5}, layertest.Options{Batch: 4}},
		{"features training", &layers.BatchNormalization{}, layers.Shape{5}, layertest.Options{Batch: 4, Training: true}},
		{"image inference", &layers.BatchNormalization{}, layers.Shape{4, 4, 3}, layertest.Options{Batch: 4}},
		{"image training", &layers.BatchNormalization{}, layers.Shape{4, 4, 3}, layertest.Options{Batch: 4, Training: true}},
		{"sequence training", &layers.BatchNormalization{Epsilon: 1e-2, Momentum: 0.5}, layers.Shape{3, 2}, layertest.Options{Batch: 4, Training: true}},
		{"volume training", &layers.BatchNormalization{}, layers.Shape{2, 2, 3, 2}, layertest.Options{Batch: 4, Training: true}},
		{"one feature training", &layers.BatchNormalization{}, layers.Shape{1}, layertest.Options{Batch: 5, Training: true}},
		{"one channel inference", &layers.BatchNormalization{}, layers.Shape{2, 2, 1}, layertest.Options{Batch: 4}},
		{"one channel training", &layers.BatchNormalization{}, layers.Shape{3, 3, 1}, layertest.Options{Batch: 4, Training: true}},
		{"batch of one inference", &layers.BatchNormalization{}, layers.Shape{3}, layertest.Options{Batch: 1}},
		{"no center no scale training", &layers.BatchNormalization{NoCenter: true, NoScale: true}, layers.Shape{3}, layertest.Options{Batch: 4, Training: true}},
		{"no center no scale inference", &layers.BatchNormalization{NoCenter: true, NoScale: true}, layers.Shape{2, 3}, layertest.Options{Batch: 4}},
		{"no scale inference", &layers.BatchNormalization{NoScale: true}, layers.Shape{3}, layertest.Options{Batch: 4}},
		{"no scale training", &layers.BatchNormalization{NoScale: true}, layers.Shape{2, 2, 2}, layertest.Options{Batch: 4, Training: true}},
		{"no center training", &layers.BatchNormalization{NoCenter: true}, layers.Shape{2, 3}, layertest.Options{Batch: 4, Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.in, tt.opt)
		})
	}
}

// bnFixture is a float dt BatchNormalization over (2, 3) with known
// weights, and an input batch of 3.
type bnFixture struct {
	bn                  *layers.BatchNormalization
	gamma, beta, mm, mv []float64
	x                   []float64 // [3, 2, 3]
}

func newBNFixture(t *testing.T, dt tensor.Dtype) *bnFixture {
	t.Helper()
	f := &bnFixture{
		bn:    &layers.BatchNormalization{Name: "bn", Epsilon: 0.01, Momentum: 0.75},
		gamma: []float64{1, 2, 0.5},
		beta:  []float64{0, 1, -1},
		mm:    []float64{0.5, -1, 2},
		mv:    []float64{4, 0.25, 1},
	}
	if _, err := build(t, f.bn, layers.Shape{2, 3}, dt); err != nil {
		t.Fatal(err)
	}
	ws := f.bn.Weights()
	if len(ws) != 4 {
		t.Fatalf("%d weights, want 4", len(ws))
	}
	for i, v := range [][]float64{f.gamma, f.beta, f.mm, f.mv} {
		bnSetFloats(ws[i].Value, v)
	}
	rng := rand.New(rand.NewSource(5))
	f.x = make([]float64, 18)
	for i := range f.x {
		f.x[i] = math.Round(rng.NormFloat64()*8) / 4 // exact in float32
	}
	return f
}

func bnSetFloats(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	}
}

func bnFloats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// runLayerOnce adds l to a new graph on input values x, [batch, in...], runs
// it once and returns the call, the output's values and the values of the
// updates' nodes.
func runLayerOnce(t *testing.T, l layers.Layer, dt tensor.Dtype, training bool, in layers.Shape, batch int, x []float64) (*layers.Call, []float64, [][]float64) {
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
	watch := []any{out}
	for _, u := range c.Updates() {
		watch = append(watch, u.Node)
	}
	m := gorgonia.NewTapeMachine(c.Graph, gorgonia.TraceExec(), gorgonia.WithWatchlist(watch...))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	var ups [][]float64
	for _, u := range c.Updates() {
		ups = append(ups, bnFloats(u.Node.Value().(*tensor.Dense)))
	}
	return c, bnFloats(out.Value().(*tensor.Dense)), ups
}

func bnClose(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestBatchNormalizationInferenceUsesTheMovingStatistics(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			f := newBNFixture(t, dt)
			c, got, ups := runLayerOnce(t, f.bn, dt, false, layers.Shape{2, 3}, 3, f.x)
			if len(c.Feeds()) != 0 || len(ups) != 0 {
				t.Errorf("the inference graph has %d feeds and %d updates, want none", len(c.Feeds()), len(ups))
			}
			for i, x := range f.x {
				k := i % 3
				want := f.gamma[k]*(x-f.mm[k])/math.Sqrt(f.mv[k]+0.01) + f.beta[k]
				if !bnClose(got[i], want, 1e-5) {
					t.Fatalf("y[%d] = %v, want %v", i, got[i], want)
				}
			}
			if mm := bnFloats(f.bn.Weights()[2].Value); !reflect.DeepEqual(mm, f.mm) {
				t.Errorf("moving mean changed to %v", mm)
			}
		})
	}
}

func TestBatchNormalizationTrainingUsesTheBatchStatistics(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			f := newBNFixture(t, dt)
			c, got, ups := runLayerOnce(t, f.bn, dt, true, layers.Shape{2, 3}, 3, f.x)
			if len(c.Feeds()) != 0 || len(c.Updates()) != 2 {
				t.Fatalf("the training graph has %d feeds and %d updates, want 0 and 2", len(c.Feeds()), len(c.Updates()))
			}
			// Statistics over the batch and the first axis: 6 rows.
			mean, variance := make([]float64, 3), make([]float64, 3)
			for i, x := range f.x {
				mean[i%3] += x / 6
			}
			for i, x := range f.x {
				variance[i%3] += (x - mean[i%3]) * (x - mean[i%3]) / 6
			}
			for i, x := range f.x {
				k := i % 3
				want := f.gamma[k]*(x-mean[k])/math.Sqrt(variance[k]+0.01) + f.beta[k]
				if !bnClose(got[i], want, 1e-5) {
					t.Fatalf("y[%d] = %v, want %v", i, got[i], want)
				}
			}
			for k := range mean {
				if !bnClose(ups[0][k], mean[k], 1e-6) || !bnClose(ups[1][k], variance[k], 1e-6) {
					t.Fatalf("update values %v %v, want the batch mean %v and variance %v", ups[0], ups[1], mean, variance)
				}
			}
			// Running the graph changed nothing; applying the updates moves
			// the moving statistics by the momentum formula.
			ws := f.bn.Weights()
			if mm := bnFloats(ws[2].Value); !reflect.DeepEqual(mm, f.mm) {
				t.Fatalf("running the graph changed the moving mean to %v", mm)
			}
			for i, u := range c.Updates() {
				v := tensor.New(tensor.Of(dt), tensor.WithShape(3))
				bnSetFloats(v, ups[i])
				if err := u.Apply(v); err != nil {
					t.Fatal(err)
				}
			}
			for k := range mean {
				wantM := f.mm[k]*0.75 + mean[k]*0.25
				wantV := f.mv[k]*0.75 + variance[k]*0.25
				if gm, gv := bnFloats(ws[2].Value)[k], bnFloats(ws[3].Value)[k]; !bnClose(gm, wantM, 1e-6) || !bnClose(gv, wantV, 1e-6) {
					t.Errorf("feature %d: moving mean %v, variance %v; want %v, %v", k, gm, gv, wantM, wantV)
				}
			}
			if err := c.Updates()[0].Apply(tensor.New(tensor.Of(dt), tensor.WithShape(2))); err == nil {
				t.Error("an update of the wrong size applied")
			}
		})
	}
}

func TestBatchNormalizationWeights(t *testing.T) {
	tests := []struct {
		bn   *layers.BatchNormalization
		want []string
	}{
		{&layers.BatchNormalization{Name: "bn"}, []string{"bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"}},
		{&layers.BatchNormalization{Name: "bn", NoScale: true}, []string{"bn/beta", "bn/moving_mean", "bn/moving_variance"}},
		{&layers.BatchNormalization{Name: "bn", NoCenter: true}, []string{"bn/gamma", "bn/moving_mean", "bn/moving_variance"}},
		{&layers.BatchNormalization{Name: "bn", NoCenter: true, NoScale: true}, []string{"bn/moving_mean", "bn/moving_variance"}},
	}
	for _, tt := range tests {
		if ws := tt.bn.Weights(); ws != nil {
			t.Errorf("weights before build: %v", ws)
		}
		if _, err := build(t, tt.bn, layers.Shape{4, 4, 3}, tensor.Float32); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, w := range tt.bn.Weights() {
			names = append(names, w.Name)
			if !w.Value.Shape().Eq(tensor.Shape{3}) || w.Value.Dtype() != tensor.Float32 {
				t.Errorf("%s: %v %v, want float32 (3)", w.Name, w.Value.Dtype(), w.Value.Shape())
			}
			wantInit := 0.0
			if strings.HasSuffix(w.Name, "gamma") || strings.HasSuffix(w.Name, "variance") {
				wantInit = 1
			}
			for _, v := range bnFloats(w.Value) {
				if v != wantInit {
					t.Errorf("%s starts at %v, want %v", w.Name, v, wantInit)
				}
			}
			if trainable := !strings.Contains(w.Name, "moving"); w.Trainable != trainable {
				t.Errorf("%s: trainable %v, want %v", w.Name, w.Trainable, trainable)
			}
		}
		if !reflect.DeepEqual(names, tt.want) {
			t.Errorf("weights %v, want %v", names, tt.want)
		}
	}
}

func TestBatchNormalizationErrors(t *testing.T) {
	tests := []struct {
		name string
		bn   *layers.BatchNormalization
		in   layers.Shape
		want string
	}{
		{"momentum negative", &layers.BatchNormalization{Momentum: -0.1}, layers.Shape{3}, "momentum must be in [0, 1), got -0.1"},
		{"momentum one", &layers.BatchNormalization{Momentum: 1}, layers.Shape{3}, "momentum must be in [0, 1), got 1"},
		{"momentum NaN", &layers.BatchNormalization{Momentum: math.NaN()}, layers.Shape{3}, "momentum must be in [0, 1), got NaN"},
		{"epsilon negative", &layers.BatchNormalization{Epsilon: -1e-3}, layers.Shape{3}, "epsilon must be > 0, got -0.001"},
		{"epsilon infinite", &layers.BatchNormalization{Epsilon: math.Inf(1)}, layers.Shape{3}, "epsilon must be > 0, got +Inf"},
		{"rank 0", &layers.BatchNormalization{}, layers.Shape{}, "no dimensions besides the batch"},
		{"empty dimension", &layers.BatchNormalization{}, layers.Shape{0, 3}, "dimension <= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.bn.Name = "norm"
			_, err := build(t, tt.bn, tt.in, tensor.Float32)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `batch_normalization "norm"`) {
				t.Errorf("error %v, want it to name the layer and contain %q", err, tt.want)
			}
		})
	}

	bn := &layers.BatchNormalization{Name: "norm"}
	c := layers.NewCall(tensor.Float32, 2, true)
	x := gorgonia.NewMatrix(c.Graph, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	if _, err := bn.Forward(c, x); err == nil || !strings.Contains(err.Error(), "forward before build") {
		t.Errorf("forward before build: error %v", err)
	}
	if _, err := build(t, bn, layers.Shape{4}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	if _, err := bn.Forward(c, x); err == nil || !strings.Contains(err.Error(), "built for input") {
		t.Errorf("forward on the wrong shape: error %v", err)
	}
}

func TestBatchNormalizationSpec(t *testing.T) {
	bn := &layers.BatchNormalization{Name: "bn", Momentum: 0.9, Epsilon: 1e-5, NoCenter: true}
	spec, err := layers.Marshal(bn)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"bn","momentum":0.9,"epsilon":0.00001,"no_center":true}`; string(spec.Config) != want {
		t.Errorf("config %s, want %s", spec.Config, want)
	}
	js, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var back layers.Spec
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	got, err := layers.Unmarshal(back, func(kind string) (layers.Layer, bool) {
		return &layers.BatchNormalization{}, kind == "batch_normalization"
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, bn) {
		t.Errorf("round trip gave %#v, want %#v", got, bn)
	}
}

// irisBNModel is Input(4) -> BatchNormalization -> Dense(3, softmax),
// compiled for dt.
func irisBNModel(t *testing.T, dt tensor.Dtype, momentum float64) (*models.Sequential, *layers.BatchNormalization) {
	t.Helper()
	bn := &layers.BatchNormalization{Name: "bn", Momentum: momentum}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{4}},
		bn,
		&layers.Dense{Units: 3, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, DType: dt, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	return m, bn
}

// Fitting applies the updates after every batch: with the batch statistics
// of each batch of 50 (in order), the moving statistics follow the momentum
// formula from zeros and ones; evaluating and predicting change nothing.
func TestBatchNormalizationFitMovesTheMovingStatistics(t *testing.T) {
	iris, err := datasets.Iris()
	if err != nil {
		t.Fatal(err)
	}
	xs := iris.X.Data().([]float64)
	const momentum, batch, epochs = 0.8, 50, 2
	wantM, wantV := []float64{0, 0, 0, 0}, []float64{1, 1, 1, 1}
	for e := 0; e < epochs; e++ {
		for start := 0; start < 150; start += batch {
			for k := 0; k < 4; k++ {
				var mean, variance float64
				for i := start; i < start+batch; i++ {
					mean += xs[i*4+k] / batch
				}
				for i := start; i < start+batch; i++ {
					variance += (xs[i*4+k] - mean) * (xs[i*4+k] - mean) / batch
				}
				wantM[k] = wantM[k]*momentum + mean*(1-momentum)
				wantV[k] = wantV[k]*momentum + variance*(1-momentum)
			}
		}
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			m, bn := irisBNModel(t, dt, momentum)
			ctx := context.Background()
			if _, err := m.Fit(ctx, iris.X, iris.Y, trainer.FitConfig{Epochs: epochs, BatchSize: batch, NoShuffle: true, Silent: true}); err != nil {
				t.Fatal(err)
			}
			ws := bn.Weights()
			mm, mv := bnFloats(ws[2].Value), bnFloats(ws[3].Value)
			for k := range wantM {
				if !bnClose(mm[k], wantM[k], 1e-5) || !bnClose(mv[k], wantV[k], 1e-5) {
					t.Fatalf("moving mean %v, variance %v; want %v, %v", mm, mv, wantM, wantV)
				}
			}

			if _, err := m.Evaluate(ctx, iris.X, iris.Y); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Predict(ctx, iris.X); err != nil {
				t.Fatal(err)
			}
			if got := bnFloats(ws[2].Value); !reflect.DeepEqual(got, mm) {
				t.Errorf("evaluation changed the moving mean from %v to %v", mm, got)
			}
			if got := bnFloats(ws[3].Value); !reflect.DeepEqual(got, mv) {
				t.Errorf("evaluation changed the moving variance from %v to %v", mv, got)
			}

			train, err := m.Graph(trainer.TrainMode, batch)
			if err != nil {
				t.Fatal(err)
			}
			if len(train.Updates) != 2 || len(train.Feeds) != 0 {
				t.Errorf("the training graph has %d updates and %d feeds, want 2 and 0", len(train.Updates), len(train.Feeds))
			}
			for _, mode := range []trainer.Mode{trainer.EvalMode, trainer.PredictMode} {
				g, err := m.Graph(mode, batch)
				if err != nil {
					t.Fatal(err)
				}
				if len(g.Updates) != 0 || len(g.Feeds) != 0 {
					t.Errorf("the %s graph has %d updates and %d feeds, want none", mode, len(g.Updates), len(g.Feeds))
				}
				for _, u := range train.Updates {
					for _, n := range g.Graph.AllNodes() {
						if n == u.Node {
							t.Errorf("the %s graph holds the training update node %q", mode, u.Node.Name())
						}
					}
				}
			}
		})
	}
}

// BatchNormalization is a Keras layer users build by struct literal.
func ExampleBatchNormalization() {
	bn := &layers.BatchNormalization{Name: "bn", Momentum: 0.9}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: bn.Name}
	out, err := bn.Build(b, layers.Shape{8, 8, 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range bn.Weights() {
		fmt.Println(w.Name, w.Value.Shape(), "trainable:", w.Trainable)
	}
	// Output:
	// output: (None, 8, 8, 16)
	// bn/gamma (16) trainable: true
	// bn/beta (16) trainable: true
	// bn/moving_mean (16) trainable: false
	// bn/moving_variance (16) trainable: false
}
