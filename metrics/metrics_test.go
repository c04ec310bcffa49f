package metrics_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

// dense builds a tensor of the given dtype and shape from float64 values.
func dense(dt tensor.Dtype, shape []int, vals ...float64) *tensor.Dense {
	if dt == tensor.Float32 {
		b := make([]float32, len(vals))
		for i, v := range vals {
			b[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
	}
	b := append([]float64(nil), vals...)
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
}

type batch struct {
	trueShape []int
	yTrue     []float64
	predShape []int
	yPred     []float64
}

var dtypes = []tensor.Dtype{tensor.Float32, tensor.Float64}

func TestMetricValues(t *testing.T) {
	tests := []struct {
		name   string
		metric func() metrics.Metric
		batch  batch
		want   float64
	}{
		{
			name:   "binary [batch,1]",
			metric: func() metrics.Metric { return &metrics.BinaryAccuracy{} },
			batch:  batch{[]int{4, 1}, []float64{1, 0, 1, 0}, []int{4, 1}, []float64{0.9, 0.2, 0.4, 0.6}},
			want:   0.5,
		},
		{
			name:   "binary [batch] targets, 0.5 is not above the threshold",
			metric: func() metrics.Metric { return &metrics.BinaryAccuracy{} },
			batch:  batch{[]int{4}, []float64{1, 0, 0, 1}, []int{4, 1}, []float64{0.51, 0.5, 0.1, 0.7}},
			want:   1,
		},
		{
			name:   "binary threshold 0.8",
			metric: func() metrics.Metric { return &metrics.BinaryAccuracy{Threshold: 0.8} },
			batch:  batch{[]int{4}, []float64{1, 0, 1, 0}, []int{4}, []float64{0.9, 0.7, 0.7, 0.85}},
			want:   0.5,
		},
		{
			name:   "binary multi-label element by element",
			metric: func() metrics.Metric { return &metrics.BinaryAccuracy{} },
			batch:  batch{[]int{2, 2}, []float64{1, 0, 1, 1}, []int{2, 2}, []float64{0.9, 0.1, 0.2, 0.8}},
			want:   0.75,
		},
		{
			name:   "categorical",
			metric: func() metrics.Metric { return &metrics.CategoricalAccuracy{} },
			batch: batch{[]int{3, 3}, []float64{0, 0, 1, 0, 1, 0, 1, 0, 0},
				[]int{3, 3}, []float64{0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.6, 0.3, 0.1}},
			want: 2.0 / 3,
		},
		{
			name:   "categorical tie goes to the first column",
			metric: func() metrics.Metric { return &metrics.CategoricalAccuracy{} },
			batch:  batch{[]int{2, 2}, []float64{1, 0, 0, 1}, []int{2, 2}, []float64{0.5, 0.5, 0.5, 0.5}},
			want:   0.5,
		},
		{
			name:   "sparse [batch]",
			metric: func() metrics.Metric { return &metrics.SparseCategoricalAccuracy{} },
			batch: batch{[]int{4}, []float64{2, 0, 1, 1},
				[]int{4, 3}, []float64{0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.6, 0.3, 0.1, 0.2, 0.2, 0.6}},
			want: 0.5,
		},
		{
			name:   "sparse [batch,1], tie goes to the first column",
			metric: func() metrics.Metric { return &metrics.SparseCategoricalAccuracy{} },
			batch:  batch{[]int{2, 1}, []float64{0, 1}, []int{2, 2}, []float64{0.5, 0.5, 0.5, 0.5}},
			want:   0.5,
		},
		{
			name:   "accuracy picks binary for one prediction column",
			metric: func() metrics.Metric { return &metrics.Accuracy{} },
			batch:  batch{[]int{4, 1}, []float64{1, 0, 1, 0}, []int{4, 1}, []float64{0.9, 0.2, 0.4, 0.6}},
			want:   0.5,
		},
		{
			name:   "accuracy picks sparse for one target column",
			metric: func() metrics.Metric { return &metrics.Accuracy{} },
			batch: batch{[]int{3}, []float64{2, 0, 0},
				[]int{3, 3}, []float64{0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.3, 0.6, 0.1}},
			want: 2.0 / 3,
		},
		{
			name:   "accuracy picks categorical for one-hot targets",
			metric: func() metrics.Metric { return &metrics.Accuracy{} },
			batch: batch{[]int{2, 3}, []float64{0, 0, 1, 0, 1, 0},
				[]int{2, 3}, []float64{0.1, 0.2, 0.7, 0.5, 0.3, 0.2}},
			want: 0.5,
		},
	}
	for _, tt := range tests {
		for _, dt := range dtypes {
			t.Run(tt.name+"/"+dt.String(), func(t *testing.T) {
				m := tt.metric()
				if got := m.Result(); got != 0 {
					t.Fatalf("empty Result() = %v, want 0", got)
				}
				b := tt.batch
				err := m.Update(dense(dt, b.trueShape, b.yTrue...), dense(dt, b.predShape, b.yPred...))
				if err != nil {
					t.Fatalf("Update: %v", err)
				}
				if got := m.Result(); math.Abs(got-tt.want) > 1e-12 {
					t.Errorf("Result() = %v, want %v", got, tt.want)
				}
				m.Reset()
				if got := m.Result(); got != 0 {
					t.Errorf("Result() after Reset = %v, want 0", got)
				}
			})
		}
	}
}

// randomSet makes n rows of k-class predictions with both sparse and one-hot
// targets, and binary targets and predictions.
func randomSet(rng *rand.Rand, n, k int) (ids, onehot, probs, bin, binPred []float64) {
	for i := 0; i < n; i++ {
		id := rng.Intn(k)
		ids = append(ids, float64(id))
		for j := 0; j < k; j++ {
			v := 0.0
			if j == id {
				v = 1
			}
			onehot = append(onehot, v)
			probs = append(probs, rng.Float64())
		}
		bin = append(bin, float64(rng.Intn(2)))
		binPred = append(binPred, rng.Float64())
	}
	return
}

func TestStreamingEqualsWhole(t *testing.T) {
	const n, k = 23, 4
	ids, onehot, probs, bin, binPred := randomSet(rand.New(rand.NewSource(7)), n, k)
	type set struct {
		yTrue []float64
		cols  int // columns of yTrue
		yPred []float64
		pcols int // columns of yPred
	}
	tests := []struct {
		name   string
		metric func() metrics.Metric
		data   set
	}{
		{"binary", func() metrics.Metric { return &metrics.BinaryAccuracy{} }, set{bin, 1, binPred, 1}},
		{"categorical", func() metrics.Metric { return &metrics.CategoricalAccuracy{} }, set{onehot, k, probs, k}},
		{"sparse", func() metrics.Metric { return &metrics.SparseCategoricalAccuracy{} }, set{ids, 1, probs, k}},
		{"accuracy sparse", func() metrics.Metric { return &metrics.Accuracy{} }, set{ids, 1, probs, k}},
		{"accuracy categorical", func() metrics.Metric { return &metrics.Accuracy{} }, set{onehot, k, probs, k}},
		{"accuracy binary", func() metrics.Metric { return &metrics.Accuracy{} }, set{bin, 1, binPred, 1}},
	}
	for _, tt := range tests {
		for _, dt := range dtypes {
			t.Run(tt.name+"/"+dt.String(), func(t *testing.T) {
				d := tt.data
				whole := tt.metric()
				if err := whole.Update(dense(dt, []int{n, d.cols}, d.yTrue...), dense(dt, []int{n, d.pcols}, d.yPred...)); err != nil {
					t.Fatal(err)
				}
				streamed := tt.metric()
				for _, bounds := range [][2]int{{0, 5}, {5, 10}, {10, 22}, {22, 23}} {
					lo, hi := bounds[0], bounds[1]
					err := streamed.Update(
						dense(dt, []int{hi - lo, d.cols}, d.yTrue[lo*d.cols:hi*d.cols]...),
						dense(dt, []int{hi - lo, d.pcols}, d.yPred[lo*d.pcols:hi*d.pcols]...))
					if err != nil {
						t.Fatal(err)
					}
				}
				if whole.Result() != streamed.Result() {
					t.Errorf("streamed Result() = %v, whole-set Result() = %v", streamed.Result(), whole.Result())
				}
				if whole.Result() <= 0 || whole.Result() >= 1 {
					t.Errorf("Result() = %v, want a value strictly between 0 and 1 on random data", whole.Result())
				}
			})
		}
	}
}

func TestUpdateErrors(t *testing.T) {
	tests := []struct {
		name     string
		metric   metrics.Metric
		yTrue    *tensor.Dense
		yPred    *tensor.Dense
		contains []string
	}{
		{
			name:     "batch sizes differ",
			metric:   &metrics.Accuracy{},
			yTrue:    dense(tensor.Float64, []int{3}, 0, 1, 0),
			yPred:    dense(tensor.Float64, []int{2, 2}, 0, 1, 1, 0),
			contains: []string{"accuracy", "(3)", "(2, 2)", "batch sizes"},
		},
		{
			name:     "binary batch sizes differ",
			metric:   &metrics.BinaryAccuracy{},
			yTrue:    dense(tensor.Float32, []int{2, 1}, 0, 1),
			yPred:    dense(tensor.Float32, []int{3, 1}, 0, 1, 1),
			contains: []string{"binary_accuracy", "(2, 1)", "(3, 1)"},
		},
		{
			name:     "binary columns differ",
			metric:   &metrics.BinaryAccuracy{},
			yTrue:    dense(tensor.Float64, []int{2, 2}, 0, 1, 1, 0),
			yPred:    dense(tensor.Float64, []int{2, 1}, 0, 1),
			contains: []string{"(2, 2)", "(2, 1)"},
		},
		{
			name:     "binary target not 0 or 1",
			metric:   &metrics.BinaryAccuracy{},
			yTrue:    dense(tensor.Float64, []int{2}, 1, 0.7),
			yPred:    dense(tensor.Float64, []int{2}, 0.9, 0.1),
			contains: []string{"0.7", "row 1"},
		},
		{
			name:     "categorical with class ids",
			metric:   &metrics.CategoricalAccuracy{},
			yTrue:    dense(tensor.Float64, []int{2}, 1, 0),
			yPred:    dense(tensor.Float64, []int{2, 2}, 0, 1, 1, 0),
			contains: []string{"(2)", "(2, 2)", "sparse_categorical_accuracy"},
		},
		{
			name:     "categorical columns differ",
			metric:   &metrics.CategoricalAccuracy{},
			yTrue:    dense(tensor.Float64, []int{1, 3}, 0, 1, 0),
			yPred:    dense(tensor.Float64, []int{1, 2}, 0, 1),
			contains: []string{"(1, 3)", "(1, 2)"},
		},
		{
			name:     "sparse with one-hot targets",
			metric:   &metrics.SparseCategoricalAccuracy{},
			yTrue:    dense(tensor.Float64, []int{1, 2}, 0, 1),
			yPred:    dense(tensor.Float64, []int{1, 2}, 0, 1),
			contains: []string{"sparse_categorical_accuracy", "(1, 2)"},
		},
		{
			name:     "sparse class id out of range",
			metric:   &metrics.SparseCategoricalAccuracy{},
			yTrue:    dense(tensor.Float64, []int{2}, 0, 3),
			yPred:    dense(tensor.Float64, []int{2, 3}, 1, 0, 0, 0, 1, 0),
			contains: []string{"row 1", "class id 3", "[0, 3)"},
		},
		{
			name:     "sparse class id not an integer",
			metric:   &metrics.Accuracy{},
			yTrue:    dense(tensor.Float64, []int{2}, 0.5, 1),
			yPred:    dense(tensor.Float64, []int{2, 3}, 1, 0, 0, 0, 1, 0),
			contains: []string{"row 0", "0.5"},
		},
		{
			name:     "rank 3",
			metric:   &metrics.Accuracy{},
			yTrue:    dense(tensor.Float64, []int{1, 1, 2}, 0, 1),
			yPred:    dense(tensor.Float64, []int{1, 2}, 0, 1),
			contains: []string{"yTrue", "(1, 1, 2)"},
		},
		{
			name:     "nil prediction",
			metric:   &metrics.CategoricalAccuracy{},
			yTrue:    dense(tensor.Float64, []int{1, 2}, 0, 1),
			yPred:    nil,
			contains: []string{"yPred is nil"},
		},
		{
			name:     "no columns",
			metric:   &metrics.CategoricalAccuracy{},
			yTrue:    tensor.New(tensor.WithShape(2, 0), tensor.WithBacking([]float64{})),
			yPred:    tensor.New(tensor.WithShape(2, 0), tensor.WithBacking([]float64{})),
			contains: []string{"yTrue shape (2, 0) has no columns"},
		},
		{
			name:     "integer dtype",
			metric:   &metrics.SparseCategoricalAccuracy{},
			yTrue:    tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, 1})),
			yPred:    dense(tensor.Float64, []int{2, 2}, 0, 1, 1, 0),
			contains: []string{"float32 or float64", "int"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A good batch first: a failed Update must leave its count alone.
			good := [][2]*tensor.Dense{
				{dense(tensor.Float64, []int{1}, 1), dense(tensor.Float64, []int{1, 1}, 0.9)},        // binary
				{dense(tensor.Float64, []int{1}, 1), dense(tensor.Float64, []int{1, 2}, 0.1, 0.9)},   // sparse
				{dense(tensor.Float64, []int{1, 2}, 0, 1), dense(tensor.Float64, []int{1, 2}, 0, 1)}, // categorical
			}
			updated := false
			for _, g := range good {
				if tt.metric.Update(g[0], g[1]) == nil {
					updated = true
					break
				}
			}
			before := tt.metric.Result()
			if !updated || before != 1 {
				t.Fatalf("no good batch was accepted (Result() = %v)", before)
			}
			err := tt.metric.Update(tt.yTrue, tt.yPred)
			if err == nil {
				t.Fatal("Update returned no error")
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if got := tt.metric.Result(); got != before {
				t.Errorf("Result() changed from %v to %v after a failed Update", before, got)
			}
		})
	}
}

