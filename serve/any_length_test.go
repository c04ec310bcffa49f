package serve_test

import (
	"context"
	"math"
	"math/rand"
	"net/http"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/serve"
)

// A saved model declared with a length of 0 serves sequences of any
// length, nested or flat, one length per request.
func TestServeSequencesOfAnyLength(t *testing.T) {
	m := untrained(t, losses.MeanSquaredError{}, tensor.Float64,
		&layers.Input{Shape: layers.Shape{0, 3}}, &layers.LSTM{Units: 4}, &layers.Dense{Units: 2})
	if err := m.Build(nil); err != nil {
		t.Fatal(err)
	}
	loaded := saveAndLoad(t, m)
	_, ts := newServer(t, loaded, serve.Options{})
	r := rand.New(rand.NewSource(3))
	for _, steps := range []int{1, 6, 40} {
		x := make([]float64, 2*steps*3)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		want, err := m.Predict(context.Background(), tensor.New(tensor.WithShape(2, steps, 3), tensor.WithBacking(x)))
		if err != nil {
			t.Fatal(err)
		}
		nested := make([][][]float64, 2)
		for i := range nested {
			for s := 0; s < steps; s++ {
				nested[i] = append(nested[i], x[(i*steps+s)*3:(i*steps+s+1)*3])
			}
		}
		flat := [][]float64{x[:steps*3], x[steps*3:]}
		for name, rows := range map[string]any{"nested": nested, "flat": flat} {
			code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, rows))
			if err != nil || code != http.StatusOK || len(a.Predictions) != 2 {
				t.Fatalf("%d steps, %s: status %d, %v, %+v", steps, name, code, err, a)
			}
			w := want[0].Data().([]float64)
			for i, p := range a.Predictions {
				for j, v := range p {
					if math.Abs(v-w[i*2+j]) > 1e-12 {
						t.Fatalf("%d steps, %s: instance %d, output %d: %v, Predict gives %v", steps, name, i, j, v, w[i*2+j])
					}
				}
			}
		}
	}
	for name, rows := range map[string]any{
		"two lengths": [][]float64{{1, 2, 3, 4, 5, 6}, {1, 2, 3}},
		"part steps":  [][]float64{{1, 2, 3, 4}},
		"wide steps":  [][][]float64{{{1, 2, 3, 4}}},
	} {
		code, a, err := post(ts.Client(), ts.URL+"/v1/predict", instances(t, rows))
		if err != nil || code != http.StatusBadRequest || !strings.Contains(a.Error, "instance") {
			t.Errorf("%s: status %d, %v, error %q; want 400 naming the instance", name, code, err, a.Error)
		}
	}
}
