package optimizers_test

import (
	"encoding/json"
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// The rate halves every 10 steps: continuously, or in jumps with
// Staircase.
func ExampleExponentialDecay() {
	smooth := optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: 10, DecayRate: 0.5}
	stairs := smooth
	stairs.Staircase = true
	for _, step := range []int{0, 5, 10, 15, 20} {
		fmt.Printf("step %2d: %.4f %.4f\n", step, smooth.Rate(step), stairs.Rate(step))
	}
	// Output:
	// step  0: 0.1000 0.1000
	// step  5: 0.0707 0.1000
	// step 10: 0.0500 0.0500
	// step 15: 0.0354 0.0500
	// step 20: 0.0250 0.0250
}

// The rate is divided by 1 + DecayRate * step / DecaySteps.
func ExampleInverseTimeDecay() {
	s := optimizers.InverseTimeDecay{InitialLearningRate: 0.1, DecaySteps: 10, DecayRate: 1}
	if err := s.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for _, step := range []int{0, 10, 20, 30} {
		fmt.Printf("step %d: %.4f\n", step, s.Rate(step))
	}
	// Output:
	// step 0: 0.1000
	// step 10: 0.0500
	// step 20: 0.0333
	// step 30: 0.0250
}

// A linear decay (Power 1, the default) from 0.1 to 0.01 over 100 steps,
// then constant.
func ExamplePolynomialDecay() {
	s := optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 100, EndLearningRate: 0.01}
	for _, step := range []int{0, 50, 100, 200} {
		fmt.Printf("step %d: %.4f\n", step, s.Rate(step))
	}
	// Output:
	// step 0: 0.1000
	// step 50: 0.0550
	// step 100: 0.0100
	// step 200: 0.0100
}

// Any function of the step can be a schedule: here a linear warm-up over
// 4 steps to a constant rate. The solver asks it for each step's rate.
func ExampleScheduleFunc() {
	warmup := optimizers.ScheduleFunc(func(step int) float64 {
		return 0.01 * min(float64(step+1)/4, 1)
	})
	s, err := optimizers.SGD{Schedule: warmup}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(1), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))))
	cost, err := gorgonia.Sum(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := gorgonia.Grad(cost, w); err != nil {
		fmt.Println(err)
		return
	}
	m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	defer m.Close()
	for step := range 6 {
		fmt.Printf("step %d: rate %.4f\n", step, s.LearningRate())
		if err := m.RunAll(); err != nil {
			fmt.Println(err)
			return
		}
		if err := s.Step([]gorgonia.ValueGrad{w}); err != nil {
			fmt.Println(err)
			return
		}
		m.Reset()
	}
	// Output:
	// step 0: rate 0.0025
	// step 1: rate 0.0050
	// step 2: rate 0.0075
	// step 3: rate 0.0100
	// step 4: rate 0.0100
	// step 5: rate 0.0100
}

// UnmarshalSchedule reads a schedule from its spec, as a model file or a
// hand-written one holds it.
func ExampleUnmarshalSchedule() {
	var spec optimizers.ScheduleSpec
	err := json.Unmarshal([]byte(`{"kind": "exponential_decay", "config": {"InitialLearningRate": 0.1, "DecaySteps": 1000, "DecayRate": 0.96}}`), &spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := optimizers.UnmarshalSchedule(&spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%T, rate at step 1000: %.4f\n", s, s.Rate(1000))
	// Output:
	// optimizers.ExponentialDecay, rate at step 1000: 0.0960
}

// ScheduleByName gives the zero value of a schedule Keras names, in snake
// case or as its class; its fields must be set before a solver takes it.
func ExampleScheduleByName() {
	s, err := optimizers.ScheduleByName("CosineDecay")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%T\n", s)
	_, err = optimizers.Adam{Schedule: s}.NewSolver()
	fmt.Println(err)
	// Output:
	// optimizers.CosineDecay
	// adam: Schedule: cosine_decay: InitialLearningRate must be > 0 and finite without a WarmupTarget, got 0
}
