package datasets_test

import (
	"context"
	"fmt"
	"os"

	"github.com/profundo/profundo/datasets"
)

// FashionMNIST finds the files in the cache or Debian's package, or
// downloads them once, showing the progress on stderr.
func ExampleFashionMNIST() {
	train, test, err := datasets.FashionMNIST(context.Background(), datasets.LoadOptions{Progress: os.Stderr})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.X.Shape(), train.Y.Shape(), test.X.Shape(), train.ClassNames[9])
	// (60000, 28, 28, 1) (60000) (10000, 28, 28, 1) Ankle boot
}

// MNIST reads the files from a directory of one's own, here without ever
// downloading.
func ExampleMNIST() {
	train, test, err := datasets.MNIST(context.Background(), datasets.LoadOptions{Dir: "/data/mnist", NoDownload: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), test.Len())
}
