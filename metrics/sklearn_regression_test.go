package metrics_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

type regCheck struct {
	key       string
	perOutput bool
	metric    func() metrics.Metric
}

type perOutputer interface {
	PerOutput() ([]float64, error)
}

func regChecks() []regCheck {
	ms := map[string]func() metrics.Metric{
		"mse":                func() metrics.Metric { return &metrics.MeanSquaredError{} },
		"rmse":               func() metrics.Metric { return &metrics.RootMeanSquaredError{} },
		"mae":                func() metrics.Metric { return &metrics.MeanAbsoluteError{} },
		"mape":               func() metrics.Metric { return &metrics.MeanAbsolutePercentageError{} },
		"r2":                 func() metrics.Metric { return &metrics.R2Score{} },
		"explained_variance": func() metrics.Metric { return &metrics.ExplainedVariance{} },
	}
	keys := make([]string, 0, len(ms))
	for k := range ms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var checks []regCheck
	for _, k := range keys {
		checks = append(checks, regCheck{k + "/avg", false, ms[k]}, regCheck{k + "/per_output", true, ms[k]})
	}
	return checks
}

func regTensors(c regCase, flat bool) (*tensor.Dense, *tensor.Dense) {
	n := len(c.YTrue) / c.Cols
	shape := []int{n, c.Cols}
	if flat {
		shape = []int{n}
	}
	return dense(tensor.Float64, shape, c.YTrue...), dense(tensor.Float64, shape, c.YPred...)
}

func TestRegressionMatchesSklearn(t *testing.T) {
	f := loadFixtures(t)
	var dev deviation
	for _, c := range f.Regression {
		for _, flat := range []bool{false, true} {
			if flat && c.Cols != 1 {
				continue
			}
			yTrue, yPred := regTensors(c, flat)
			for _, chk := range regChecks() {
				m := chk.metric()
				where := fmt.Sprintf("%s/%v/%s", c.Name, yTrue.Shape(), chk.key)
				want := expect(t, c.Expect[chk.key])
				if err := m.Update(yTrue, yPred); err != nil {
					t.Errorf("%s: Update: %v", where, err)
					continue
				}
				var got []float64
				var err error
				if chk.perOutput {
					got, err = m.(perOutputer).PerOutput()
				} else {
					got, err = []float64{m.Result()}, m.(metrics.Checker).Err()
				}
				if want.err != "" {
					if err == nil {
						t.Errorf("%s: got %v and no error, sklearn gave %q", where, got, want.err)
					} else if !chk.perOutput && got[0] != 0 {
						t.Errorf("%s: Result() = %v with Err %v, want 0", where, got[0], err)
					}
					dev.errorsMatched++
					continue
				}
				if err != nil || len(got) != len(want.vals) {
					t.Errorf("%s: got %v, %v; sklearn %v", where, got, err, want.vals)
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
	t.Logf("%d values compared, %d errors matched; largest absolute deviation %.3g (%s), largest relative %.3g (%s)",
		dev.compared, dev.errorsMatched, dev.abs, dev.absAt, dev.rel, dev.relAt)
}
