package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// Conv2D reads images channels last, (height, width, channels). Its kernel
// is Keras's, [kh, kw, in channels, Filters]; "same" padding keeps the
// height and width, "valid" (the default) shrinks them.
func ExampleConv2D() {
	conv := &layers.Conv2D{Name: "conv", Filters: 16, KernelSize: []int{3}, Padding: layers.PaddingSame, Activation: layers.ReLU}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: conv.Name}
	out, err := conv.Build(b, layers.Shape{28, 28, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range conv.Weights() {
		fmt.Println(w.Name, w.Value.Shape(), w.Params())
	}

	// A 2x2 kernel of ones, no bias, valid padding, stride 1: each output
	// is the sum of a 2x2 window of the 3x3 image.
	sum := &layers.Conv2D{Name: "window_sum", Filters: 1, KernelSize: []int{2}, KernelInitializer: layers.Ones{}, NoBias: true}
	if _, err := sum.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: sum.Name}, layers.Shape{3, 3, 1}); err != nil {
		fmt.Println(err)
		return
	}
	shape, y, err := exampleForward(sum, tensor.Shape{1, 3, 3, 1}, []float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// output: (None, 28, 28, 16)
	// conv/kernel (3, 3, 1, 16) 144
	// conv/bias (16) 16
	// (1, 2, 2, 1) [12 16 24 28]
}

// Conv1D slides its kernel along the steps of a sequence, (steps,
// channels). "causal" padding lets each output see only its step and the
// steps before, as a forecast must.
func ExampleConv1D() {
	conv := &layers.Conv1D{Name: "causal", Filters: 1, KernelSize: 2, Padding: "causal", KernelInitializer: layers.Ones{}, NoBias: true}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: conv.Name}
	out, err := conv.Build(b, layers.Shape{5, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out, "kernel:", conv.Weights()[0].Value.Shape())
	// Each step plus the one before it.
	shape, y, err := exampleForward(conv, tensor.Shape{1, 5, 1}, []float32{1, 2, 3, 4, 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// output: (None, 5, 1) kernel: (2, 1, 1)
	// (1, 5, 1) [1 3 5 7 9]
}
