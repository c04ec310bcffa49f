package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// An LSTM reads sequences of 20 steps of 16 features and returns its last
// output; its weights are laid out as Keras's, gates i, f, c, o side by
// side.
func ExampleLSTM() {
	l := &layers.LSTM{Name: "encoder", Units: 64}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: l.Name}
	out, err := l.Build(b, layers.Shape{20, 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range l.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// output: (None, 64)
	// encoder/kernel (16, 256)
	// encoder/recurrent_kernel (64, 256)
	// encoder/bias (256)
}

// A GRU keeps Keras's two bias rows (reset_after=True): the input bias and
// the recurrent bias, gates z, r, h side by side.
func ExampleGRU() {
	l := &layers.GRU{Name: "gru", Units: 8, ReturnSequences: true}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: l.Name}
	out, err := l.Build(b, layers.Shape{10, 4})
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
	// gru/kernel (4, 24)
	// gru/recurrent_kernel (8, 24)
	// gru/bias (2, 24)
}

// A Bidirectional LSTM returns, for every step, the forward and the
// backward outputs side by side.
func ExampleBidirectional() {
	l := &layers.Bidirectional{Name: "bidi", Layer: &layers.LSTM{Units: 32, ReturnSequences: true}}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: l.Name}
	out, err := l.Build(b, layers.Shape{20, 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range l.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// output: (None, 20, 64)
	// bidi/forward_lstm/kernel (16, 128)
	// bidi/forward_lstm/recurrent_kernel (32, 128)
	// bidi/forward_lstm/bias (128)
	// bidi/backward_lstm/kernel (16, 128)
	// bidi/backward_lstm/recurrent_kernel (32, 128)
	// bidi/backward_lstm/bias (128)
}
