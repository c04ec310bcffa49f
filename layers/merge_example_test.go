package layers_test

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// Concatenate joins the features of two branches of a functional model
// along the last axis: (None, 2) and (None, 3) give (None, 5).
func ExampleConcatenate() {
	cat := &layers.Concatenate{Name: "joined"} // Axis 0 means the last axis
	out, err := cat.BuildMerge(&layers.Builder{DType: tensor.Float32, Name: cat.Name}, []layers.Shape{{2}, {3}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)

	// A graph of one sample; the trainer runs such graphs in a model.
	c := layers.NewCall(tensor.Float32, 1, false)
	a := gorgonia.NewMatrix(c.Graph, tensor.Float32, gorgonia.WithName("a"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 2}))))
	b := gorgonia.NewMatrix(c.Graph, tensor.Float32, gorgonia.WithName("b"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{3, 4, 5}))))
	y, err := cat.ForwardMerge(c, []*gorgonia.Node{a, b})
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Shape(), y.Value().Data())
	// Output:
	// output: (None, 5)
	// (1, 5) [1 2 3 4 5]
}

// Add sums inputs of one shape; inputs of different shapes are an error
// that names the layer and the shapes.
func ExampleAdd() {
	add := &layers.Add{Name: "residual"}
	out, err := add.BuildMerge(&layers.Builder{DType: tensor.Float32, Name: add.Name}, []layers.Shape{{8, 16}, {8, 16}})
	fmt.Println(out, err)

	_, err = (&layers.Add{Name: "add_1"}).BuildMerge(&layers.Builder{DType: tensor.Float32}, []layers.Shape{{4}, {3}})
	fmt.Println(err)
	// Output:
	// (None, 8, 16) <nil>
	// add "add_1": input 1 has shape (None, 3), input 0 has (None, 4)
}

// A variational autoencoder's encoder ends in a Sampling layer, which
// draws z from (mean, log_var) and adds the KL divergence to the loss.
func ExampleSampling() {
	z := &layers.Sampling{Name: "z", KLWeight: 1}
	out, err := z.BuildMerge(&layers.Builder{DType: tensor.Float32, Name: z.Name}, []layers.Shape{{2}, {2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := layers.NewCall(tensor.Float32, 32, true)
	mean := gorgonia.NewMatrix(c.Graph, tensor.Float32, gorgonia.WithShape(32, 2), gorgonia.WithName("mean"))
	logVar := gorgonia.NewMatrix(c.Graph, tensor.Float32, gorgonia.WithShape(32, 2), gorgonia.WithName("log_var"))
	if _, err := z.ForwardMerge(c, []*gorgonia.Node{mean, logVar}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out)
	fmt.Println("feeds:", c.Feeds()[0].Node.Name(), c.Feeds()[0].Value.Shape())
	fmt.Println("losses:", len(c.Losses()))
	// Output:
	// output: (None, 2)
	// feeds: z/epsilon (32, 2)
	// losses: 1
}