func TestMixedDtypesAndViews(t *testing.T) {
	m := &metrics.SparseCategoricalAccuracy{}
	// A transposed [2, 3] tensor is the [3, 2] predictions
	// [[0.9 0.1] [0.2 0.8] [0.6 0.4]].
	yPred := dense(tensor.Float32, []int{2, 3}, 0.9, 0.2, 0.6, 0.1, 0.8, 0.4)
	if err := yPred.T(); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(dense(tensor.Float64, []int{3}, 0, 1, 1), yPred); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Result(), 2.0/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("Result() = %v, want %v", got, want)
	}
}

func TestEmptyBatchAddsNothing(t *testing.T) {
	f64 := tensor.Float64
	tests := []struct {
		metric       metrics.Metric
		good         batch // one right prediction
		tcols, pcols int   // columns of the empty batch
	}{
		{&metrics.Accuracy{}, batch{[]int{1}, []float64{1}, []int{1, 2}, []float64{0.1, 0.9}}, 1, 3},
		{&metrics.BinaryAccuracy{}, batch{[]int{1}, []float64{1}, []int{1}, []float64{0.9}}, 1, 1},
		{&metrics.CategoricalAccuracy{}, batch{[]int{1, 2}, []float64{0, 1}, []int{1, 2}, []float64{0.1, 0.9}}, 3, 3},
		{&metrics.SparseCategoricalAccuracy{}, batch{[]int{1}, []float64{1}, []int{1, 2}, []float64{0.1, 0.9}}, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.metric.Name(), func(t *testing.T) {
			m, g := tt.metric, tt.good
			if err := m.Update(dense(f64, g.trueShape, g.yTrue...), dense(f64, g.predShape, g.yPred...)); err != nil {
				t.Fatal(err)
			}
			yTrue := tensor.New(tensor.WithShape(0, tt.tcols), tensor.WithBacking([]float32{}))
			yPred := tensor.New(tensor.WithShape(0, tt.pcols), tensor.WithBacking([]float32{}))
			if err := m.Update(yTrue, yPred); err != nil {
				t.Fatal(err)
			}
			if m.Result() != 1 {
				t.Errorf("Result() = %v after a right batch and an empty one, want 1", m.Result())
			}
		})
	}
}

