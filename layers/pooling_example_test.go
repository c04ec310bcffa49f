package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// examplePicture returns a 4x4 image of one channel, row by row.
func examplePicture() []float32 {
	return []float32{
		1, 2, 0, 1,
		3, 4, 1, 0,
		0, 0, 5, 6,
		1, 1, 7, 8,
	}
}

// MaxPooling2D keeps the largest value of each window: 2x2 windows (the
// default) halve the height and the width.
func ExampleMaxPooling2D() {
	pool := &layers.MaxPooling2D{}
	out, err := pool.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{4, 4, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	shape, y, err := exampleForward(pool, tensor.Shape{1, 4, 4, 1}, examplePicture())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// output: (None, 2, 2, 1)
	// (1, 2, 2, 1) [4 1 1 8]
}

// AveragePooling2D takes the mean of each window; with a stride of 1 the
// 2x2 windows overlap.
func ExampleAveragePooling2D() {
	pool := &layers.AveragePooling2D{PoolSize: []int{2}, Strides: []int{1}}
	out, err := pool.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{4, 4, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	shape, y, err := exampleForward(pool, tensor.Shape{1, 4, 4, 1}, examplePicture())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// output: (None, 3, 3, 1)
	// (1, 3, 3, 1) [2.5 1.75 0.5 1.75 2.5 3 0.5 3.25 6.5]
}

// GlobalAveragePooling2D averages each channel over the whole image, so a
// network ends in one value per channel whatever the image's size.
func ExampleGlobalAveragePooling2D() {
	pool := &layers.GlobalAveragePooling2D{}
	out, err := pool.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{2, 2, 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	// Channel 0 is 1, 2, 3, 4; channel 1 all 10; channel 2 0, 0, 0, 8.
	shape, y, err := exampleForward(pool, tensor.Shape{1, 2, 2, 3}, []float32{
		1, 10, 0, 2, 10, 0,
		3, 10, 0, 4, 10, 8,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// output: (None, 3)
	// (1, 3) [2.5 10 2]
}

// MaxPooling1D pools windows of steps of a sequence, each channel on its
// own; "same" padding keeps a last, partial window.
func ExampleMaxPooling1D() {
	pool := &layers.MaxPooling1D{PoolSize: 2, Padding: layers.PaddingSame}
	out, err := pool.Build(&layers.Builder{DType: tensor.Float32}, layers.Shape{5, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	shape, y, err := exampleForward(pool, tensor.Shape{1, 5, 1}, []float32{3, 1, 4, 1, 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// output: (None, 3, 1)
	// (1, 3, 1) [3 4 5]
}
