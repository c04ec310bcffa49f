package models_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// rowFeatures returns, for each 8x8 digit image of x [n, 64], its 8 row
// means: the tabular input of the two-input tests.
func rowFeatures(x *tensor.Dense) *tensor.Dense {
	px := x.Data().([]float64)
	n := x.Shape()[0]
	out := make([]float64, n*8)
	for i := 0; i < n; i++ {
		for r := 0; r < 8; r++ {
			s := 0.0
			for c := 0; c < 8; c++ {
				s += px[i*64+r*8+c]
			}
			out[i*8+r] = s / 8
		}
	}
	return tensor.New(tensor.WithShape(n, 8), tensor.WithBacking(out))
}

// twoInput returns the image-plus-features classifier: the image
// (8x8x1) flattened into Dense(16, relu), the 8 row means into Dense(8,
// relu), both concatenated into Dense(10, softmax).
func twoInput(t testing.TB, seed int64, opt optimizers.Optimizer) *models.Functional {
	t.Helper()
	img := models.Input("image", 8, 8, 1)
	feats := models.Input("rows", 8)
	a := models.Apply(&layers.Flatten{}, img)
	a = models.Apply(&layers.Dense{Name: "image_dense", Units: 16, Activation: layers.ReLU}, a)
	b := models.Apply(&layers.Dense{Name: "rows_dense", Units: 8, Activation: layers.ReLU}, feats)
	h := models.Merge(&layers.Concatenate{}, a, b)
	out := models.Apply(&layers.Dense{Name: "head", Units: 10, Activation: layers.Softmax}, h)
	m, err := models.NewFunctional([]*models.Node{img, feats}, []*models.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: opt,
		Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFunctionalTwoInputsMatchesGorgonia trains the two-input model with
// SGD for a few steps and a Gorgonia graph of the same computation, written
// by hand from the model's initial weights, with Gorgonia's vanilla solver:
// every step's loss and the final weights agree to float32 rounding.
func TestFunctionalTwoInputsMatchesGorgonia(t *testing.T) {
	train, _ := digits(t)
	const batch, steps, lr = 32, 12, 0.1
	n := batch * steps
	x := tensor.New(tensor.WithShape(n, 8, 8, 1), tensor.WithBacking(append([]float64(nil), train.X.Data().([]float64)[:n*64]...)))
	xf := rowFeatures(tensor.New(tensor.WithShape(n, 64), tensor.WithBacking(x.Data())))
	y := tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float64(nil), train.Y.Data().([]float64)[:n]...)))

	m := twoInput(t, 3, optimizers.SGD{LearningRate: lr})
	init := map[string][]float32{}
	for _, w := range m.Weights() {
		init[w.Name] = append([]float32(nil), w.Value.Data().([]float32)...)
	}
	var losses []float64
	rec := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd {
			losses = append(losses, e.Logs["loss"]) // running mean over the epoch
		}
		return nil
	})
	_, err := m.Fit(context.Background(), []*tensor.Dense{x, xf}, []*tensor.Dense{y},
		trainer.FitConfig{BatchSize: batch, NoShuffle: true, Silent: true, Callbacks: []trainer.Callback{rec}})
	if err != nil {
		t.Fatal(err)
	}

	// The same computation by hand.
	g := gorgonia.NewGraph()
	param := func(name string, shape ...int) *gorgonia.Node {
		v := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), init[name]...)))
		return gorgonia.NewTensor(g, tensor.Float32, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(v))
	}
	w1, b1 := param("image_dense/kernel", 64, 16), param("image_dense/bias", 16)
	w2, b2 := param("rows_dense/kernel", 8, 8), param("rows_dense/bias", 8)
	w3, b3 := param("head/kernel", 24, 10), param("head/bias", 10)
	xin := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(batch, 64), gorgonia.WithName("x"))
	fin := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(batch, 8), gorgonia.WithName("f"))
	yin := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(batch, 10), gorgonia.WithName("y"))
	dense := func(in, w, b *gorgonia.Node) *gorgonia.Node {
		return gorgonia.Must(gorgonia.BroadcastAdd(gorgonia.Must(gorgonia.Mul(in, w)), b, nil, []byte{0}))
	}
	h1 := gorgonia.Must(gorgonia.Rectify(dense(xin, w1, b1)))
	h2 := gorgonia.Must(gorgonia.Rectify(dense(fin, w2, b2)))
	h := gorgonia.Must(gorgonia.Concat(1, h1, h2))
	logits := dense(h, w3, b3)
	lse := gorgonia.Must(gorgonia.Log(gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Exp(logits)), 1))))
	logp := gorgonia.Must(gorgonia.BroadcastSub(logits, lse, nil, []byte{1}))
	cost := gorgonia.Must(gorgonia.Neg(gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(logp, yin)), 1))))))
	params := gorgonia.Nodes{w1, b1, w2, b2, w3, b3}
	if _, err := gorgonia.Grad(cost, params...); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(params...))
	defer vm.Close()
	solver := gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(lr))
	xs, fs, ys := x.Data().([]float64), xf.Data().([]float64), y.Data().([]float64)
	sum := 0.0
	for s := 0; s < steps; s++ {
		xb, fb, yb := make([]float32, batch*64), make([]float32, batch*8), make([]float32, batch*10)
		for i := range xb {
			xb[i] = float32(xs[s*batch*64+i])
		}
		for i := range fb {
			fb[i] = float32(fs[s*batch*8+i])
		}
		for i := 0; i < batch; i++ {
			yb[i*10+int(ys[s*batch+i])] = 1
		}
		gorgonia.Let(xin, tensor.New(tensor.WithShape(batch, 64), tensor.WithBacking(xb)))
		gorgonia.Let(fin, tensor.New(tensor.WithShape(batch, 8), tensor.WithBacking(fb)))
		gorgonia.Let(yin, tensor.New(tensor.WithShape(batch, 10), tensor.WithBacking(yb)))
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		sum += float64(cost.Value().Data().(float32))
		if want := sum / float64(s+1); math.Abs(losses[s]-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("step %d: running loss %.7f, hand-built graph %.7f", s, losses[s], want)
		}
		if err := solver.Step(gorgonia.NodesToValueGrads(params)); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
	got := map[string]*layers.Weight{}
	for _, w := range m.Weights() {
		got[w.Name] = w
	}
	worst := 0.0
	for _, p := range params {
		want := p.Value().Data().([]float32)
		have := got[p.Name()].Value.Data().([]float32)
		for i := range want {
			worst = math.Max(worst, math.Abs(float64(want[i]-have[i])))
		}
	}
	if worst > 2e-6 {
		t.Errorf("weights after %d steps differ from the hand-built graph's by up to %g", steps, worst)
	}
	t.Logf("after %d SGD steps: largest weight difference %g; last running loss %.6f", steps, worst, losses[steps-1])
}

