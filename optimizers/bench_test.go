package optimizers_test

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// benchmarkStep times one solver step on a rows x cols parameter of dtype
// dt: the first dense layer of a 784-256 MLP. The gradient is zero after the
// first step, which costs the same arithmetic as any other gradient.
func benchmarkStep(b *testing.B, opt optimizers.Optimizer, dt tensor.Dtype, rows, cols int) {
	s, err := opt.NewSolver()
	if err != nil {
		b.Fatal(err)
	}
	n := rows * cols
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(i%17) * 0.01
	}
	p := newParam("w", dt, []int{rows, cols}, w)
	g := make([]float64, n)
	for i := range g {
		g[i] = float64(i%13)*0.001 - 0.006
	}
	p.setGrad(g)
	params := vgs(p)
	if err := s.Step(params); err != nil { // allocates the state
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Step(params); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "params/s")
}

func BenchmarkAdamStep784x256Float32(b *testing.B) {
	benchmarkStep(b, optimizers.Adam{}, tensor.Float32, 784, 256)
}

func BenchmarkAdamStep784x256Float64(b *testing.B) {
	benchmarkStep(b, optimizers.Adam{}, tensor.Float64, 784, 256)
}

func BenchmarkAdamStep256x128Float32(b *testing.B) {
	benchmarkStep(b, optimizers.Adam{}, tensor.Float32, 256, 128)
}

func BenchmarkAdamClipNormStep784x256Float32(b *testing.B) {
	benchmarkStep(b, optimizers.Adam{Clip: optimizers.Clip{Norm: 1}}, tensor.Float32, 784, 256)
}

func BenchmarkSGDMomentumStep784x256Float32(b *testing.B) {
	benchmarkStep(b, optimizers.SGD{Momentum: 0.9}, tensor.Float32, 784, 256)
}

func BenchmarkRMSPropStep784x256Float32(b *testing.B) {
	benchmarkStep(b, optimizers.RMSProp{}, tensor.Float32, 784, 256)
}
