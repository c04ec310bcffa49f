package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// Conv2DTranspose upsamples: with stride 2 and "same" padding it doubles
// the height and width. Its kernel is Keras's, [kh, kw, Filters, in
// channels]. A 2x2 kernel of ones with stride 2 copies each pixel into a
// 2x2 block.
func ExampleConv2DTranspose() {
	up := &layers.Conv2DTranspose{Name: "up", Filters: 8, KernelSize: []int{3}, Strides: []int{2}, Padding: layers.PaddingSame}
	out, err := up.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: up.Name}, layers.Shape{7, 7, 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out, "kernel:", up.Weights()[0].Value.Shape())

	blocks := &layers.Conv2DTranspose{Name: "blocks", Filters: 1, KernelSize: []int{2}, Strides: []int{2}, KernelInitializer: layers.Ones{}, NoBias: true}
	if _, err := blocks.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: blocks.Name}, layers.Shape{2, 2, 1}); err != nil {
		fmt.Println(err)
		return
	}
	shape, y, err := exampleForward(blocks, tensor.Shape{1, 2, 2, 1}, []float32{1, 2, 3, 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, y)
	// Output:
	// output: (None, 14, 14, 8) kernel: (3, 3, 8, 16)
	// (1, 4, 4, 1) [1 1 2 2 1 1 2 2 3 3 4 4 3 3 4 4]
}

// DepthwiseConv2D gives each channel kernels of its own; SeparableConv2D
// follows them with a 1x1 convolution that mixes the channels, with far
// fewer weights than a Conv2D of the same output.
func ExampleSeparableConv2D() {
	for _, l := range []layers.Layer{
		&layers.Conv2D{Name: "conv", Filters: 64, KernelSize: []int{3}},
		&layers.Conv2D{Name: "grouped", Filters: 64, KernelSize: []int{3}, Groups: 4},
		&layers.DepthwiseConv2D{Name: "depthwise", KernelSize: []int{3}, DepthMultiplier: 2},
		&layers.SeparableConv2D{Name: "separable", Filters: 64, KernelSize: []int{3}},
	} {
		out, err := l.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: l.LayerName()}, layers.Shape{32, 32, 32})
		if err != nil {
			fmt.Println(err)
			return
		}
		params := 0
		for _, w := range l.Weights() {
			params += w.Params()
		}
		fmt.Println(l.LayerName(), out, params)
	}
	// Output:
	// conv (None, 30, 30, 64) 18496
	// grouped (None, 30, 30, 64) 4672
	// depthwise (None, 30, 30, 64) 640
	// separable (None, 30, 30, 64) 2400
}

// GroupNormalization normalizes each sample's groups of channels, with no
// running statistics: a group of one channel each is instance
// normalization. Here two groups of two channels at two positions.
func ExampleGroupNormalization() {
	gn := &layers.GroupNormalization{Name: "gn", Groups: 2, Epsilon: 1e-12}
	if _, err := gn.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: gn.Name}, layers.Shape{2, 4}); err != nil {
		fmt.Println(err)
		return
	}
	_, y, err := exampleForward(gn, tensor.Shape{1, 2, 4}, []float32{
		1, 1, 10, 30,
		3, 3, 20, 40,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3g\n", y)
	// Output:
	// [-1 -1 -1.34 0.447 1 1 -0.447 1.34]
}

// Conv3D and the 3-D poolings read volumes, or clips of frames: (depth,
// height, width, channels). Here 8 frames of 32x32 RGB through a 3x3x3
// convolution, a 2x2x2 max pooling and a global average.
func ExampleConv3D() {
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))}
	shape := layers.Shape{8, 32, 32, 3}
	fmt.Println("input:", shape)
	for _, l := range []layers.Layer{
		&layers.Conv3D{Name: "conv", Filters: 16, KernelSize: []int{3}, Padding: layers.PaddingSame, Activation: layers.ReLU},
		&layers.MaxPooling3D{Name: "pool"},
		&layers.GlobalAveragePooling3D{Name: "mean"},
	} {
		b.Name = l.LayerName()
		out, err := l.Build(b, shape)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(l.LayerName()+":", out)
		shape = out
	}
	// Output:
	// input: (None, 8, 32, 32, 3)
	// conv: (None, 8, 32, 32, 16)
	// pool: (None, 4, 16, 16, 16)
	// mean: (None, 16)
}

// LayerNormalization's Axis lists the axes to normalize over, counted as
// Keras counts them (the batch is axis 0): over the height, width and
// channels of an image, each sample is normalized as a whole, with gamma
// and beta of the image's shape.
func ExampleLayerNormalization_axis() {
	ln := &layers.LayerNormalization{Name: "ln", Axis: []int{1, 2, 3}, Epsilon: 1e-12}
	if _, err := ln.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: ln.Name}, layers.Shape{2, 2, 1}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("gamma:", ln.Weights()[0].Value.Shape())
	_, y, err := exampleForward(ln, tensor.Shape{1, 2, 2, 1}, []float32{1, 2, 3, 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", y)
	// Output:
	// gamma: (2, 2, 1)
	// [-1.3416 -0.4472 0.4472 1.3416]
}
