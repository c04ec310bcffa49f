package optimizers_test

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// weightGrad is a weight and its gradient, as a solver steps them.
type weightGrad struct{ w, g *tensor.Dense }

func (p weightGrad) Value() gorgonia.Value         { return p.w }
func (p weightGrad) Grad() (gorgonia.Value, error) { return p.g, nil }

// Gradients accumulated over two steps, and a moving average of the
// weights copied into them at the end, as Keras's
// gradient_accumulation_steps and use_ema.
func ExampleOptions() {
	s, err := optimizers.SGD{
		LearningRate: 0.5,
		Options:      optimizers.Options{GradientAccumulationSteps: 2, UseEMA: true, EMAMomentum: 0.5},
	}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	p := weightGrad{w: tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1})), g: tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0}))}
	for _, g := range []float64{1, 3, 2, 2} {
		p.g.Data().([]float64)[0] = g
		if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("w", p.w.Data())
	}
	if err := s.(optimizers.Finalizer).FinalizeWeights(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("final", p.w.Data())
	// Output:
	// w [1]
	// w [0]
	// w [0]
	// w [-1]
	// final [-0.375]
}
