package metrics_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

// The reference values come from testdata/gen_sklearn.py, run with
// scikit-learn; see that script for the conventions.

type fixtures struct {
	SklearnVersion string      `json:"sklearn_version"`
	Classification []classCase `json:"classification"`
	Regression     []regCase   `json:"regression"`
}

type classCase struct {
	Name      string                     `json:"name"`
	Classes   int                        `json:"classes"`
	Threshold float64                    `json:"threshold"`
	PredCols  int                        `json:"pred_cols"`
	YTrue     []int                      `json:"y_true"`
	YPred     []float64                  `json:"y_pred"`
	Expect    map[string]json.RawMessage `json:"expect"`
}

type regCase struct {
	Name   string                     `json:"name"`
	Cols   int                        `json:"cols"`
	YTrue  []float64                  `json:"y_true"`
	YPred  []float64                  `json:"y_pred"`
	Expect map[string]json.RawMessage `json:"expect"`
}

func loadFixtures(t testing.TB) *fixtures {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Classification) == 0 || len(f.Regression) == 0 {
		t.Fatal("testdata/sklearn.json holds no cases")
	}
	return &f
}

// expectation is a fixture value: numbers (one, a vector or a matrix,
// flattened), or the error sklearn raised.
type expectation struct {
	vals []float64
	err  string
}

func expect(t testing.TB, raw json.RawMessage) expectation {
	t.Helper()
	var e struct {
		Error *string `json:"error"`
	}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &e); err != nil || e.Error == nil {
			t.Fatalf("fixture value %s is neither numbers nor an error", raw)
		}
		return expectation{err: *e.Error}
	}
	var any interface{}
	if err := json.Unmarshal(raw, &any); err != nil {
		t.Fatal(err)
	}
	var vals []float64
	var flatten func(v interface{})
	flatten = func(v interface{}) {
		switch v := v.(type) {
		case float64:
			vals = append(vals, v)
		case []interface{}:
			for _, x := range v {
				flatten(x)
			}
		default:
			t.Fatalf("fixture value %s is not numbers", raw)
		}
	}
	flatten(any)
	return expectation{vals: vals}
}

// deviation tracks the largest difference from sklearn seen.
type deviation struct {
	abs, rel      float64
	absAt, relAt  string
	compared      int
	errorsMatched int
}

const sklearnTol = 1e-9

// near reports whether got is within 1e-9 of want: absolute for |want| <= 1,
// relative beyond (MAPE with zero targets is ~1e15).
func (d *deviation) near(got, want float64, where string) bool {
	d.compared++
	diff := math.Abs(got - want)
	if math.Abs(want) > 1 {
		if rel := diff / math.Abs(want); rel > d.rel {
			d.rel, d.relAt = rel, where
		}
		return diff <= sklearnTol*math.Abs(want)
	}
	if diff > d.abs {
		d.abs, d.absAt = diff, where
	}
	return diff <= sklearnTol
}

// targetForms are the ways a case's true classes can be given.
func targetForms(c classCase) map[string]*tensor.Dense {
	n := len(c.YTrue)
	ids := make([]float64, n)
	for i, y := range c.YTrue {
		ids[i] = float64(y)
	}
	forms := map[string]*tensor.Dense{
		"ids [n]":    dense(tensor.Float64, []int{n}, ids...),
		"ids [n, 1]": dense(tensor.Float64, []int{n, 1}, ids...),
	}
	if c.PredCols > 1 {
		oh := make([]float64, n*c.PredCols)
		for i, y := range c.YTrue {
			oh[i*c.PredCols+y] = 1
		}
		forms["one-hot"] = dense(tensor.Float64, []int{n, c.PredCols}, oh...)
	}
	return forms
}

func predTensor(c classCase) *tensor.Dense {
	n := len(c.YTrue)
	if c.PredCols == 1 {
		return dense(tensor.Float64, []int{n}, c.YPred...)
	}
	return dense(tensor.Float64, []int{n, c.PredCols}, c.YPred...)
}

// classCheck is one comparison: the metric for a case and fixture key, and
// whether to compare its per-class values.
type classCheck struct {
	key      string
	metric   func(c classCase) metrics.Metric
	perClass bool
}

type perClasser interface {
	PerClass() ([]float64, error)
}