// TestFunctionalTwoInputsTrains trains the two-input model to a useful
// accuracy on digits, with validation data of two inputs.
func TestFunctionalTwoInputsTrains(t *testing.T) {
	train, test := digits(t)
	shape := func(d *tensor.Dense) *tensor.Dense {
		return tensor.New(tensor.WithShape(d.Shape()[0], 8, 8, 1), tensor.WithBacking(d.Data()))
	}
	m := twoInput(t, 1, optimizers.Adam{LearningRate: 3e-3})
	val := &trainer.Data{X: []*tensor.Dense{shape(test.X), rowFeatures(test.X)}, Y: []*tensor.Dense{test.Y}}
	hist, err := m.Fit(context.Background(), []*tensor.Dense{shape(train.X), rowFeatures(train.X)}, []*tensor.Dense{train.Y},
		trainer.FitConfig{Epochs: 8, BatchSize: 32, Seed: 1, Silent: true, ValidationData: val})
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := hist.Last("val_accuracy")
	if acc < 0.9 {
		t.Errorf("val_accuracy %.3f after 8 epochs, want >= 0.9", acc)
	}
	logs, err := m.Evaluate(context.Background(), []*tensor.Dense{shape(test.X), rowFeatures(test.X)}, []*tensor.Dense{test.Y})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(logs["accuracy"]-acc) > 1e-9 {
		t.Errorf("evaluate accuracy %v, the last val_accuracy %v", logs["accuracy"], acc)
	}
	p, err := m.Predict(context.Background(), []*tensor.Dense{shape(test.X), rowFeatures(test.X)})
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || !p[0].Shape().Eq(tensor.Shape{test.X.Shape()[0], 10}) {
		t.Fatalf("predict gives %d outputs, the first of shape %v", len(p), p[0].Shape())
	}
	if _, err := m.Predict(context.Background(), shape(test.X)); err == nil || !strings.Contains(err.Error(), "takes 2 inputs, got 1") {
		t.Errorf("predict with one input: got %v", err)
	}
	s := m.Summary()
	for _, want := range []string{"image (InputLayer)", "concatenate (Concatenate)", "(None, 24)", "image_dense, rows_dense", "Total params: 1,362"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

// TestFunctionalSharedLayer applies one Dense to two inputs: one set of
// weights, trained by both applications.
func TestFunctionalSharedLayer(t *testing.T) {
	a, b := models.Input("a", 3), models.Input("b", 3)
	shared := &layers.Dense{Units: 2}
	d := models.Merge(&layers.Subtract{}, models.Apply(shared, a), models.Apply(shared, b))
	m, err := models.NewFunctional([]*models.Node{a, b}, []*models.Node{d})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Optimizer: optimizers.SGD{LearningRate: 0.1}}); err != nil {
		t.Fatal(err)
	}
	if got := len(m.Weights()); got != 2 {
		t.Fatalf("the shared layer gives %d weights, want 2 (one kernel, one bias)", got)
	}
	// (a-b)·W: the bias cancels, so its gradient is 0 and it stays 0.
	xa := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}))
	xb := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
	y := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 1, 1, 1, 1, 1, 3, 3}))
	if _, err := m.Fit(context.Background(), []*tensor.Dense{xa, xb}, []*tensor.Dense{y}, trainer.FitConfig{Epochs: 200, BatchSize: 4, Silent: true}); err != nil {
		t.Fatal(err)
	}
	for _, v := range m.Weights()[1].Value.Data().([]float32) {
		if v != 0 {
			t.Errorf("bias %v moved; its gradients from the two applications cancel", v)
		}
	}
	for i, v := range m.Weights()[0].Value.Data().([]float32) {
		if math.Abs(float64(v)-1) > 1e-2 {
			t.Errorf("kernel[%d] = %v, want 1 (the fit of y = sum of inputs)", i, v)
		}
	}
}

