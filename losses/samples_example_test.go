package losses_test

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/losses"
)

// exampleGraph runs build on constant pred and target tensors, rows x
// cols of float64, and returns the resulting node's values.
func exampleGraph(build func(pred, target *gorgonia.Node) (*gorgonia.Node, error), rows, cols int, pred, target []float64) ([]float64, error) {
	g := gorgonia.NewGraph()
	p := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(pred)), gorgonia.WithName("pred"))
	y := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(target)), gorgonia.WithName("target"))
	out, err := build(p, y)
	if err != nil {
		return nil, err
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		return nil, err
	}
	switch v := out.Value().Data().(type) {
	case float64:
		return []float64{v}, nil
	case []float64:
		return v, nil
	}
	return nil, fmt.Errorf("got %T", out.Value().Data())
}

// Samples gives each sample's loss, [batch], which the trainer weights
// (FitConfig's SampleWeight and ClassWeight); Build gives their mean.
func ExampleSampleLoss() {
	pred, target := []float64{1, 2, 3, 4, 0, 0}, []float64{1, 2, 3, 2, 1, 1}
	var l losses.SampleLoss = losses.MeanSquaredError{}
	each, err := exampleGraph(l.Samples, 3, 2, pred, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	mean, err := exampleGraph(losses.MeanSquaredError{}.Build, 3, 2, pred, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("per sample:", each, "mean:", mean[0])
	// Output:
	// per sample: [0 2 1] mean: 1
}

// logCosh is a loss of one's own: the mean over a batch of the mean of
// log(cosh(pred - target)) over a sample's outputs, as Keras's LogCosh.
type logCosh struct{}

func (logCosh) Name() string { return "log_cosh" }

func (logCosh) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	d, err := gorgonia.Sub(pred, target)
	if err != nil {
		return nil, err
	}
	// log(cosh(d)) = |d| + log(1 + exp(-2|d|)) - log 2, stable for large d.
	abs, err := gorgonia.Abs(d)
	if err != nil {
		return nil, err
	}
	m2, err := gorgonia.Mul(abs, gorgonia.NewConstant(-2.0))
	if err != nil {
		return nil, err
	}
	e, err := gorgonia.Exp(m2)
	if err != nil {
		return nil, err
	}
	sp, err := gorgonia.Log1p(e)
	if err != nil {
		return nil, err
	}
	s, err := gorgonia.Add(abs, sp)
	if err != nil {
		return nil, err
	}
	mean, err := gorgonia.Mean(s)
	if err != nil {
		return nil, err
	}
	return gorgonia.Sub(mean, gorgonia.NewConstant(math.Ln2))
}

// A Loss is a name and a graph: any type with these two methods can be
// a model's loss (models.Config's Loss).
func ExampleLoss() {
	var l losses.Loss = logCosh{}
	v, err := exampleGraph(l.Build, 1, 2, []float64{0, 10}, []float64{1, 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	// (log cosh 1 + log cosh 10) / 2
	fmt.Printf("%s: %.4f (want %.4f)\n", l.Name(), v[0], (math.Log(math.Cosh(1))+math.Log(math.Cosh(10)))/2)
	// Output:
	// log_cosh: 4.8703 (want 4.8703)
}