func classChecks() []classCheck {
	avgs := map[string]metrics.Average{
		"macro": metrics.AverageMacro, "micro": metrics.AverageMicro,
		"weighted": metrics.AverageWeighted, "binary": metrics.AverageBinary,
	}
	var checks []classCheck
	add := func(key string, perClass bool, m func(c classCase) metrics.Metric) {
		checks = append(checks, classCheck{key, m, perClass})
	}
	names := []string{"per_class", "macro", "micro", "weighted", "binary"}
	for _, avgName := range names {
		avg, perClass := avgs[avgName], avgName == "per_class"
		add("precision/"+avgName, perClass, func(c classCase) metrics.Metric {
			return &metrics.Precision{Average: avg, Threshold: c.Threshold}
		})
		add("recall/"+avgName, perClass, func(c classCase) metrics.Metric {
			return &metrics.Recall{Average: avg, Threshold: c.Threshold}
		})
		add("f1/"+avgName, perClass, func(c classCase) metrics.Metric {
			return &metrics.F1Score{Average: avg, Threshold: c.Threshold}
		})
		for _, beta := range []float64{0.5, 2} {
			add(fmt.Sprintf("fbeta%g/%s", beta, avgName), perClass, func(c classCase) metrics.Metric {
				return &metrics.FBetaScore{Beta: beta, Average: avg, Threshold: c.Threshold}
			})
		}
		add("roc_auc/"+avgName, perClass, func(c classCase) metrics.Metric { return &metrics.ROCAUC{Average: avg} })
		add("average_precision/"+avgName, perClass, func(c classCase) metrics.Metric { return &metrics.PRAUC{Average: avg} })
	}
	add("precision/binary_pos0", false, func(c classCase) metrics.Metric {
		return &metrics.Precision{Average: metrics.AverageBinary, PosLabel: new(0), Threshold: c.Threshold}
	})
	add("recall/binary_pos0", false, func(c classCase) metrics.Metric {
		return &metrics.Recall{Average: metrics.AverageBinary, PosLabel: new(0), Threshold: c.Threshold}
	})
	add("f1/binary_pos0", false, func(c classCase) metrics.Metric {
		return &metrics.F1Score{Average: metrics.AverageBinary, PosLabel: new(0), Threshold: c.Threshold}
	})
	// The zero value's average: binary for one column, macro for k.
	for _, key := range []string{"precision", "recall", "f1", "fbeta1", "roc_auc", "average_precision"} {
		add(key+"/auto", false, func(c classCase) metrics.Metric {
			switch key {
			case "precision":
				return &metrics.Precision{Threshold: c.Threshold}
			case "recall":
				return &metrics.Recall{Threshold: c.Threshold}
			case "f1":
				return &metrics.F1Score{Threshold: c.Threshold}
			case "fbeta1":
				return &metrics.FBetaScore{Threshold: c.Threshold}
			case "roc_auc":
				return &metrics.ROCAUC{}
			}
			return &metrics.PRAUC{}
		})
	}
	add("accuracy", false, func(c classCase) metrics.Metric {
		if c.PredCols == 1 {
			return &metrics.BinaryAccuracy{Threshold: c.Threshold}
		}
		return &metrics.Accuracy{}
	})
	add("mcc", false, func(c classCase) metrics.Metric { return &metrics.MatthewsCorrelation{Threshold: c.Threshold} })
	add("balanced_accuracy", false, func(c classCase) metrics.Metric { return &metrics.BalancedAccuracy{Threshold: c.Threshold} })
	add("log_loss", false, func(c classCase) metrics.Metric { return &metrics.LogLoss{} })
	for k := 1; k <= 6; k++ {
		add("top_k/"+strconv.Itoa(k), false, func(c classCase) metrics.Metric {
			return &metrics.SparseTopKCategoricalAccuracy{K: k}
		})
		add("top_k/"+strconv.Itoa(k), false, func(c classCase) metrics.Metric {
			return &metrics.TopKCategoricalAccuracy{K: k}
		})
	}
	add("top_k/5", false, func(c classCase) metrics.Metric { return &metrics.SparseTopKCategoricalAccuracy{} })
	return checks
}

// fixtureKey maps the "auto" keys to the average the zero value picks.
func fixtureKey(c classCase, key string) string {
	base, avg, ok := strings.Cut(key, "/")
	if !ok || avg != "auto" {
		return key
	}
	if base == "fbeta1" {
		base = "f1"
	}
	if c.PredCols == 1 {
		return base + "/binary"
	}
	return base + "/macro"
}

// accepts reports whether the metric takes this form of targets.
func accepts(m metrics.Metric, form string) bool {
	switch m.(type) {
	case *metrics.TopKCategoricalAccuracy, *metrics.CategoricalAccuracy:
		return form == "one-hot"
	case *metrics.SparseTopKCategoricalAccuracy, *metrics.BinaryAccuracy:
		return form != "one-hot"
	}
	return true
}

