package layers_test

import (
	"fmt"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// benchRecurrent times one forward and backward pass of l over a float32
// batch of [batch, steps, features] through a tape machine, as a
// training step runs it (without the solver).
func benchRecurrent(b *testing.B, l layers.Layer, batch, steps, features int) {
	in := layers.Shape{steps, features}
	rnnBuild(b, l, in, tensor.Float32, 1)
	c := layers.NewCall(tensor.Float32, batch, true)
	x := rnnNode(c, "x", in.WithBatch(batch), rnnRandom(1, batch*steps*features))
	out, err := l.Forward(c, x)
	if err != nil {
		b.Fatal(err)
	}
	cost, err := gorgonia.Sum(out)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := gorgonia.Grad(cost, c.Learnables()...); err != nil {
		b.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(c.Graph, gorgonia.BindDualValues(c.Learnables()...))
	defer m.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.RunAll(); err != nil {
			b.Fatal(err)
		}
		m.Reset()
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkLSTM is a training step's forward and backward pass of
// LSTM(64) over [32, 20, 16] float32 sequences.
func BenchmarkLSTM(b *testing.B) {
	benchRecurrent(b, &layers.LSTM{Units: 64}, 32, 20, 16)
}

// BenchmarkGRU is BenchmarkLSTM's pass with GRU(64).
func BenchmarkGRU(b *testing.B) {
	benchRecurrent(b, &layers.GRU{Units: 64}, 32, 20, 16)
}

// BenchmarkSimpleRNN is BenchmarkLSTM's pass with SimpleRNN(64).
func BenchmarkSimpleRNN(b *testing.B) {
	benchRecurrent(b, &layers.SimpleRNN{Units: 64}, 32, 20, 16)
}

// BenchmarkRecurrentSteps is BenchmarkLSTM's pass with LSTM(64) and
// GRU(64) at several sequence lengths: time and memory grow linearly in
// the steps.
func BenchmarkRecurrentSteps(b *testing.B) {
	for _, steps := range []int{20, 80, 320} {
		b.Run(fmt.Sprintf("lstm/T=%d", steps), func(b *testing.B) {
			benchRecurrent(b, &layers.LSTM{Units: 64}, 32, steps, 16)
		})
		b.Run(fmt.Sprintf("gru/T=%d", steps), func(b *testing.B) {
			benchRecurrent(b, &layers.GRU{Units: 64}, 32, steps, 16)
		})
	}
}
