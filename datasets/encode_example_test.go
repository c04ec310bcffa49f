package datasets_test

import (
	"fmt"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

func ExampleOneHotEncoder() {
	train := &datasets.Column{Name: "color", Kind: datasets.Categorical, Cells: []string{"red", "green", "red"}}
	e := datasets.OneHotEncoder{}
	if err := e.Fit(train); err != nil {
		fmt.Println(err)
		return
	}
	out, err := e.Transform(&datasets.Column{Name: "color", Cells: []string{"green", "blue"}})
	fmt.Println(e.Categories, out, err)
	e.IgnoreUnknown = true
	out, err = e.Transform(&datasets.Column{Name: "color", Cells: []string{"green", "blue"}})
	fmt.Println(out.Data(), err)
	// Output:
	// [green red] <nil> one-hot encoder: column "color", row 1: unknown category "blue"; the categories are "green", "red" (set IgnoreUnknown to encode it as all zeros)
	// [1 0 0 0] <nil>
}

func ExampleOrdinalEncoder() {
	e := datasets.OrdinalEncoder{Categories: []string{"low", "medium", "high"}}
	out, err := e.Transform(&datasets.Column{Name: "grade", Cells: []string{"high", "low", "medium"}})
	fmt.Println(out.Data(), err)
	// Output: [2 0 1] <nil>
}

func ExampleLabelEncoder() {
	var e datasets.LabelEncoder
	labels := []string{"virginica", "setosa", "versicolor", "setosa"}
	if err := e.Fit(labels); err != nil {
		fmt.Println(err)
		return
	}
	ids, err := e.Encode(labels)
	fmt.Println(e.Classes, ids, err)
	names, err := e.Decode([]int{1, 2})
	fmt.Println(names, err)
	// Output:
	// [setosa versicolor virginica] [2 0 1 0] <nil>
	// [versicolor virginica] <nil>
}

func ExampleToCategorical() {
	y := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{2, 0, 1}))
	out, err := datasets.ToCategorical(y, 3)
	fmt.Println(out.Shape(), out.Data(), err)
	_, err = datasets.ToCategorical(y, 2)
	fmt.Println(err)
	// Output:
	// (3, 3) [0 0 1 1 0 0 0 1 0] <nil>
	// to categorical: row 0: label 2 is not an integer in [0, 2)
}
