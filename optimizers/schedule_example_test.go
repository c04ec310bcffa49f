package optimizers_test

import (
	"encoding/json"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// A schedule replaces the optimizer's learning rate: the solver asks it for
// the rate at the start of every step, and keeps its moments.
func ExampleSchedule() {
	opt := optimizers.Adam{Schedule: optimizers.ExponentialDecay{
		InitialLearningRate: 0.01, DecaySteps: 2, DecayRate: 0.5, Staircase: true,
	}}
	s, err := opt.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	p := newParam("w", tensor.Float64, []int{1}, []float64{1})
	for step := 0; step < 5; step++ {
		fmt.Printf("step %d: rate %v\n", step, s.LearningRate())
		p.setGrad([]float64{1})
		if err := s.Step(vgs(p)); err != nil {
			fmt.Println(err)
			return
		}
	}
	// Output:
	// step 0: rate 0.01
	// step 1: rate 0.01
	// step 2: rate 0.005
	// step 3: rate 0.005
	// step 4: rate 0.0025
}

// Linear warm-up to 0.1 over 2 steps, then a half cosine down to 0 over 4.
func ExampleCosineDecay() {
	s := optimizers.CosineDecay{DecaySteps: 4, WarmupTarget: 0.1, WarmupSteps: 2}
	if err := s.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for step := 0; step <= 7; step++ {
		fmt.Printf("%.4f ", s.Rate(step))
	}
	fmt.Println()
	// Output:
	// 0.0000 0.0500 0.1000 0.0854 0.0500 0.0146 0.0000 0.0000
}

// Each period is twice as long as the one before (TMul's default), and each
// restart begins at 0.5 times the previous start.
func ExampleCosineDecayRestarts() {
	s := optimizers.CosineDecayRestarts{InitialLearningRate: 1, FirstDecaySteps: 2, MMul: 0.5}
	for step := 0; step < 14; step++ {
		fmt.Printf("%.3g ", s.Rate(step))
	}
	fmt.Println()
	// Output:
	// 1 0.5 0.5 0.427 0.25 0.0732 0.25 0.24 0.213 0.173 0.125 0.0772 0.0366 0.00952
}

func ExamplePiecewiseConstantDecay() {
	s := optimizers.PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}}
	fmt.Println(s.Rate(0), s.Rate(100), s.Rate(101), s.Rate(110), s.Rate(111))
	// Output:
	// 1 1 0.5 0.5 0.1
}

// An optimizer's schedule is saved with it, under its Keras name.
func ExampleMarshalSchedule() {
	data, err := json.Marshal(optimizers.SGD{Schedule: optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 1000}})
	fmt.Println(string(data), err)
	var back optimizers.SGD
	err = json.Unmarshal(data, &back)
	fmt.Printf("%#v %v\n", back.Schedule, err)
	// Output:
	// {"LearningRate":0,"Momentum":0,"Nesterov":false,"Clip":{"Norm":0,"GlobalNorm":0,"Value":0},"Schedule":{"kind":"polynomial_decay","config":{"InitialLearningRate":0.1,"DecaySteps":1000,"EndLearningRate":0,"Power":0,"Cycle":false}}} <nil>
	// optimizers.PolynomialDecay{InitialLearningRate:0.1, DecaySteps:1000, EndLearningRate:0, Power:0, Cycle:false} <nil>
}
