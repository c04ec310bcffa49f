package ops

import (
	"math/rand"
	"testing"

	"github.com/profundo/profundo/internal/blas"
)

func grouped(p ConvParams, groups int) ConvParams {
	p.Groups = groups
	return p
}

// BenchmarkConv2D times the convolution's forward pass and its gradients
// (kernel, bias and, where the layer is not the first, input) at the sizes
// of the Fashion-MNIST CNN, batch 128, float32; and "same" layers, plain,
// grouped and depthwise (a group per channel).
func BenchmarkConv2D(b *testing.B) {
	p1 := ConvParams{StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	same := p1
	same.PadTop, same.PadBottom, same.PadLeft, same.PadRight = 1, 1, 1, 1
	for _, bc := range []struct {
		name       string
		x, w       []int
		p          ConvParams
		inputGrads bool
	}{
		{"28x28x1_k3x3x32", []int{128, 28, 28, 1}, []int{3, 3, 1, 32}, p1, false},
		{"13x13x32_k3x3x64", []int{128, 13, 13, 32}, []int{3, 3, 32, 64}, p1, true},
		{"32x32x16_k3x3x16_same", []int{32, 32, 32, 16}, []int{3, 3, 16, 16}, same, true},
		{"32x32x32_k3x3x32_same", []int{32, 32, 32, 32}, []int{3, 3, 32, 32}, same, true},
		{"32x32x32_k3x3x32_same_groups4", []int{32, 32, 32, 32}, []int{3, 3, 8, 32}, grouped(same, 4), true},
		{"32x32x32_k3x3_same_depthwise", []int{32, 32, 32, 32}, []int{3, 3, 1, 32}, grouped(same, 32), true},
	} {
		b.Run(bc.name+"/"+blas.Name(), func(b *testing.B) {
			g, err := newConvGeom(bc.p, bc.x, bc.w)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			fill := func(n int) []float32 {
				s := make([]float32, n)
				for i := range s {
					s[i] = float32(rng.NormFloat64())
				}
				return s
			}
			x, w, bias := fill(g.n*g.h*g.w*g.c), fill(g.kh*g.kw*g.cg*g.f), fill(g.f)
			out, dy := make([]float32, g.n*g.rows()*g.f), fill(g.n*g.rows()*g.f)
			dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, g.f)
			var cols, dcols any
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var whole bool
				cols, whole = convForward(g, x, w, bias, out, cols)
				cols = convKernelGrad(g, x, dy, dw, cols, whole)
				sumRows(dy, db)
				if bc.inputGrads {
					dcols = convInputGrad(g, w, dy, dx, dcols)
				}
			}
			b.ReportMetric(float64(g.n*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