// TestFunctionalNestedAndMultiOutput nests an encoder in a model of two
// outputs (a reconstruction and a class), each with its own loss, loss
// weight and metric; training the outer model trains the encoder, which
// then predicts on its own.
func TestFunctionalNestedAndMultiOutput(t *testing.T) {
	train, _ := digits(t)
	in := models.Input("pixels", 64)
	code := models.Apply(&layers.Dense{Units: 16, Activation: layers.ReLU}, in)
	encoder, err := models.NewFunctional([]*models.Node{in}, []*models.Node{code})
	if err != nil {
		t.Fatal(err)
	}
	encoder.Name = "encoder"

	x := models.Input("x", 64)
	z := models.Apply(encoder, x)
	recon := models.Apply(&layers.Dense{Name: "recon", Units: 64, Activation: layers.Sigmoid}, z)
	class := models.Apply(&layers.Dense{Name: "class", Units: 10, Activation: layers.Softmax}, z)
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{recon, class})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.OutputNames(), ","); got != "recon,class" {
		t.Fatalf("output names %q", got)
	}
	err = m.Compile(models.Config{
		Losses:        map[string]losses.Loss{"recon": losses.BinaryCrossentropy{}, "class": losses.SparseCategoricalCrossentropy{}},
		LossWeights:   map[string]float64{"recon": 2},
		OutputMetrics: map[string][]metrics.Metric{"class": {&metrics.Accuracy{}}},
		Optimizer:     optimizers.Adam{LearningRate: 3e-3},
		Seed:          1,
	})
	if err != nil {
		t.Fatal(err)
	}
	befores, err := encoder.Predict(context.Background(), train.X)
	if err != nil {
		t.Fatal(err)
	}
	before := befores[0]
	hist, err := m.Fit(context.Background(), []*tensor.Dense{train.X}, []*tensor.Dense{train.X, train.Y}, trainer.FitConfig{Epochs: 5, Seed: 1, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(hist.Names, ","); got != "loss,recon_loss,class_loss,class_accuracy" {
		t.Errorf("history names %q", got)
	}
	total, _ := hist.Last("loss")
	rl, _ := hist.Last("recon_loss")
	cl, _ := hist.Last("class_loss")
	if math.Abs(total-(2*rl+cl)) > 1e-4 {
		t.Errorf("loss %v, want 2*recon_loss + class_loss = %v", total, 2*rl+cl)
	}
	if acc, _ := hist.Last("class_accuracy"); acc < 0.85 {
		t.Errorf("class_accuracy %v after 5 epochs", acc)
	}
	afters, err := encoder.Predict(context.Background(), train.X)
	if err != nil {
		t.Fatal(err)
	}
	after := afters[0]
	if same(before, after) {
		t.Error("training the outer model left the nested encoder's weights unchanged")
	}
	outs, err := m.Predict(context.Background(), train.X)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || outs[0].Shape()[1] != 64 || outs[1].Shape()[1] != 10 {
		t.Errorf("predict gives %d outputs", len(outs))
	}
}

func same(a, b *tensor.Dense) bool {
	x, y := a.Data().([]float32), b.Data().([]float32)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// TestFunctionalFreeze trains a model whose nested part is frozen: its
// weights stay, the rest moves.
func TestFunctionalFreeze(t *testing.T) {
	train, _ := digits(t)
	in := models.Input("in", 64)
	base, err := models.NewFunctional([]*models.Node{in}, []*models.Node{models.Apply(&layers.Dense{Units: 8, Activation: layers.ReLU}, in)})
	if err != nil {
		t.Fatal(err)
	}
	x := models.Input("x", 64)
	out := models.Apply(&layers.Dense{Units: 10, Activation: layers.Softmax}, models.Apply(base, x))
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Freeze(base); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	// A change of what trains takes a new Compile.
	if err := m.SetTrainable(base, true); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Silent: true}); err == nil || !strings.Contains(err.Error(), "compile again") {
		t.Errorf("fit after unfreezing without compiling: %v", err)
	}
	if err := m.Freeze(base); err != nil {
		t.Fatal(err)
	}
	kept := append([]float32(nil), base.Weights()[0].Value.Data().([]float32)...)
	head := append([]float32(nil), m.Weights()[2].Value.Data().([]float32)...)
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Silent: true}); err != nil {
		t.Fatal(err)
	}
	for i, v := range base.Weights()[0].Value.Data().([]float32) {
		if v != kept[i] {
			t.Fatalf("frozen weight %d moved", i)
		}
	}
	moved := false
	for i, v := range m.Weights()[2].Value.Data().([]float32) {
		moved = moved || v != head[i]
	}
	if !moved {
		t.Error("the head did not train")
	}
	if s := m.Summary(); !strings.Contains(s, "Non-trainable params: 520") {
		t.Errorf("summary:\n%s", s)
	}
}

