package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// Dropout is only at work in training graphs: there it multiplies its
// input by a mask the trainer draws before every batch (zeros, and
// 1/(1-Rate) elsewhere); inference graphs pass the input through.
func ExampleDropout() {
	d := &layers.Dropout{Name: "drop", Rate: 0.5}
	if _, err := d.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{6}); err != nil {
		fmt.Println(err)
		return
	}
	x := []float32{1, 2, 3, 4, 5, 6}

	train := layers.NewCall(tensor.Float32, 1, true)
	out, err := d.Forward(train, exampleValue(train, "x", tensor.Shape{1, 6}, x))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range train.Feeds() { // what the trainer does before each batch
		fmt.Println("feed:", f.Node.Name(), f.Value.Shape())
		f.Fill(rand.New(rand.NewSource(1)), f.Value)
	}
	_, y, err := exampleRun(train, out)
	if err != nil {
		fmt.Println(err)
		return
	}
	kept := 0
	for i, v := range y {
		if v != 0 {
			kept++
			if v != 2*x[i] {
				fmt.Println("not scaled by 2:", v)
			}
		}
	}
	fmt.Println("training: some dropped, the rest doubled:", kept > 0 && kept < len(x))

	_, y, err = exampleForward(d, tensor.Shape{1, 6}, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("inference:", y)
	// Output:
	// feed: drop/mask (1, 6)
	// training: some dropped, the rest doubled: true
	// inference: [1 2 3 4 5 6]
}

// Flatten turns each sample into a vector, as the last convolution's
// output must be before a Dense layer.
func ExampleFlatten() {
	out, err := (&layers.Flatten{}).Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{7, 7, 64})
	fmt.Println(out, err)
	// Output:
	// (None, 3136) <nil>
}

// Input declares the shape of a sample, so a model whose first layer it is
// builds, and checks every shape, at Compile. Data of another shape is an
// error that says both.
func ExampleInput() {
	in := &layers.Input{Name: "image", Shape: layers.Shape{28, 28, 1}}
	out, err := in.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{28, 28, 1})
	fmt.Println(out, err)
	_, err = in.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{784})
	fmt.Println(err)
	// Output:
	// (None, 28, 28, 1) <nil>
	// input "image": expected shape (None, 28, 28, 1), got (None, 784)
}

// Activation applies a function on its own, here softmax over the last
// axis: each row of the output sums to 1.
func ExampleActivation() {
	a := &layers.Activation{Func: layers.Softmax}
	if _, err := a.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{3}); err != nil {
		fmt.Println(err)
		return
	}
	shape, y, err := exampleForward(a, tensor.Shape{2, 3}, []float32{0, 0, 0, 1, 2, 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v %.4f\n", shape, y)
	// Output:
	// (2, 3) [0.3333 0.3333 0.3333 0.0900 0.2447 0.6652]
}

// Rescaling computes x*Scale + Offset: pixels of 0..255 to [-1, 1].
func ExampleRescaling() {
	r := &layers.Rescaling{Scale: 1.0 / 127.5, Offset: -1}
	if _, err := r.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{3}); err != nil {
		fmt.Println(err)
		return
	}
	shape, y, err := exampleForward(r, tensor.Shape{1, 3}, []float32{0, 127.5, 255})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// (1, 3) [-1 0 1]
}

// A Shape is one sample's shape, without the batch; it prints the batch as
// None, as Keras does.
func ExampleShape() {
	s := layers.Shape{28, 28, 1}
	fmt.Println(s, s.Size(), s.WithBatch(32))
	// Output:
	// (None, 28, 28, 1) 784 (32, 28, 28, 1)
}
