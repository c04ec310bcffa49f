package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/gorgonia"
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

// With NoResetAfter a GRU is Keras's reset_after=False: the reset gate
// multiplies h before the recurrent kernel, and there is one bias row.
func ExampleGRU_noResetAfter() {
	l := &layers.GRU{Name: "gru", Units: 8, NoResetAfter: true}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: l.Name}
	if _, err := l.Build(b, layers.Shape{10, 4}); err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range l.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// gru/kernel (4, 24)
	// gru/recurrent_kernel (8, 24)
	// gru/bias (24)
}

// A Stateful LSTM fed a series in chunks continues from where the last
// chunk ended: its second chunk's output differs from what a fresh start
// gives, until ResetStates.
func ExampleLSTM_stateful() {
	l := &layers.LSTM{Name: "lstm", Units: 2, Stateful: true}
	if _, err := l.Build(&layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: l.Name}, layers.Shape{3, 1}); err != nil {
		fmt.Println(err)
		return
	}
	chunk := []float64{1, 1, 1}
	first, err := runOnce(l, chunk)
	if err != nil {
		fmt.Println(err)
		return
	}
	second, _ := runOnce(l, chunk)
	l.ResetStates()
	fresh, _ := runOnce(l, chunk)
	fmt.Println("second chunk continues:", second[0] != first[0])
	fmt.Println("after ResetStates:", fresh[0] == first[0])
	// Output:
	// second chunk continues: true
	// after ResetStates: true
}

// runOnce runs l's inference graph once on one sample x, [steps, 1].
func runOnce(l layers.Layer, x []float64) ([]float64, error) {
	c := layers.NewCall(tensor.Float64, 1, false)
	xn := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(1, len(x), 1), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, len(x), 1), tensor.WithBacking(append([]float64(nil), x...)))))
	out, err := l.Forward(c, xn)
	if err != nil {
		return nil, err
	}
	m := gorgonia.NewTapeMachine(c.Graph)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		return nil, err
	}
	return append([]float64(nil), out.Value().Data().([]float64)...), nil
}