// TestFunctionalErrors checks the build-time errors: each names what is
// wrong and where.
func TestFunctionalErrors(t *testing.T) {
	a, b := models.Input("a", 4), models.Input("b", 5)
	other := models.Input("other", 4)
	tests := []struct {
		name    string
		make    func() (*models.Functional, error)
		wantErr string
	}{
		{"unused input", func() (*models.Functional, error) {
			return models.NewFunctional([]*models.Node{a, b}, []*models.Node{models.Apply(&layers.Dense{Units: 1}, a)})
		}, `input 1 ("b") is not used by any output`},
		{"input not given", func() (*models.Functional, error) {
			return models.NewFunctional([]*models.Node{a}, []*models.Node{models.Merge(&layers.Add{Name: "sum"}, a, other)})
		}, `add "sum" depends on input "other", which is not among the model's inputs`},
		{"nil layer", func() (*models.Functional, error) {
			return models.NewFunctional([]*models.Node{a}, []*models.Node{models.Apply(nil, a)})
		}, "the layer is nil"},
		{"two layers of one name", func() (*models.Functional, error) {
			h := models.Apply(&layers.Dense{Name: "d", Units: 2}, a)
			return models.NewFunctional([]*models.Node{a}, []*models.Node{models.Apply(&layers.Dense{Name: "d", Units: 2}, h)})
		}, `two layers (or inputs) are named "d"`},
		{"shapes that do not merge", func() (*models.Functional, error) {
			m, err := models.NewFunctional([]*models.Node{a, b}, []*models.Node{models.Merge(&layers.Add{Name: "plus"}, a, b)})
			if err != nil {
				return nil, err
			}
			return m, m.Compile(models.Config{Loss: losses.MeanSquaredError{}})
		}, `add "plus"`},
		{"shared layer on two shapes", func() (*models.Functional, error) {
			d := &layers.Dense{Name: "twice", Units: 2}
			m, err := models.NewFunctional([]*models.Node{a, b}, []*models.Node{models.Apply(d, a), models.Apply(d, b)})
			if err != nil {
				return nil, err
			}
			return m, m.Compile(models.Config{Loss: losses.MeanSquaredError{}})
		}, `dense "twice" is shared but applied to input 0 of shape (None, 4) and of shape (None, 5)`},
		{"loss for an unknown output", func() (*models.Functional, error) {
			m, err := models.NewFunctional([]*models.Node{a}, []*models.Node{models.Apply(&layers.Dense{Name: "out", Units: 1}, a)})
			if err != nil {
				return nil, err
			}
			return m, m.Compile(models.Config{Losses: map[string]losses.Loss{"nope": losses.MeanSquaredError{}}})
		}, `Losses names output "nope"; the outputs are out`},
		{"no loss", func() (*models.Functional, error) {
			m, err := models.NewFunctional([]*models.Node{a}, []*models.Node{models.Apply(&layers.Dense{Name: "o", Units: 1}, a)})
			if err != nil {
				return nil, err
			}
			return m, m.Compile(models.Config{})
		}, `no loss for output "o"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.make()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestFunctionalSaveLoad saves a model of two inputs and two outputs, with
// a nested functional model, a nested Sequential and a frozen layer, and
// loads it: the same predictions, compile settings and frozen weights, and
// training goes on.
func TestFunctionalSaveLoad(t *testing.T) {
	train, _ := digits(t)
	in := models.Input("pixels", 64)
	enc, err := models.NewFunctional([]*models.Node{in}, []*models.Node{models.Apply(&layers.Dense{Units: 12, Activation: layers.Tanh}, in)})
	if err != nil {
		t.Fatal(err)
	}
	enc.Name = "encoder"
	tab := models.NewSequential(&layers.Dense{Units: 4, Activation: layers.ReLU}, &layers.Dropout{Rate: 0.1})
	tab.Name = "tabular"

	x, f := models.Input("x", 64), models.Input("f", 8)
	h := models.Merge(&layers.Concatenate{}, models.Apply(enc, x), models.Apply(tab.AsLayer(), f))
	frozen := &layers.Dense{Name: "frozen", Units: 6, Activation: layers.ReLU}
	h = models.Apply(frozen, h)
	class := models.Apply(&layers.Dense{Name: "class", Units: 10, Activation: layers.Softmax}, h)
	mean := models.Apply(&layers.Dense{Name: "mean", Units: 1}, h)
	m, err := models.NewFunctional([]*models.Node{x, f}, []*models.Node{class, mean})
	if err != nil {
		t.Fatal(err)
	}
	m.Name = "two_by_two"
	if err := m.Freeze(frozen); err != nil {
		t.Fatal(err)
	}
	cfg := models.Config{
		Losses:        map[string]losses.Loss{"class": losses.SparseCategoricalCrossentropy{}, "mean": losses.MeanSquaredError{}},
		LossWeights:   map[string]float64{"mean": 0.5},
		OutputMetrics: map[string][]metrics.Metric{"class": {&metrics.Accuracy{}}},
		Seed:          4,
	}
	if err := m.Compile(cfg); err != nil {
		t.Fatal(err)
	}
	feats := rowFeatures(train.X)
	means := tensor.New(tensor.WithShape(train.X.Shape()[0], 1), tensor.WithBacking(make([]float64, train.X.Shape()[0])))
	for i := range means.Data().([]float64) {
		s := 0.0
		for j := 0; j < 8; j++ {
			s += feats.Data().([]float64)[i*8+j]
		}
		means.Data().([]float64)[i] = s / 8
	}
	xs, ys := []*tensor.Dense{train.X, feats}, []*tensor.Dense{train.Y, means}
	if _, err := m.Fit(context.Background(), xs, ys, trainer.FitConfig{Epochs: 2, Silent: true}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() + "/model.zip"
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Predict(context.Background(), xs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.Predict(context.Background(), xs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !same(want[i], got[i]) {
			t.Errorf("output %d differs after the round trip", i)
		}
	}
	if back.Summary() != m.Summary() {
		t.Errorf("summaries differ:\n%s\n%s", m.Summary(), back.Summary())
	}
	w1, err := m.Evaluate(context.Background(), xs, ys)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := back.Evaluate(context.Background(), xs, ys)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range w1 {
		if w2[k] != v {
			t.Errorf("evaluate %s: %v before, %v after loading", k, v, w2[k])
		}
	}
	var kept []float32
	for _, w := range back.Weights() {
		if w.Name == "frozen/kernel" {
			kept = append(kept, w.Value.Data().([]float32)...)
		}
	}
	if _, err := back.Fit(context.Background(), xs, ys, trainer.FitConfig{Silent: true}); err != nil {
		t.Fatal(err)
	}
	for _, w := range back.Weights() {
		if w.Name == "frozen/kernel" {
			for i, v := range w.Value.Data().([]float32) {
				if v != kept[i] {
					t.Fatal("the loaded model trained its frozen layer")
				}
			}
		}
	}
	if back.Sequential() != nil {
		t.Error("a functional model loads as a Sequential")
	}
}
