package layers_test

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// TestStatefulChunksContinueTheSeries checks Keras's stateful=True: a
// series fed in two chunks of 3 steps to a stateful layer gives the
// outputs of the whole series of 6 steps fed at once, and ResetStates
// starts again from zeros.
func TestStatefulChunksContinueTheSeries(t *testing.T) {
	const batch, features, units = 2, 3, 4
	makers := map[string]func(stateful bool) layers.Layer{
		"simple_rnn": func(s bool) layers.Layer {
			return &layers.SimpleRNN{Name: "l", Units: units, ReturnSequences: true, Stateful: s}
		},
		"lstm": func(s bool) layers.Layer {
			return &layers.LSTM{Name: "l", Units: units, ReturnSequences: true, Stateful: s}
		},
		"gru": func(s bool) layers.Layer {
			return &layers.GRU{Name: "l", Units: units, ReturnSequences: true, Stateful: s}
		},
	}
	rng := rand.New(rand.NewSource(3))
	series := make([]float64, batch*6*features)
	for i := range series {
		series[i] = 2*rng.Float64() - 1
	}
	chunk := func(c int) []float64 { // steps 3c..3c+2 of each sample
		var out []float64
		for b := 0; b < batch; b++ {
			out = append(out, series[(b*6+3*c)*features:(b*6+3*c+3)*features]...)
		}
		return out
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			whole, st := mk(false), mk(true)
			for _, l := range []struct {
				l     layers.Layer
				steps int
			}{{whole, 6}, {st, 3}} {
				if _, err := l.l.Build(&layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "l"}, layers.Shape{l.steps, features}); err != nil {
					t.Fatal(err)
				}
			}
			run := func(l layers.Layer, steps int, xs ...[]float64) [][]float64 {
				c := layers.NewCall(tensor.Float64, batch, false)
				xv := tensor.New(tensor.WithShape(batch, steps, features), tensor.Of(tensor.Float64))
				x := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(batch, steps, features), gorgonia.WithName("x"), gorgonia.WithValue(xv))
				out, err := l.Forward(c, x)
				if err != nil {
					t.Fatal(err)
				}
				var ov gorgonia.Value
				gorgonia.Read(out, &ov)
				m := gorgonia.NewTapeMachine(c.Graph)
				defer m.Close()
				var res [][]float64
				for _, v := range xs {
					copy(xv.Data().([]float64), v)
					if err := m.RunAll(); err != nil {
						t.Fatal(err)
					}
					res = append(res, append([]float64(nil), ov.Data().([]float64)...))
					m.Reset()
				}
				return res
			}
			want := run(whole, 6, series)[0]
			got := run(st, 3, chunk(0), chunk(1))
			for b := 0; b < batch; b++ {
				for c := 0; c < 2; c++ {
					for i := 0; i < 3*units; i++ {
						g, w := got[c][b*3*units+i], want[(b*6+3*c)*units+i]
						if math.Abs(g-w) > 1e-12 {
							t.Fatalf("sample %d, chunk %d, value %d: %v, the whole series gives %v", b, c, i, g, w)
						}
					}
				}
			}
			st.(interface{ ResetStates() }).ResetStates()
			again := run(st, 3, chunk(0))[0]
			for i := range again {
				if again[i] != got[0][i] {
					t.Fatalf("after ResetStates value %d is %v, the first chunk gave %v", i, again[i], got[0][i])
				}
			}
		})
	}
}
