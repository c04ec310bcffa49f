package losses_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/losses"
)

// dense returns a tensor of dtype dt and shape holding vals.
func dense(dt tensor.Dtype, shape []int, vals []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		v := make([]float32, len(vals))
		for i, x := range vals {
			v[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
}

// eval builds l on pred and target, both of shape, runs the graph and
// returns the loss.
func eval(t *testing.T, l losses.Loss, dt tensor.Dtype, shape []int, pred, target []float64) float64 {
	t.Helper()
	g := gorgonia.NewGraph()
	p := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithValue(dense(dt, shape, pred)), gorgonia.WithName("pred"))
	y := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithValue(dense(dt, shape, target)), gorgonia.WithName("target"))
	out, err := l.Build(p, y)
	if err != nil {
		t.Fatalf("%s: Build: %v", l.Name(), err)
	}
	if !out.Shape().IsScalar() {
		t.Fatalf("%s: loss shape %v, want a scalar", l.Name(), out.Shape())
	}
	if out.Dtype() != dt {
		t.Fatalf("%s: loss dtype %v, want %v", l.Name(), out.Dtype(), dt)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("%s: RunAll: %v", l.Name(), err)
	}
	switch v := out.Value().Data().(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	}
	t.Fatalf("%s: loss value is %T", l.Name(), out.Value().Data())
	return 0
}

func softplus(x float64) float64 { return math.Log1p(math.Exp(x)) }
func sigmoid(x float64) float64  { return 1 / (1 + math.Exp(-x)) }

// logSumExp of a row, computed the stable way.
func logSumExp(row []float64) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

type lossCase struct {
	name   string
	loss   losses.Loss
	shape  []int
	pred   []float64
	target []float64
	want   float64
}

func lossCases() []lossCase {
	clipLo := -math.Log(1e-7) // -log of a probability clipped to 1e-7
	return []lossCase{
		{"mse [1,2] vs [0,4]", losses.MeanSquaredError{}, []int{1, 2}, []float64{1, 2}, []float64{0, 4}, (1 + 4) / 2.0},
		{"mse batch of 2", losses.MeanSquaredError{}, []int{2, 2}, []float64{1, 2, 3, 4}, []float64{0, 0, 0, 0}, (1 + 4 + 9 + 16) / 4.0},
		{"mse vector", losses.MeanSquaredError{}, []int{3}, []float64{1, 1, 1}, []float64{1, 2, 3}, (0 + 1 + 4) / 3.0},
		{"mae [1,2] vs [0,4]", losses.MeanAbsoluteError{}, []int{1, 2}, []float64{1, 2}, []float64{0, 4}, (1 + 2) / 2.0},
		{"mae batch of 2", losses.MeanAbsoluteError{}, []int{2, 1}, []float64{-1, 3}, []float64{1, 1}, (2 + 2) / 2.0},
		// errors 0.5, -2, 3 with delta 1: 0.5*0.25, 2-0.5, 3-0.5.
		{"huber default delta", losses.Huber{}, []int{3, 1}, []float64{0.5, -2, 3}, []float64{0, 0, 0}, (0.125 + 1.5 + 2.5) / 3},
		// delta 2: 0.5*0.25, 0.5*4, 2*3-0.5*4.
		{"huber delta 2", losses.Huber{Delta: 2}, []int{1, 3}, []float64{1.5, -1, 3}, []float64{1, 1, 0}, (0.125 + 2 + 4) / 3},
		{"bce probabilities", losses.BinaryCrossentropy{}, []int{2, 1}, []float64{0.9, 0.2}, []float64{1, 0}, -(math.Log(0.9) + math.Log(0.8)) / 2},
		{"bce soft targets", losses.BinaryCrossentropy{}, []int{1, 2}, []float64{0.6, 0.3}, []float64{0.25, 1},
			-(0.25*math.Log(0.6) + 0.75*math.Log(0.4) + math.Log(0.3)) / 2},
		{"bce clips 0 and 1", losses.BinaryCrossentropy{}, []int{2, 1}, []float64{0, 1}, []float64{1, 0}, clipLo},
		{"bce logits", losses.BinaryCrossentropy{FromLogits: true}, []int{3, 1}, []float64{2, -1, 0.5}, []float64{1, 0, 0.5},
			(softplus(2) - 2 + softplus(-1) + softplus(0.5) - 0.25) / 3},
		{"bce logits of 1000", losses.BinaryCrossentropy{FromLogits: true}, []int{2, 1}, []float64{1000, -1000}, []float64{0, 1}, 1000},
		{"bce logits of 1000, right", losses.BinaryCrossentropy{FromLogits: true}, []int{2, 1}, []float64{1000, -1000}, []float64{1, 0}, 0},
		{"cce probabilities", losses.CategoricalCrossentropy{}, []int{2, 3}, []float64{0.7, 0.2, 0.1, 0.1, 0.1, 0.8}, []float64{1, 0, 0, 0, 0, 1},
			-(math.Log(0.7) + math.Log(0.8)) / 2},
		{"cce normalizes rows", losses.CategoricalCrossentropy{}, []int{1, 3}, []float64{2, 1, 1}, []float64{1, 0, 0}, -math.Log(0.5)},
		{"cce clips zero", losses.CategoricalCrossentropy{}, []int{1, 2}, []float64{1, 0}, []float64{0, 1}, clipLo},
		{"cce soft targets", losses.CategoricalCrossentropy{}, []int{1, 2}, []float64{0.25, 0.75}, []float64{0.5, 0.5},
			-(0.5*math.Log(0.25) + 0.5*math.Log(0.75))},
		{"cce logits", losses.CategoricalCrossentropy{FromLogits: true}, []int{2, 3}, []float64{1, 2, 3, 0, 0, 0}, []float64{0, 0, 1, 1, 0, 0},
			((logSumExp([]float64{1, 2, 3}) - 3) + logSumExp([]float64{0, 0, 0})) / 2},
		{"cce logits of 1000", losses.CategoricalCrossentropy{FromLogits: true}, []int{1, 3}, []float64{1000, 0, -1000}, []float64{0, 1, 0}, 1000},
		// Rows of very different scale: each row is shifted by its own maximum.
		{"cce logits rows 1000 apart", losses.CategoricalCrossentropy{FromLogits: true}, []int{3, 3},
			[]float64{1000, 0, 0, 0, 0, 0, -5, 995, 1000}, []float64{1, 0, 0, 0, 0, 1, 0, 1, 0},
			(0 + math.Log(3) + (logSumExp([]float64{-5, 995, 1000}) - 995)) / 3},
		{"cce sequence [1,2,3]", losses.CategoricalCrossentropy{FromLogits: true}, []int{1, 2, 3}, []float64{1, 2, 3, 0, 0, 0}, []float64{0, 0, 1, 1, 0, 0},
			((logSumExp([]float64{1, 2, 3}) - 3) + logSumExp([]float64{0, 0, 0})) / 2},
		{"sparse cce probabilities", losses.SparseCategoricalCrossentropy{}, []int{2, 3}, []float64{0.7, 0.2, 0.1, 0.1, 0.1, 0.8}, []float64{1, 0, 0, 0, 0, 1},
			-(math.Log(0.7) + math.Log(0.8)) / 2},
		{"sparse cce logits", losses.SparseCategoricalCrossentropy{FromLogits: true}, []int{1, 3}, []float64{1, 2, 3}, []float64{0, 1, 0},
			logSumExp([]float64{1, 2, 3}) - 2},
	}
}

