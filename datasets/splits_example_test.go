package datasets_test

import (
	"fmt"
	"math/rand"

	"github.com/profundo/profundo/datasets"
)

func ExampleSplit() {
	d, err := datasets.Iris()
	if err != nil {
		fmt.Println(err)
		return
	}
	f := datasets.SplitFractions{Train: 0.7, Validation: 0.15, Test: 0.15}
	train, val, test, err := datasets.Split(d, f, rand.New(rand.NewSource(1)), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), val.Len(), test.Len())
	_, _, _, err = datasets.Split(d, datasets.SplitFractions{Train: 0.8, Test: 0.3}, rand.New(rand.NewSource(1)), true)
	fmt.Println(err)
	// Output:
	// 105 24 21
	// dataset "iris": split: fractions train 0.8 + validation 0 + test 0.3 sum to 1.1, want 1
}
