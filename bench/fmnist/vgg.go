package main

import (
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

// newVGG is a VGG-like CNN with batch normalization on 32x32x3 images: three
// blocks of two (conv 3x3 "same" without bias, BatchNormalization, ReLU) and
// a 2x2 max-pool, with 32, 64 and 128 filters, then dense 256 ReLU and dense
// 10. bench/torch_fmnist.py --model vgg builds the same network.
func newVGG() (*models.Sequential, error) {
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{32, 32, 3}})
	for _, filters := range []int{32, 64, 128} {
		for range 2 {
			if err := m.Add(&layers.Conv2D{Filters: filters, KernelSize: []int{3}, Padding: layers.PaddingSame, NoBias: true}); err != nil {
				return nil, err
			}
			if err := m.Add(&layers.BatchNormalization{}); err != nil {
				return nil, err
			}
			if err := m.Add(&layers.Activation{Func: layers.ReLU}); err != nil {
				return nil, err
			}
		}
		if err := m.Add(&layers.MaxPooling2D{}); err != nil {
			return nil, err
		}
	}
	for _, l := range []layers.Layer{
		&layers.Flatten{},
		&layers.Dense{Units: 256, Activation: layers.ReLU},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	} {
		if err := m.Add(l); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// rgb32 turns [n, 28, 28] (or [n, 784]) gray images into [n, 32, 32, 3]: two
// zero pixels of padding on every side, the gray value in all three
// channels. Real pictures at the shape of CIFAR-10, so that both sides train
// on the same data and their accuracies can be compared.
func rgb32(x *tensor.Dense) *tensor.Dense {
	n := x.Shape()[0]
	src := x.Data().([]float32)
	dst := make([]float32, n*32*32*3)
	for i := range n {
		for r := range 28 {
			for c := range 28 {
				v := src[i*784+r*28+c]
				o := ((i*32+r+2)*32 + c + 2) * 3
				dst[o], dst[o+1], dst[o+2] = v, v, v
			}
		}
	}
	return tensor.New(tensor.WithShape(n, 32, 32, 3), tensor.WithBacking(dst))
}
