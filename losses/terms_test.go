package losses_test

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/losses"
)

// Each loss's per-sample values average to its batch loss, and the first
// sample's value is the loss of that sample alone.
func TestSamplesAverageToTheLoss(t *testing.T) {
	pred := []float64{0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.25, 0.25, 0.5}
	target := []float64{1, 0, 0, 0, 0, 1, 0, 1, 0}
	for _, l := range []losses.Loss{
		losses.MeanSquaredError{}, losses.MeanAbsoluteError{}, losses.Huber{Delta: 0.3},
		losses.BinaryCrossentropy{}, losses.BinaryCrossentropy{FromLogits: true},
		losses.CategoricalCrossentropy{}, losses.CategoricalCrossentropy{FromLogits: true},
		losses.SparseCategoricalCrossentropy{},
	} {
		run := func(rows int) (mean float64, samples []float64) {
			g := gorgonia.NewGraph()
			p := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, 3), gorgonia.WithName("p"),
				gorgonia.WithValue(tensor.New(tensor.WithShape(rows, 3), tensor.WithBacking(append([]float64(nil), pred[:rows*3]...)))))
			y := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, 3), gorgonia.WithName("y"),
				gorgonia.WithValue(tensor.New(tensor.WithShape(rows, 3), tensor.WithBacking(append([]float64(nil), target[:rows*3]...)))))
			m, err := l.Build(p, y)
			if err != nil {
				t.Fatal(err)
			}
			s, err := l.(losses.SampleLoss).Samples(p, y)
			if err != nil {
				t.Fatal(err)
			}
			var mv, sv gorgonia.Value
			gorgonia.Read(m, &mv)
			gorgonia.Read(s, &sv)
			vm := gorgonia.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			return mv.Data().(float64), append([]float64(nil), sv.Data().([]float64)...)
		}
		mean, samples := run(3)
		if len(samples) != 3 {
			t.Fatalf("%s: %d per-sample values, want 3", l.Name(), len(samples))
		}
		if avg := (samples[0] + samples[1] + samples[2]) / 3; math.Abs(avg-mean) > 1e-12 {
			t.Errorf("%s: per-sample values %v average to %v, the loss is %v", l.Name(), samples, avg, mean)
		}
		if first, _ := run(1); math.Abs(first-samples[0]) > 1e-12 {
			t.Errorf("%s: first sample's value %v, its loss alone %v", l.Name(), samples[0], first)
		}
	}
}
