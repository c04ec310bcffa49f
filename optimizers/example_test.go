package optimizers_test

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// Example minimizes mean((w - c)^2) through a Gorgonia graph with SGD, as
// the trainer does: run the machine, step the solver, reset the machine.
// The solver updates the tensor bound to w in place and zeroes its gradient.
func Example() {
	g := gorgonia.NewGraph()
	wt := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0}))
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithValue(wt), gorgonia.WithName("w"))
	c := gorgonia.NewConstant(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, -2})))
	d, _ := gorgonia.Sub(w, c)
	sq, _ := gorgonia.Square(d)
	cost, _ := gorgonia.Mean(sq)
	if _, err := gorgonia.Grad(cost, w); err != nil {
		fmt.Println(err)
		return
	}
	m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	defer m.Close()

	solver, err := optimizers.SGD{LearningRate: 0.5}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 50; i++ {
		if err := m.RunAll(); err != nil {
			fmt.Println(err)
			return
		}
		if err := solver.Step([]gorgonia.ValueGrad{w}); err != nil {
			fmt.Println(err)
			return
		}
		m.Reset()
	}
	fmt.Printf("w = %.4f\n", wt.Data())
	// Output:
	// w = [1.0000 -2.0000]
}

func ExampleSGD() {
	// Keras's docstring example: loss w^2/2, so the gradient is w.
	s, err := optimizers.SGD{LearningRate: 0.1, Momentum: 0.9}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	p := newParam("w", tensor.Float64, []int{1}, []float64{1})
	for i := 0; i < 2; i++ {
		p.setGrad(values(p.w))
		if err := s.Step(vgs(p)); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("w = %.2f\n", values(p.w)[0])
	}
	// Output:
	// w = 0.90
	// w = 0.72
}

func ExampleAdam() {
	s, err := optimizers.Adam{}.NewSolver() // Keras defaults
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("learning rate:", s.LearningRate())
	p := newParam("w", tensor.Float32, []int{2}, []float64{1, 1})
	p.setGrad([]float64{0.5, -2})
	if err := s.Step(vgs(p)); err != nil {
		fmt.Println(err)
		return
	}
	// Adam's first step moves each weight by about the learning rate,
	// against the sign of its gradient; the gradient is then zero.
	fmt.Printf("w = %.4f, grad = %v\n", p.w.Data(), p.g.Data())
	// Output:
	// learning rate: 0.001
	// w = [0.9990 1.0010], grad = [0 0]
}

func ExampleAdamW() {
	s, err := optimizers.AdamW{LearningRate: 0.1, WeightDecay: 0.5}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	// A zero gradient leaves only the decay: w -= lr * WeightDecay * w.
	p := newParam("w", tensor.Float64, []int{1}, []float64{2})
	if err := s.Step(vgs(p)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w = %.2f\n", values(p.w)[0])
	// Output:
	// w = 1.90
}

func ExampleRMSProp() {
	// Keras's docstring example: loss w^2/2 from w = 10.
	s, err := optimizers.RMSProp{LearningRate: 0.1}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	p := newParam("w", tensor.Float64, []int{1}, []float64{10})
	p.setGrad(values(p.w))
	if err := s.Step(vgs(p)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w = %.6f\n", values(p.w)[0])
	// Output:
	// w = 9.683772
}

func ExampleAdaGrad() {
	s, err := optimizers.AdaGrad{LearningRate: 0.1}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	// The accumulator starts at 0.1: 0.1 + 0.3^2 = 0.19.
	p := newParam("w", tensor.Float64, []int{1}, []float64{1})
	p.setGrad([]float64{0.3})
	if err := s.Step(vgs(p)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w = %.6f\n", values(p.w)[0]) // 1 - 0.1*0.3/sqrt(0.19)
	// Output:
	// w = 0.931175
}

func ExampleClip() {
	// Clip each gradient tensor to L2 norm 1, then take plain SGD steps.
	s, err := optimizers.SGD{LearningRate: 1, Clip: optimizers.Clip{Norm: 1}}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	p := newParam("w", tensor.Float64, []int{2}, []float64{0, 0})
	p.setGrad([]float64{3, 4}) // norm 5
	if err := s.Step(vgs(p)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w = %.1f\n", p.w.Data())

	_, err = optimizers.Adam{Clip: optimizers.Clip{Norm: 1, Value: 0.5}}.NewSolver()
	fmt.Println(err)
	// Output:
	// w = [-0.6 -0.8]
	// adam: only one of Clip.Norm, Clip.GlobalNorm and Clip.Value can be set, got {Norm:1 GlobalNorm:0 Value:0.5}
}

func ExampleSolver_SetLearningRate() {
	// A schedule lowers the rate between steps; the momentum carries on.
	s, err := optimizers.SGD{LearningRate: 0.1, Momentum: 0.5}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	p := newParam("w", tensor.Float64, []int{1}, []float64{0})
	for _, lr := range []float64{0.1, 0.01} {
		s.SetLearningRate(lr)
		p.setGrad([]float64{1})
		if err := s.Step(vgs(p)); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("lr %v: w = %.3f\n", s.LearningRate(), values(p.w)[0])
	}
	// Output:
	// lr 0.1: w = -0.100
	// lr 0.01: w = -0.160
}

func ExampleByName() {
	o, err := optimizers.ByName("adam", 0.01)
	fmt.Printf("%#v %v\n", o, err)
	_, err = optimizers.ByName("nadam", 0)
	fmt.Println(err)
	// Output:
	// optimizers.Adam{LearningRate:0.01, Schedule:optimizers.Schedule(nil), Beta1:0, Beta2:0, Epsilon:0, AMSGrad:false, Clip:optimizers.Clip{Norm:0, GlobalNorm:0, Value:0}, Options:optimizers.Options{UseEMA:false, EMAMomentum:0, EMAOverwriteFrequency:0, GradientAccumulationSteps:0}} <nil>
	// unknown optimizer "nadam"; known: sgd, adam, adamw, rmsprop, adagrad
}