func TestLossValues(t *testing.T) {
	for _, tc := range lossCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := eval(t, tc.loss, tensor.Float64, tc.shape, tc.pred, tc.target)
			if math.Abs(got-tc.want) > 1e-9*math.Max(1, math.Abs(tc.want)) {
				t.Errorf("loss = %.12g, want %.12g", got, tc.want)
			}
		})
	}
}

func TestLossValuesFloat32(t *testing.T) {
	// Where float32 differs from float64 beyond rounding:
	// 1-float32(1-1e-7) is 1.19e-7, not 1e-7, as in Keras.
	want32 := map[string]float64{
		"bce clips 0 and 1": (-math.Log(float64(float32(1e-7))) - math.Log(1-float64(float32(1-1e-7)))) / 2,
	}
	for _, tc := range lossCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := eval(t, tc.loss, tensor.Float32, tc.shape, tc.pred, tc.target)
			want := tc.want
			if w, ok := want32[tc.name]; ok {
				want = w
			}
			if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("float32 loss = %.8g, want %.8g", got, want)
			}
		})
	}
}

// TestLogitsMatchProbabilities checks that each loss on logits equals the
// same loss on the probabilities the activation makes of them, away from
// the clipping.
func TestLogitsMatchProbabilities(t *testing.T) {
	x := []float64{0.3, -1.2, 2.5, 0, 1.1, -0.4}
	t.Run("binary", func(t *testing.T) {
		z := []float64{1, 0, 1, 0.5, 0, 1}
		p := make([]float64, len(x))
		for i, v := range x {
			p[i] = sigmoid(v)
		}
		shape := []int{3, 2}
		onLogits := eval(t, losses.BinaryCrossentropy{FromLogits: true}, tensor.Float64, shape, x, z)
		onProbs := eval(t, losses.BinaryCrossentropy{}, tensor.Float64, shape, p, z)
		if math.Abs(onLogits-onProbs) > 1e-12 {
			t.Errorf("on logits %.15g, on sigmoid probabilities %.15g", onLogits, onProbs)
		}
	})
	t.Run("categorical", func(t *testing.T) {
		y := []float64{0, 0, 1, 0.2, 0.8, 0}
		p := make([]float64, len(x))
		for r := 0; r < 2; r++ {
			row := x[r*3 : r*3+3]
			lse := logSumExp(row)
			for j, v := range row {
				p[r*3+j] = math.Exp(v - lse)
			}
		}
		shape := []int{2, 3}
		for _, pair := range [][2]losses.Loss{
			{losses.CategoricalCrossentropy{FromLogits: true}, losses.CategoricalCrossentropy{}},
			{losses.SparseCategoricalCrossentropy{FromLogits: true}, losses.SparseCategoricalCrossentropy{}},
		} {
			onLogits := eval(t, pair[0], tensor.Float64, shape, x, y)
			onProbs := eval(t, pair[1], tensor.Float64, shape, p, y)
			if math.Abs(onLogits-onProbs) > 1e-12 {
				t.Errorf("%s: on logits %.15g, on softmax probabilities %.15g", pair[0].Name(), onLogits, onProbs)
			}
		}
	})
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name    string
		loss    losses.Loss
		pred    []int
		target  []int
		tdt     tensor.Dtype
		wantErr string
	}{
		{"shape mismatch", losses.MeanSquaredError{}, []int{2, 3}, []int{2, 1}, tensor.Float64, "target shape (2, 1) differs from pred shape (2, 3)"},
		{"dtype mismatch", losses.MeanAbsoluteError{}, []int{2, 1}, []int{2, 1}, tensor.Float32, "target dtype float32 differs from pred dtype float64"},
		{"negative delta", losses.Huber{Delta: -3}, []int{2, 1}, []int{2, 1}, tensor.Float64, "delta must be > 0, got -3"},
		{"bce shape", losses.BinaryCrossentropy{}, []int{4, 1}, []int{4}, tensor.Float64, "binary_crossentropy: target shape (4) differs"},
		{"cce on a vector", losses.CategoricalCrossentropy{}, []int{4}, []int{4}, tensor.Float64, "pred must be [batch, k]"},
		{"sparse cce shape", losses.SparseCategoricalCrossentropy{}, []int{4, 3}, []int{4, 1}, tensor.Float64, "sparse_categorical_crossentropy: target shape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := gorgonia.NewGraph()
			p := gorgonia.NewTensor(g, tensor.Float64, len(tc.pred), gorgonia.WithShape(tc.pred...), gorgonia.WithName("p"))
			y := gorgonia.NewTensor(g, tc.tdt, len(tc.target), gorgonia.WithShape(tc.target...), gorgonia.WithName("y"))
			_, err := tc.loss.Build(p, y)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Build error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestOnLogits(t *testing.T) {
	tests := []struct {
		name       string
		loss       losses.LogitsLoss
		activation string
		want       losses.Loss
	}{
		{"bce sigmoid", losses.BinaryCrossentropy{}, "sigmoid", losses.BinaryCrossentropy{FromLogits: true}},
		{"bce softmax", losses.BinaryCrossentropy{}, "softmax", nil},
		{"bce already on logits", losses.BinaryCrossentropy{FromLogits: true}, "sigmoid", nil},
		{"cce softmax", losses.CategoricalCrossentropy{}, "softmax", losses.CategoricalCrossentropy{FromLogits: true}},
		{"cce sigmoid", losses.CategoricalCrossentropy{}, "sigmoid", nil},
		{"cce already on logits", losses.CategoricalCrossentropy{FromLogits: true}, "softmax", nil},
		{"sparse softmax", losses.SparseCategoricalCrossentropy{}, "softmax", losses.SparseCategoricalCrossentropy{FromLogits: true}},
		{"sparse relu", losses.SparseCategoricalCrossentropy{}, "relu", nil},
		{"sparse already on logits", losses.SparseCategoricalCrossentropy{FromLogits: true}, "softmax", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.loss.OnLogits(tc.activation)
			if ok != (tc.want != nil) || got != tc.want {
				t.Errorf("OnLogits(%q) = %#v, %v; want %#v, %v", tc.activation, got, ok, tc.want, tc.want != nil)
			}
		})
	}
}

func TestByName(t *testing.T) {
	tests := []struct {
		name string
		want losses.Loss
	}{
		{"mse", losses.MeanSquaredError{}},
		{"mean_squared_error", losses.MeanSquaredError{}},
		{"mae", losses.MeanAbsoluteError{}},
		{"mean_absolute_error", losses.MeanAbsoluteError{}},
		{"huber", losses.Huber{}},
		{"binary_crossentropy", losses.BinaryCrossentropy{}},
		{"categorical_crossentropy", losses.CategoricalCrossentropy{}},
		{"sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := losses.ByName(tc.name)
			if err != nil {
				t.Fatalf("ByName(%q): %v", tc.name, err)
			}
			if got != tc.want {
				t.Errorf("ByName(%q) = %#v, want %#v", tc.name, got, tc.want)
			}
			// A loss's Name leads back to it.
			back, err := losses.ByName(got.Name())
			if err != nil || back != got {
				t.Errorf("ByName(%q) = %#v, %v; want %#v", got.Name(), back, err, got)
			}
		})
	}
	for _, name := range losses.Names() {
		if _, err := losses.ByName(name); err != nil {
			t.Errorf("Names lists %q, but ByName: %v", name, err)
		}
	}
	_, err := losses.ByName("cross_entropy")
	if err == nil || !strings.Contains(err.Error(), `unknown loss "cross_entropy"`) || !strings.Contains(err.Error(), "sparse_categorical_crossentropy") {
		t.Errorf("ByName(unknown) error = %v, want it to name the loss and list the known ones", err)
	}
}

func nan() float64 { return math.NaN() }
func inf() float64 { return math.Inf(1) }
