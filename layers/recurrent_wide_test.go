package layers_test

import (
	"fmt"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/layers"
)

// TestWideSequenceGradients checks the input gradient of recurrent layers
// returning sequences where steps*units passes 256: gorgonia.Concat's
// gradient gave one step another's gradient there. The shared harness
// checks small layers only, where it did not show.
func TestWideSequenceGradients(t *testing.T) {
	for _, l := range []layers.Layer{
		&layers.SimpleRNN{Name: "rnn", Units: 64, ReturnSequences: true},
		&layers.LSTM{Name: "lstm", Units: 64, ReturnSequences: true},
		&layers.GRU{Name: "gru", Units: 64, ReturnSequences: true},
		&layers.Bidirectional{Name: "bidi", Layer: &layers.GRU{Units: 128, ReturnSequences: true}},
	} {
		t.Run(fmt.Sprint(l.Kind()), func(t *testing.T) {
			const batch, steps, features = 2, 5, 3
			rng := rand.New(rand.NewSource(7))
			b := &layers.Builder{DType: tensor.Float64, RNG: rng, Name: l.LayerName()}
			out, err := l.Build(b, layers.Shape{steps, features})
			if err != nil {
				t.Fatal(err)
			}
			c := layers.NewCall(tensor.Float64, batch, false)
			c.InputGrads = true
			xv := make([]float64, batch*steps*features)
			for i := range xv {
				xv[i] = rng.NormFloat64()
			}
			x := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(batch, steps, features), gorgonia.WithName("x"),
				gorgonia.WithValue(tensor.New(tensor.WithShape(batch, steps, features), tensor.WithBacking(xv))))
			y, err := l.Forward(c, x)
			if err != nil {
				t.Fatal(err)
			}
			rv := make([]float64, batch*out.Size())
			for i := range rv {
				rv[i] = rng.NormFloat64()
			}
			r := gorgonia.NewTensor(c.Graph, tensor.Float64, y.Dims(), gorgonia.WithShape(y.Shape()...), gorgonia.WithName("r"),
				gorgonia.WithValue(tensor.New(tensor.WithShape(y.Shape()...), tensor.WithBacking(rv))))
			cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, r))))
			if err := gradcheck.Graph(cost, gorgonia.Nodes{x}, gradcheck.Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
