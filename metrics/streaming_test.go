package metrics_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

// allClassification lists a fresh metric of every classification type, as
// configured in the sklearn comparison, for a case.
func allClassification(c classCase) []metrics.Metric {
	var ms []metrics.Metric
	for _, chk := range classChecks() {
		ms = append(ms, chk.metric(c))
	}
	return append(ms, &metrics.CategoricalAccuracy{}, &metrics.SparseCategoricalAccuracy{})
}

func allRegression() []metrics.Metric {
	var ms []metrics.Metric
	for _, chk := range regChecks() {
		if !chk.perOutput {
			ms = append(ms, chk.metric())
		}
	}
	return ms
}

// splits returns batch boundaries for n rows: batches of one, one whole
// batch with empty ones around it, and random sizes.
func splits(rng *rand.Rand, n int) map[string][]int {
	out := map[string][]int{}
	ones := []int{0}
	for i := 1; i <= n; i++ {
		ones = append(ones, i)
	}
	out["batches of 1"] = ones
	out["whole, with empty batches"] = []int{0, 0, n, n}
	for r := 0; r < 2; r++ {
		b := []int{0}
		for b[len(b)-1] < n {
			b = append(b, min(n, b[len(b)-1]+1+rng.Intn(max(1, n/3))))
		}
		out[fmt.Sprintf("random %d", r)] = b
	}
	return out
}

// rows slices rows [lo, hi) of a row-major [n, cols] backing.
func rows(dt tensor.Dtype, v []float64, cols, lo, hi int, flat bool) *tensor.Dense {
	shape := []int{hi - lo, cols}
	if flat {
		shape = []int{hi - lo}
	}
	return dense(dt, shape, v[lo*cols:hi*cols]...)
}

// outcome is everything a metric reports.
type outcome struct {
	result float64
	err    bool
	per    []float64
}

func outcomeOf(m metrics.Metric) outcome {
	o := outcome{result: m.Result()}
	if ck, ok := m.(metrics.Checker); ok {
		o.err = ck.Err() != nil
	}
	switch pm := m.(type) {
	case perClasser:
		o.per, _ = pm.PerClass()
	case perOutputer:
		o.per, _ = pm.PerOutput()
	}
	return o
}

func close12(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func sameOutcome(a, b outcome) bool {
	if !close12(a.result, b.result) || a.err != b.err || len(a.per) != len(b.per) {
		return false
	}
	for i := range a.per {
		if !close12(a.per[i], b.per[i]) {
			return false
		}
	}
	return true
}

func TestStreamingEqualsWholeSet(t *testing.T) {
	f := loadFixtures(t)
	rng := rand.New(rand.NewSource(42))
	checked := 0
	for _, c := range f.Classification {
		n := len(c.YTrue)
		ids := make([]float64, n)
		for i, y := range c.YTrue {
			ids[i] = float64(y)
		}
		var oh []float64
		if c.PredCols > 1 {
			oh = make([]float64, n*c.PredCols)
			for i, y := range c.YTrue {
				oh[i*c.PredCols+y] = 1
			}
		}
		for _, dt := range dtypes {
			for name, bounds := range splits(rng, n) {
				for i, whole := range allClassification(c) {
					streamed := allClassification(c)[i]
					yt, tcols := ids, 1
					if !accepts(whole, "ids [n]") && oh != nil {
						yt, tcols = oh, c.PredCols
					}
					wantErr := whole.Update(rows(dt, yt, tcols, 0, n, false), rows(dt, c.YPred, c.PredCols, 0, n, c.PredCols == 1))
					var gotErr error
					for b := 1; b < len(bounds) && gotErr == nil; b++ {
						gotErr = streamed.Update(rows(dt, yt, tcols, bounds[b-1], bounds[b], false),
							rows(dt, c.YPred, c.PredCols, bounds[b-1], bounds[b], c.PredCols == 1))
					}
					if (wantErr == nil) != (gotErr == nil) {
						t.Errorf("%s/%v/%s/%T: whole-set Update error %v, streamed %v", c.Name, dt, name, whole, wantErr, gotErr)
						continue
					}
					if wantErr != nil {
						continue // e.g. top-k on one-column predictions
					}
					if w, g := outcomeOf(whole), outcomeOf(streamed); !sameOutcome(w, g) {
						t.Errorf("%s/%v/%s/%T: streamed %+v, whole set %+v", c.Name, dt, name, whole, g, w)
					}
					checked++
				}
			}
		}
	}
	for _, c := range f.Regression {
		n := len(c.YTrue) / c.Cols
		for _, dt := range dtypes {
			for name, bounds := range splits(rng, n) {
				for i, whole := range allRegression() {
					streamed := allRegression()[i]
					if err := whole.Update(rows(dt, c.YTrue, c.Cols, 0, n, false), rows(dt, c.YPred, c.Cols, 0, n, false)); err != nil {
						t.Fatal(err)
					}
					for b := 1; b < len(bounds); b++ {
						if err := streamed.Update(rows(dt, c.YTrue, c.Cols, bounds[b-1], bounds[b], false),
							rows(dt, c.YPred, c.Cols, bounds[b-1], bounds[b], false)); err != nil {
							t.Fatal(err)
						}
					}
					if w, g := outcomeOf(whole), outcomeOf(streamed); !sameOutcome(w, g) {
						t.Errorf("%s/%v/%s/%T: streamed %+v, whole set %+v", c.Name, dt, name, whole, g, w)
					}
					checked++
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d comparisons", checked)
	}
}

func TestResetAndEmpty(t *testing.T) {
	c := loadFixtures(t).Classification[2] // random multiclass
	n := len(c.YTrue)
	ids := make([]float64, n)
	for i, y := range c.YTrue {
		ids[i] = float64(y)
	}
	yTrue, yPred := dense(tensor.Float64, []int{n}, ids...), predTensor(c)
	for _, m := range allClassification(c) {
		if !accepts(m, "ids [n]") {
			continue
		}
		t.Run(fmt.Sprintf("%T", m), func(t *testing.T) {
			ck, isChecker := m.(metrics.Checker)
			if m.Result() != 0 || (isChecker && ck.Err() == nil) {
				t.Errorf("empty: Result() = %v, want 0 and an error", m.Result())
			}
			if err := m.Update(yTrue, yPred); err != nil {
				t.Fatal(err)
			}
			first := outcomeOf(m)
			if isChecker && ck.Err() != nil {
				t.Errorf("Err() = %v after a batch", ck.Err())
			}
			if first.result == 0 || math.IsNaN(first.result) {
				t.Errorf("Result() = %v on random data", first.result)
			}
			m.Reset()
			if m.Result() != 0 || (isChecker && ck.Err() == nil) {
				t.Errorf("after Reset: Result() = %v, want 0 and an error", m.Result())
			}
			if err := m.Update(yTrue, yPred); err != nil {
				t.Fatal(err)
			}
			if again := outcomeOf(m); !sameOutcome(first, again) {
				t.Errorf("after Reset and the same batch: %+v, first time %+v", again, first)
			}
		})
	}
	for _, m := range allRegression() {
		t.Run(fmt.Sprintf("%T", m), func(t *testing.T) {
			ck := m.(metrics.Checker)
			if m.Result() != 0 || ck.Err() == nil {
				t.Errorf("empty: Result() = %v, Err() = %v; want 0 and an error", m.Result(), ck.Err())
			}
			if _, err := m.(perOutputer).PerOutput(); err == nil {
				t.Error("empty: PerOutput() returned no error")
			}
		})
	}
}
