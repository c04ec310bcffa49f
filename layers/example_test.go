package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// A layer builds its weights for an input shape; its weights are named after
// it.
func ExampleDense() {
	d := &layers.Dense{Name: "hidden", Units: 32, Activation: layers.ReLU}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: d.Name}
	out, err := d.Build(b, layers.Shape{64})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range d.Weights() {
		fmt.Println(w.Name, w.Value.Shape(), w.Params())
	}
	// Output:
	// output: (None, 32)
	// hidden/kernel (64, 32) 2048
	// hidden/bias (32) 32
}

func ExampleReshape() {
	r := &layers.Reshape{Name: "to_image", Target: []int{8, 8, -1}}
	out, err := r.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{64})
	fmt.Println(out, err)
	// Output:
	// (None, 8, 8, 1) <nil>
}
