package metrics_test

import (
	"math"
	"strings"
	"testing"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

func TestBadInput(t *testing.T) {
	f64 := tensor.Float64
	ids := func(v ...float64) *tensor.Dense { return dense(f64, []int{len(v)}, v...) }
	probs := func(rows int, v ...float64) *tensor.Dense { return dense(f64, []int{rows, len(v) / rows}, v...) }
	good3 := probs(2, 0.2, 0.3, 0.5, 0.6, 0.3, 0.1)
	tests := []struct {
		name     string
		metric   metrics.Metric
		yTrue    *tensor.Dense
		yPred    *tensor.Dense
		contains []string
	}{
		{"lengths differ", &metrics.Precision{}, ids(0, 1, 2), good3, []string{"precision", "(3)", "(2, 3)", "batch sizes"}},
		{"lengths differ, regression", &metrics.MeanSquaredError{}, ids(1, 2, 3), ids(1, 2), []string{"mean_squared_error", "(3)", "(2)"}},
		{"probability above 1", &metrics.Recall{}, ids(0, 1), probs(2, 0.2, 1.3), []string{"recall", "yPred row 1", "1.3", "[0, 1]"}},
		{"negative probability", &metrics.ROCAUC{}, ids(0, 1), probs(2, 0.2, 0.3, 0.5, -0.1, 0.6, 0.5), []string{"auc", "yPred row 1 column 0", "-0.1"}},
		{"NaN probability", &metrics.LogLoss{}, ids(0, 1), probs(2, 0.2, 0.8, math.NaN(), 0.5), []string{"log_loss", "row 1", "NaN"}},
		{"NaN target, regression", &metrics.R2Score{}, ids(1, math.NaN()), ids(1, 2), []string{"r2_score", "yTrue row 1", "NaN"}},
		{"infinite prediction, regression", &metrics.MeanAbsoluteError{}, ids(1, 2), ids(1, math.Inf(1)), []string{"yPred row 1", "+Inf"}},
		{"class id out of range", &metrics.F1Score{}, ids(0, 3), good3, []string{"f1_score", "yTrue row 1", "class id 3", "[0, 3)"}},
		{"negative class id", &metrics.MatthewsCorrelation{}, ids(-1, 0), good3, []string{"row 0", "class id -1"}},
		{"fractional class id", &metrics.BalancedAccuracy{}, ids(0.5, 0), good3, []string{"row 0", "0.5"}},
		{"binary label 2", &metrics.PRAUC{}, ids(0, 2), ids(0.1, 0.9), []string{"pr_auc", "class id 2", "[0, 2)"}},
		{"not one-hot", &metrics.Precision{}, probs(2, 0, 1, 0, 1, 1, 0), good3, []string{"yTrue row 1 is not one-hot", "[1 1 0]"}},
		{"soft target", &metrics.TopKCategoricalAccuracy{K: 1}, probs(2, 0, 1, 0, 0.3, 0.7, 0), good3, []string{"row 1", "one-hot"}},
		{"target columns differ", &metrics.Recall{}, probs(2, 0, 1, 1, 0), good3, []string{"(2, 2)", "(2, 3)"}},
		{"declared classes differ", &metrics.Precision{Classes: 4}, ids(0, 1), good3, []string{"classes is 4", "(2, 3)", "3 classes"}},
		{"declared classes, binary", &metrics.LogLoss{Classes: 3}, ids(0, 1), ids(0.2, 0.7), []string{"classes is 3", "2 classes"}},
		{"top-k of one column", &metrics.SparseTopKCategoricalAccuracy{}, ids(0, 1), ids(0.2, 0.7), []string{"k >= 2"}},
		{"top-k with one-hot as sparse", &metrics.SparseTopKCategoricalAccuracy{}, probs(2, 0, 1, 0, 1, 0, 0), good3, []string{"class ids"}},
		{"top-k with ids as categorical", &metrics.TopKCategoricalAccuracy{}, ids(0, 1), good3, []string{"sparse_top_k_categorical_accuracy"}},
		{"negative K", &metrics.SparseTopKCategoricalAccuracy{K: -1}, ids(0, 1), good3, []string{"k must be >= 0", "-1"}},
		{"negative beta", &metrics.FBetaScore{Beta: -2}, ids(0, 1), good3, []string{"beta", "-2"}},
		{"threshold above 1", &metrics.Precision{Threshold: 1.5}, ids(0, 1), ids(0.2, 0.7), []string{"threshold", "1.5"}},
		{"negative classes", &metrics.Recall{Classes: -2}, ids(0, 1), good3, []string{"classes must be >= 0", "-2"}},
		{"positive class out of range", &metrics.Precision{Average: metrics.AverageBinary, PosLabel: new(3)}, ids(0, 1), good3, []string{"positive class 3", "[0, 3)"}},
		{"unknown average", &metrics.F1Score{Average: metrics.Average(9)}, ids(0, 1), good3, []string{"unknown average 9"}},
		{"regression shapes differ", &metrics.ExplainedVariance{}, probs(2, 1, 2, 3, 4), ids(1, 2), []string{"(2, 2)", "(2)"}},
		{"rank 3", &metrics.MeanAbsolutePercentageError{}, dense(f64, []int{1, 1, 2}, 1, 2), ids(1, 2), []string{"yTrue", "(1, 1, 2)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Update panicked: %v", r)
					}
				}()
				err = tt.metric.Update(tt.yTrue, tt.yPred)
			}()
			if err == nil {
				t.Fatal("Update returned no error")
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if got := tt.metric.Result(); got != 0 || math.IsNaN(got) {
				t.Errorf("Result() = %v after a refused batch, want 0", got)
			}
			if ck, ok := tt.metric.(metrics.Checker); ok && ck.Err() == nil {
				t.Error("Err() is nil after a refused batch on an empty metric")
			}
		})
	}
}

