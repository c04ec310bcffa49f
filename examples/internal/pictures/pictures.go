// Package pictures loads the 28x28 picture sets the generative examples
// train on, flattened to rows of 784 pixels in [0, 1].
package pictures

import (
	"context"
	"os"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
)

// Set is a picture set: Train and Test are float32 [n, 784], Labels the
// class ids of Train's rows.
type Set struct {
	Name        string
	Train, Test *tensor.Dense
	TrainLabels *tensor.Dense
	ClassNames  []string
}

// Load loads "fashion-mnist" or "mnist" (see datasets.FashionMNIST and
// datasets.MNIST; dir, when it exists, holds the IDX files), keeping the
// first trainN and testN pictures (0: all).
func Load(ctx context.Context, name, dir string, trainN, testN int) (*Set, error) {
	opt := datasets.LoadOptions{Progress: os.Stderr}
	if dir != "" {
		if _, err := os.Stat(dir); err == nil {
			opt.Dir = dir
		}
	}
	var train, test *datasets.Dataset
	var err error
	switch name {
	case "fashion-mnist":
		train, test, err = datasets.FashionMNIST(ctx, opt)
	case "mnist":
		train, test, err = datasets.MNIST(ctx, opt)
	default:
		return nil, errors.Errorf("data %q: want fashion-mnist or mnist", name)
	}
	if err != nil {
		return nil, err
	}
	if train, err = first(train, trainN); err != nil {
		return nil, err
	}
	if test, err = first(test, testN); err != nil {
		return nil, err
	}
	return &Set{Name: name, Train: flat(train.X), Test: flat(test.X), TrainLabels: train.Y, ClassNames: train.ClassNames}, nil
}

func first(d *datasets.Dataset, n int) (*datasets.Dataset, error) {
	if n <= 0 || n >= d.Len() {
		return d, nil
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return d.Subset(rows)
}

// flat views [n, 28, 28, 1] pictures as [n, 784].
func flat(x *tensor.Dense) *tensor.Dense {
	n := x.Shape()[0]
	return tensor.New(tensor.WithShape(n, x.Shape().TotalSize()/n), tensor.WithBacking(x.Data()))
}
