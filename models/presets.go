package models

import (
	"math"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/layers"
)

// NewMLP returns a multi-layer perceptron classifier: the input flattened,
// a dense ReLU layer per entry of hidden (each followed by dropout when
// dropout > 0), then a softmax over classes.
func NewMLP(in layers.Shape, hidden []int, dropout float64, classes int) (*Sequential, error) {
	if classes < 2 {
		return nil, errors.Errorf("mlp: classification needs at least 2 classes, got %d", classes)
	}
	m := NewSequential(&layers.Input{Shape: in.Clone()})
	if len(in) > 1 {
		_ = m.Add(&layers.Flatten{})
	}
	for _, u := range hidden {
		_ = m.Add(&layers.Dense{Units: u, Activation: layers.ReLU})
		if dropout > 0 {
			_ = m.Add(&layers.Dropout{Rate: dropout})
		}
	}
	_ = m.Add(&layers.Dense{Units: classes, Activation: layers.Softmax})
	return m, nil
}

// ImageShape returns the (height, width, channels) a convolutional network
// reads samples of shape in as: (h, w, c) as it is, (h, w) as one channel,
// and n values, n a perfect square of at least 16, as a square of one
// channel (the 8x8 digits). Other shapes are an error.
func ImageShape(in layers.Shape) (layers.Shape, error) {
	switch len(in) {
	case 3:
		return in.Clone(), nil
	case 2:
		return layers.Shape{in[0], in[1], 1}, nil
	case 1:
		side := int(math.Round(math.Sqrt(float64(in[0]))))
		if side*side == in[0] && side >= 4 {
			return layers.Shape{side, side, 1}, nil
		}
	}
	return nil, errors.Errorf("samples of shape %v are not images: want (height, width[, channels]) or a square number (>= 16) of values", in)
}

// NewSmallCNN returns the small convolutional classifier of the Keras
// examples and of Profundo's benchmarks: conv 32 3x3 ReLU, max-pool 2, conv
// 64 3x3 ReLU, max-pool 2, flatten, dense 128 ReLU, then a softmax over
// classes; dropout > 0 adds dropout before each dense layer. Samples of
// shape in are reshaped to an image of one channel when they have none
// (see ImageShape). Images smaller than 10x10 (the 8x8 digits) get "same"
// padding so that both poolings have something to pool.
func NewSmallCNN(in layers.Shape, classes int, dropout float64) (*Sequential, error) {
	if classes < 2 {
		return nil, errors.Errorf("cnn: classification needs at least 2 classes, got %d", classes)
	}
	img, err := ImageShape(in)
	if err != nil {
		return nil, errors.Wrap(err, "cnn")
	}
	if img[0] < 4 || img[1] < 4 {
		return nil, errors.Errorf("cnn: images of %dx%d are too small to pool twice; want at least 4x4", img[0], img[1])
	}
	padding := layers.PaddingValid
	if img[0] < 10 || img[1] < 10 {
		padding = layers.PaddingSame
	}
	m := NewSequential(&layers.Input{Shape: in.Clone()})
	if !img.Equal(in) {
		_ = m.Add(&layers.Reshape{Target: img})
	}
	_ = m.Add(&layers.Conv2D{Filters: 32, KernelSize: []int{3}, Padding: padding, Activation: layers.ReLU})
	_ = m.Add(&layers.MaxPooling2D{PoolSize: []int{2}})
	_ = m.Add(&layers.Conv2D{Filters: 64, KernelSize: []int{3}, Padding: padding, Activation: layers.ReLU})
	_ = m.Add(&layers.MaxPooling2D{PoolSize: []int{2}})
	_ = m.Add(&layers.Flatten{})
	if dropout > 0 {
		_ = m.Add(&layers.Dropout{Rate: dropout})
	}
	_ = m.Add(&layers.Dense{Units: 128, Activation: layers.ReLU})
	if dropout > 0 {
		_ = m.Add(&layers.Dropout{Rate: dropout})
	}
	_ = m.Add(&layers.Dense{Units: classes, Activation: layers.Softmax})
	return m, nil
}
