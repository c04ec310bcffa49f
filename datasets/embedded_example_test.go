package datasets_test

import (
	"fmt"

	"github.com/profundo/profundo/datasets"
)

func ExampleIris() {
	d, err := datasets.Iris()
	if err != nil {
		fmt.Println(err)
		return
	}
	names, _ := datasets.FeatureNames("iris")
	fmt.Println(d.Name, d.X.Shape(), d.Y.Shape(), d.ClassNames)
	fmt.Printf("%q\n", names)
	// Output:
	// iris (150, 4) (150) [setosa versicolor virginica]
	// ["sepal length (cm)" "sepal width (cm)" "petal length (cm)" "petal width (cm)"]
}

func ExampleByName() {
	for _, name := range datasets.EmbeddedNames() {
		d, err := datasets.ByName(name)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(name, d.X.Shape(), d.Y.Shape(), len(d.ClassNames))
	}
	_, err := datasets.ByName("imagenet")
	fmt.Println(err)
	// Output:
	// digits (1797, 64) (1797) 10
	// iris (150, 4) (150) 3
	// wine (178, 13) (178) 3
	// breast-cancer (569, 30) (569) 2
	// diabetes (442, 10) (442, 1) 0
	// unknown data set "imagenet"; the embedded sets are "digits", "iris", "wine", "breast-cancer", "diabetes"
}
