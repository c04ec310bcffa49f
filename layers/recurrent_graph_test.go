package layers_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// TestRecurrentGraphSizeIndependentOfSteps checks that a training graph of
// a recurrent layer (forward and gradients) has as many nodes for 300
// steps as for 3: the recurrence is one op each way.
func TestRecurrentGraphSizeIndependentOfSteps(t *testing.T) {
	makers := map[string]func() layers.Layer{
		"simple_rnn": func() layers.Layer {
			return &layers.SimpleRNN{Units: 8, ReturnSequences: true, Dropout: 0.1, RecurrentDropout: 0.1}
		},
		"lstm": func() layers.Layer { return &layers.LSTM{Units: 8} },
		"gru":  func() layers.Layer { return &layers.GRU{Units: 8, ReturnSequences: true} },
		"bidirectional": func() layers.Layer {
			return &layers.Bidirectional{Layer: &layers.LSTM{Units: 8, ReturnSequences: true}}
		},
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			var sizes []int
			for _, steps := range []int{3, 300} {
				l := mk()
				in := layers.Shape{steps, 4}
				rnnBuild(t, l, in, tensor.Float32, 1)
				c := layers.NewCall(tensor.Float32, 2, true)
				x := rnnNode(c, "x", in.WithBatch(2), rnnRandom(1, 2*steps*4))
				out, err := l.Forward(c, x)
				if err != nil {
					t.Fatal(err)
				}
				cost, err := gorgonia.Sum(out)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := gorgonia.Grad(cost, c.Learnables()...); err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(c.Graph.AllNodes()))
			}
			if sizes[0] != sizes[1] {
				t.Errorf("graph of %d nodes for 3 steps, %d for 300", sizes[0], sizes[1])
			}
		})
	}
}
