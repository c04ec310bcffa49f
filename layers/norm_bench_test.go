package layers_test

import (
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// BenchmarkNormalization times a training graph's forward and backward
// pass through each normalization layer on 32x32x32 feature maps, batch 32,
// float32.
func BenchmarkNormalization(b *testing.B) {
	for _, l := range []layers.Layer{
		&layers.LayerNormalization{Name: "n"},
		&layers.GroupNormalization{Name: "n", Groups: 8},
		&layers.BatchNormalization{Name: "n"},
		&layers.BatchNormalization{Name: "n", Axis: 1},
	} {
		name := l.Kind()
		if bn, ok := l.(*layers.BatchNormalization); ok && bn.Axis == 1 {
			name += "_axis1"
		}
		b.Run(name, func(b *testing.B) {
			const batch = 32
			in := layers.Shape{32, 32, 32}
			if _, err := l.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "n"}, in); err != nil {
				b.Fatal(err)
			}
			c := layers.NewCall(tensor.Float32, batch, true)
			c.InputGrads = true
			x := gorgonia.NewTensor(c.Graph, tensor.Float32, 4, gorgonia.WithShape(in.WithBatch(batch)...), gorgonia.WithName("x"), gorgonia.WithInit(gorgonia.GlorotN(1)))
			y, err := l.Forward(c, x)
			if err != nil {
				b.Fatal(err)
			}
			wrt := append(gorgonia.Nodes{x}, c.Learnables()...)
			if _, err := gorgonia.Grad(gorgonia.Must(gorgonia.Sum(y)), wrt...); err != nil {
				b.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(c.Graph, gorgonia.BindDualValues(wrt...))
			defer vm.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
				vm.Reset()
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
