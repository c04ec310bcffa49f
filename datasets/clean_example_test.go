package datasets_test

import (
	"fmt"
	"math"
	"strings"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

func ExampleTable_DropMissing() {
	tab, err := datasets.ReadCSV(strings.NewReader("a,b\n1,x\nNA,y\n3,?\n4,z\n"), datasets.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tab.DropMissing(), tab.Rows(), tab.Lines)
	// Output: 2 2 [2 5]
}

func ExampleSimpleImputer() {
	nan := math.NaN()
	train := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 10, nan, 20, 3, nan, 5, 20}))
	test := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{nan, nan}))
	for _, s := range []datasets.ImputeStrategy{datasets.ImputeMean, datasets.ImputeMedian, datasets.ImputeMostFrequent} {
		imp := datasets.SimpleImputer{Strategy: s}
		if err := imp.Fit(train); err != nil { // training rows only
			fmt.Println(err)
			return
		}
		filled, err := imp.Transform(test)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(s, filled.Data())
	}
	// Output:
	// mean [3 16.666666666666668]
	// median [3 20]
	// most_frequent [1 20]
}
