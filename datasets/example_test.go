package datasets_test

import (
	"fmt"
	"math/rand"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

func ExampleDigits() {
	d, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Name, d.X.Shape(), d.Y.Shape(), d.ClassNames)
	// Hold out a fifth for testing, keeping each digit's share.
	train, test, err := datasets.TrainTestSplit(d, 0.2, rand.New(rand.NewSource(1)), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("train", train.X.Shape(), "test", test.X.Shape())
	// Output:
	// digits (1797, 64) (1797) [0 1 2 3 4 5 6 7 8 9]
	// train (1438, 64) test (359, 64)
}

func ExampleTrainTestSplit() {
	d := &datasets.Dataset{
		X: tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]float32{10, 11, 12, 13, 14, 15})),
		Y: tensor.New(tensor.WithShape(6), tensor.WithBacking([]float32{0, 0, 0, 0, 1, 1})),
	}
	train, test, err := datasets.TrainTestSplit(d, 0.5, rand.New(rand.NewSource(7)), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Class 0 gives two of its four rows to test, class 1 one of its two.
	fmt.Println(train.Len(), test.Len())
	_, _, err = datasets.TrainTestSplit(d, 1.5, rand.New(rand.NewSource(7)), true)
	fmt.Println(err)
	// Output:
	// 3 3
	// dataset "": split: test fraction must be in (0, 1), got 1.5
}

func ExampleDataset_Validate() {
	d := &datasets.Dataset{
		Name: "sensors",
		X:    tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.5, 1.5, -1, 0})),
		Y:    tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 1, 1})),
	}
	fmt.Println(d.Validate())
	// Output: dataset "sensors": X shape (2, 2) and Y shape (3) have different numbers of rows
}

func ExampleDataset_Subset() {
	d := &datasets.Dataset{
		X: tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 5})),
		Y: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 1, 2})),
	}
	s, err := d.Subset([]int{2, 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.X.Data(), s.Y.Data())
	// Output: [4 5 0 1] [2 0]
}