// A refused batch leaves the earlier ones alone, and a batch of another
// width than the earlier ones is refused.
func TestBadBatchKeepsState(t *testing.T) {
	f64 := tensor.Float64
	yTrue := dense(f64, []int{4}, 0, 1, 2, 1)
	yPred := dense(f64, []int{4, 3}, 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.5, 0.2, 0.3)
	ms := []metrics.Metric{&metrics.Precision{}, &metrics.Recall{}, &metrics.F1Score{}, &metrics.FBetaScore{Beta: 2},
		&metrics.ROCAUC{}, &metrics.PRAUC{}, &metrics.LogLoss{}, &metrics.MatthewsCorrelation{}, &metrics.BalancedAccuracy{},
		&metrics.SparseTopKCategoricalAccuracy{K: 1}}
	for _, m := range ms {
		t.Run(m.Name(), func(t *testing.T) {
			if err := m.Update(yTrue, yPred); err != nil {
				t.Fatal(err)
			}
			before := m.Result()
			err := m.Update(dense(f64, []int{1}, 0), dense(f64, []int{1, 3}, 0.5, 0.5, 1.5))
			if err == nil {
				t.Fatal("a probability of 1.5 was accepted")
			}
			if m.Result() != before {
				t.Errorf("Result() changed from %v to %v after a refused batch", before, m.Result())
			}
			if _, ok := m.(*metrics.SparseTopKCategoricalAccuracy); ok {
				return // top-k has no state tied to the number of classes
			}
			err = m.Update(dense(f64, []int{1}, 0), dense(f64, []int{1, 2}, 0.5, 0.5))
			if err == nil || !strings.Contains(err.Error(), "yPred has 2 columns, earlier batches had 3") {
				t.Errorf("narrower batch: err = %v", err)
			}
			if m.Result() != before {
				t.Errorf("Result() changed from %v to %v after a refused batch", before, m.Result())
			}
		})
	}
	r := &metrics.R2Score{}
	if err := r.Update(dense(f64, []int{2, 2}, 1, 2, 3, 4), dense(f64, []int{2, 2}, 1, 2, 3, 5)); err != nil {
		t.Fatal(err)
	}
	if err := r.Update(dense(f64, []int{1}, 1), dense(f64, []int{1}, 1)); err == nil || !strings.Contains(err.Error(), "earlier batches had 2") {
		t.Errorf("narrower regression batch: err = %v", err)
	}
}

func TestUndefinedResults(t *testing.T) {
	f64 := tensor.Float64
	tests := []struct {
		name     string
		metric   metrics.Checker
		yTrue    *tensor.Dense
		yPred    *tensor.Dense
		contains string
	}{
		{"roc auc, one class", &metrics.ROCAUC{}, dense(f64, []int{3}, 1, 1, 1), dense(f64, []int{3}, 0.2, 0.6, 0.9), "one class only"},
		{"roc auc, class never present", &metrics.ROCAUC{}, dense(f64, []int{2}, 0, 1), dense(f64, []int{2, 3}, 0.5, 0.3, 0.2, 0.1, 0.6, 0.3), "class 2"},
		{"r2, one sample", &metrics.R2Score{}, dense(f64, []int{1}, 1), dense(f64, []int{1}, 2), "one sample"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.metric.Update(tt.yTrue, tt.yPred); err != nil {
				t.Fatal(err)
			}
			if got := tt.metric.Result(); got != 0 {
				t.Errorf("Result() = %v, want 0", got)
			}
			if err := tt.metric.Err(); err == nil || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("Err() = %v, want one containing %q", err, tt.contains)
			}
		})
	}
}

func TestClassificationReportErrors(t *testing.T) {
	f64 := tensor.Float64
	if _, err := metrics.NewClassificationReport(tensor.New(tensor.WithShape(0), tensor.WithBacking([]float64{})),
		tensor.New(tensor.WithShape(0, 2), tensor.WithBacking([]float64{})), nil); err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("empty set: err = %v", err)
	}
	if _, err := metrics.NewClassificationReport(dense(f64, []int{2}, 0, 1), dense(f64, []int{2}, 0.2, 0.7), []string{"a", "b", "c"}); err == nil || !strings.Contains(err.Error(), "3 class names for 2 classes") {
		t.Errorf("three names for two classes: err = %v", err)
	}
	if _, err := metrics.ClassificationReportOfIDs([]int{0, 1}, []int{1}, nil); err == nil || !strings.Contains(err.Error(), "2 true ids and 1 predicted") {
		t.Errorf("lengths differ: err = %v", err)
	}
	if _, err := metrics.ClassificationReportOfIDs(nil, nil, nil); err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("empty: err = %v", err)
	}
	if _, err := metrics.ClassificationReportOfIDs([]int{0, 2}, []int{0, 1}, []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "row 1: class id 2") {
		t.Errorf("id out of range: err = %v", err)
	}
	if _, err := metrics.ClassificationReportOfIDs([]int{0, -1}, []int{0, 1}, nil); err == nil || !strings.Contains(err.Error(), "class id -1") {
		t.Errorf("negative id: err = %v", err)
	}
}
