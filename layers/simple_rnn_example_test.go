package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// A SimpleRNN reads sequences of 10 steps of 3 features; with
// ReturnSequences it returns every step's output. Its weights are Keras's:
// kernel W, recurrent kernel U and bias b of h' = tanh(x·W + h·U + b).
func ExampleSimpleRNN() {
	l := &layers.SimpleRNN{Name: "rnn", Units: 8, ReturnSequences: true}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: l.Name}
	out, err := l.Build(b, layers.Shape{10, 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range l.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// output: (None, 10, 8)
	// rnn/kernel (3, 8)
	// rnn/recurrent_kernel (8, 8)
	// rnn/bias (8)
}