func TestClassificationMatchesSklearn(t *testing.T) {
	f := loadFixtures(t)
	var dev deviation
	for _, c := range f.Classification {
		yPred := predTensor(c)
		for form, yTrue := range targetForms(c) {
			for _, chk := range classChecks() {
				raw, ok := c.Expect[fixtureKey(c, chk.key)]
				if !ok {
					continue
				}
				m := chk.metric(c)
				if !accepts(m, form) {
					continue
				}
				where := fmt.Sprintf("%s/%s/%s(%T)", c.Name, form, chk.key, m)
				want := expect(t, raw)
				if err := m.Update(yTrue, yPred); err != nil {
					t.Errorf("%s: Update: %v", where, err)
					continue
				}
				var got []float64
				var err error
				if chk.perClass {
					got, err = m.(perClasser).PerClass()
				} else {
					got = []float64{m.Result()}
					if ck, ok := m.(metrics.Checker); ok {
						err = ck.Err()
					}
				}
				if want.err != "" {
					if err == nil {
						t.Errorf("%s: got %v and no error, sklearn raised %q", where, got, want.err)
					} else if !chk.perClass && got[0] != 0 {
						t.Errorf("%s: Result() = %v with Err %v, want 0", where, got[0], err)
					}
					dev.errorsMatched++
					continue
				}
				if err != nil {
					t.Errorf("%s: unexpected error %v, sklearn gave %v", where, err, want.vals)
					continue
				}
				if len(got) != len(want.vals) {
					t.Errorf("%s: got %v, sklearn %v", where, got, want.vals)
					continue
				}
				for i := range got {
					if !dev.near(got[i], want.vals[i], where) {
						t.Errorf("%s[%d]: got %.17g, sklearn %.17g", where, i, got[i], want.vals[i])
					}
				}
			}
		}
	}
	t.Logf("sklearn %s: %d values compared, %d errors matched; largest absolute deviation %.3g (%s), largest relative %.3g (%s)",
		f.SklearnVersion, dev.compared, dev.errorsMatched, dev.abs, dev.absAt, dev.rel, dev.relAt)
	if dev.compared < 1000 {
		t.Errorf("only %d values compared", dev.compared)
	}
}

func TestConfusionMatrixMatchesSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Classification {
		t.Run(c.Name, func(t *testing.T) {
			want := expect(t, c.Expect["confusion_matrix"])
			m := &metrics.ConfusionMatrix{Threshold: c.Threshold}
			if err := m.Update(targetForms(c)["ids [n]"], predTensor(c)); err != nil {
				t.Fatal(err)
			}
			var got []float64
			for _, row := range m.Counts() {
				for _, v := range row {
					got = append(got, float64(v))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want.vals) {
				t.Errorf("Counts() = %v, sklearn %v", m.Counts(), want.vals)
			}
			if m.Samples() != len(c.YTrue) {
				t.Errorf("Samples() = %d, want %d", m.Samples(), len(c.YTrue))
			}
		})
	}
}

func TestClassificationReportMatchesSklearn(t *testing.T) {
	var dev deviation
	texts := 0
	for _, c := range loadFixtures(t).Classification {
		t.Run(c.Name, func(t *testing.T) {
			var want map[string]json.RawMessage
			if err := json.Unmarshal(c.Expect["report"], &want); err != nil {
				t.Fatal(err)
			}
			var r *metrics.ClassificationReport
			var err error
			if c.Threshold == 0.5 {
				r, err = metrics.NewClassificationReport(targetForms(c)["ids [n]"], predTensor(c), nil)
			} else {
				var cm metrics.ConfusionMatrix
				cm.Threshold = c.Threshold
				if err := cm.Update(targetForms(c)["ids [n]"], predTensor(c)); err != nil {
					t.Fatal(err)
				}
				r, err = cm.Report(nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			type line struct {
				Precision float64 `json:"precision"`
				Recall    float64 `json:"recall"`
				F1        float64 `json:"f1-score"`
				Support   float64 `json:"support"`
			}
			compare := func(key string, got metrics.ClassScores) {
				var l line
				if err := json.Unmarshal(want[key], &l); err != nil {
					t.Fatalf("report %q: %v", key, err)
				}
				where := c.Name + "/report/" + key
				if !dev.near(got.Precision, l.Precision, where) || !dev.near(got.Recall, l.Recall, where) ||
					!dev.near(got.F1, l.F1, where) || float64(got.Support) != l.Support {
					t.Errorf("%s: got %+v, sklearn %+v", key, got, l)
				}
			}
			for i, cl := range r.Classes {
				if cl.Name != strconv.Itoa(i) {
					t.Errorf("class %d named %q", i, cl.Name)
				}
				compare(strconv.Itoa(i), cl)
			}
			compare("macro avg", r.MacroAvg)
			compare("weighted avg", r.WeightedAvg)
			if acc, ok := want["accuracy"]; ok {
				var a float64
				if err := json.Unmarshal(acc, &a); err != nil {
					t.Fatal(err)
				}
				if !dev.near(r.Accuracy, a, c.Name+"/report/accuracy") {
					t.Errorf("Accuracy = %v, sklearn %v", r.Accuracy, a)
				}
				var text string
				if err := json.Unmarshal(c.Expect["report_text"], &text); err != nil {
					t.Fatal(err)
				}
				// sklearn 1.2 prints the supports as floats ("30.0") when every
				// score is 0; they are counts.
				text = floatSupport.ReplaceAllString(text, "  $1\n")
				if got := r.String(); got != text {
					t.Errorf("String() =\n%s\nsklearn:\n%s", got, text)
				}
				texts++
			} else {
				// sklearn prints "micro avg" when a class neither occurs nor is
				// predicted; its value is the accuracy.
				compare("micro avg", metrics.ClassScores{Precision: r.Accuracy, Recall: r.Accuracy, F1: r.Accuracy, Support: len(c.YTrue)})
			}
		})
	}
	if texts < 10 {
		t.Errorf("only %d report texts compared", texts)
	}
	t.Logf("largest absolute deviation %.3g (%s)", dev.abs, dev.absAt)
}

var floatSupport = regexp.MustCompile(`(\d+)\.0\n`)