func TestByName(t *testing.T) {
	tests := []struct {
		name     string
		wantName string
	}{
		{"accuracy", "accuracy"},
		{"acc", "accuracy"},
		{"binary_accuracy", "binary_accuracy"},
		{"categorical_accuracy", "categorical_accuracy"},
		{"sparse_categorical_accuracy", "sparse_categorical_accuracy"},
		{"top_k_categorical_accuracy", "top_k_categorical_accuracy"},
		{"sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"},
		{"precision", "precision"},
		{"recall", "recall"},
		{"f1_score", "f1_score"},
		{"f1", "f1_score"},
		{"fbeta_score", "fbeta_score"},
		{"auc", "auc"},
		{"roc_auc", "auc"},
		{"pr_auc", "pr_auc"},
		{"average_precision", "pr_auc"},
		{"log_loss", "log_loss"},
		{"matthews_correlation", "matthews_correlation"},
		{"mcc", "matthews_correlation"},
		{"balanced_accuracy", "balanced_accuracy"},
		{"mean_squared_error", "mean_squared_error"},
		{"mse", "mean_squared_error"},
		{"root_mean_squared_error", "root_mean_squared_error"},
		{"rmse", "root_mean_squared_error"},
		{"mean_absolute_error", "mean_absolute_error"},
		{"mae", "mean_absolute_error"},
		{"mean_absolute_percentage_error", "mean_absolute_percentage_error"},
		{"mape", "mean_absolute_percentage_error"},
		{"r2_score", "r2_score"},
		{"r2", "r2_score"},
		{"explained_variance", "explained_variance"},
	}
	if len(tests) != len(metrics.Names()) {
		t.Errorf("%d names tested, Names() lists %d", len(tests), len(metrics.Names()))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := metrics.ByName(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if m.Name() != tt.wantName {
				t.Errorf("Name() = %q, want %q", m.Name(), tt.wantName)
			}
			if m.Result() != 0 {
				t.Errorf("new metric Result() = %v, want 0", m.Result())
			}
		})
	}
	a, _ := metrics.ByName("accuracy")
	b, _ := metrics.ByName("accuracy")
	if a == b {
		t.Error("ByName returned the same metric twice; want a new one each call")
	}
	_, err := metrics.ByName("f2_score")
	if err == nil {
		t.Fatal("ByName(\"f2_score\") returned no error")
	}
	for _, s := range append([]string{`"f2_score"`}, metrics.Names()...) {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func TestMean(t *testing.T) {
	type add struct{ value, weight float64 }
	tests := []struct {
		name string
		adds []add
		want float64
	}{
		{"empty", nil, 0},
		{"one value", []add{{2.5, 4}}, 2.5},
		{"weighted", []add{{1, 3}, {5, 1}}, 2},
		{"zero and negative weights add nothing", []add{{1, 2}, {100, 0}, {100, -1}, {100, math.NaN()}}, 1},
		{"only zero weight", []add{{7, 0}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m metrics.Mean
			for _, a := range tt.adds {
				m.Add(a.value, a.weight)
			}
			if got := m.Result(); got != tt.want {
				t.Errorf("Result() = %v, want %v", got, tt.want)
			}
			m.Reset()
			if m.Result() != 0 || m.Weight() != 0 {
				t.Errorf("after Reset: Result() = %v, Weight() = %v, want 0, 0", m.Result(), m.Weight())
			}
		})
	}
}
