package layers_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// An Embedding turns each of 20 word ids from a vocabulary of 1000 into a
// vector of 16 values.
func ExampleEmbedding() {
	e := &layers.Embedding{Name: "words", InputDim: 1000, OutputDim: 16, MaskZero: true}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: e.Name}
	out, err := e.Build(b, layers.Shape{20})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range e.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// output: (None, 20, 16)
	// words/embeddings (1000, 16)
}

// LayerNormalization keeps the shape and has a gamma and a beta per feature.
func ExampleLayerNormalization() {
	l := &layers.LayerNormalization{Name: "norm"}
	out, err := l.Build(&layers.Builder{DType: tensor.Float32, Name: l.Name}, layers.Shape{10, 32})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range l.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// output: (None, 10, 32)
	// norm/gamma (32)
	// norm/beta (32)
}

// TimeDistributed applies one Dense layer to each of 10 steps; the Dense
// layer's weights are named under the TimeDistributed's name.
func ExampleTimeDistributed() {
	td := &layers.TimeDistributed{Name: "per_step", Layer: &layers.Dense{Name: "proj", Units: 4}}
	b := &layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: td.Name}
	out, err := td.Build(b, layers.Shape{10, 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	for _, w := range td.Weights() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// output: (None, 10, 4)
	// per_step/proj/kernel (8, 4)
	// per_step/proj/bias (4)
}
