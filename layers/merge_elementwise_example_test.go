package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// The two inputs of the elementwise merge examples, one sample of four
// values each.
func exampleMergeInputs() (a, b []float32) {
	return []float32{1, 5, -2, 4}, []float32{3, 5, 2, -4}
}

// Subtract computes the first input minus the second: two inputs of one
// shape.
func ExampleSubtract() {
	a, b := exampleMergeInputs()
	shape, y, err := exampleMerge(&layers.Subtract{}, tensor.Shape{1, 4}, a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// (1, 4) [-2 0 -4 8]
}

// Multiply multiplies its inputs elementwise, as a gate does.
func ExampleMultiply() {
	a, b := exampleMergeInputs()
	shape, y, err := exampleMerge(&layers.Multiply{}, tensor.Shape{1, 4}, a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// (1, 4) [3 25 -4 -16]
}

// Average is the elementwise mean of its inputs, as an ensemble of
// branches takes.
func ExampleAverage() {
	a, b := exampleMergeInputs()
	shape, y, err := exampleMerge(&layers.Average{}, tensor.Shape{1, 4}, a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// (1, 4) [2 5 0 0]
}

// Maximum keeps the larger value at each position.
func ExampleMaximum() {
	a, b := exampleMergeInputs()
	shape, y, err := exampleMerge(&layers.Maximum{}, tensor.Shape{1, 4}, a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// (1, 4) [3 5 2 4]
}

// Minimum keeps the smaller value at each position.
func ExampleMinimum() {
	a, b := exampleMergeInputs()
	shape, y, err := exampleMerge(&layers.Minimum{}, tensor.Shape{1, 4}, a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// (1, 4) [1 5 -2 -4]
}
