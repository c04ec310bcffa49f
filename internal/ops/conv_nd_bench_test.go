package ops

import (
	"math/rand"
	"testing"

	"github.com/profundo/profundo/internal/blas"
)

func benchFill(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// BenchmarkConvTranspose2D times a transposed convolution's forward pass
// and its three gradients at the convolutional autoencoder's decoder sizes
// (3x3, stride 2, "same"), batch 128, float32.
func BenchmarkConvTranspose2D(b *testing.B) {
	for _, bc := range []struct {
		name string
		x, w []int // x [n, h, w, c], kernel [kh, kw, f, c]
		p    ConvTransposeParams
	}{
		{"7x7x8_to_14x14x32", []int{128, 7, 7, 8}, []int{3, 3, 32, 8}, ConvTransposeParams{StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1, OutH: 14, OutW: 14}},
		{"14x14x32_to_28x28x32", []int{128, 14, 14, 32}, []int{3, 3, 32, 32}, ConvTransposeParams{StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1, OutH: 28, OutW: 28}},
	} {
		b.Run(bc.name+"/"+blas.Name(), func(b *testing.B) {
			g, err := bc.p.geom(bc.x, bc.w)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			x, w := benchFill(rng, g.n*g.oh*g.ow*g.f), benchFill(rng, g.kh*g.kw*g.c*g.f)
			out, dy := make([]float32, g.n*g.h*g.w*g.c), benchFill(rng, g.n*g.h*g.w*g.c)
			dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, g.c)
			var cols, dcols any
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dcols = convInputGrad(g, w, x, out, dcols)
				cols, _ = convForward(g, dy, w, nil, dx, cols)
				cols = convKernelGrad(g, dy, x, dw, cols, false)
				sumRows(dy, db)
			}
			b.ReportMetric(float64(g.n*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkConv3D times a 3-D convolution's forward pass and gradients:
// 16x16x16x4 volumes, a 3x3x3 kernel of 8 filters, "same", batch 8.
func BenchmarkConv3D(b *testing.B) {
	p := Conv3DParams{Strides: [3]int{1, 1, 1}, Dilations: [3]int{1, 1, 1}, PadBefore: [3]int{1, 1, 1}, PadAfter: [3]int{1, 1, 1}}
	g, err := newConv3Geom(p, []int{8, 16, 16, 16, 4}, []int{3, 3, 3, 4, 8})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	x, w, bias := benchFill(rng, g.n*g.inSample()), benchFill(rng, g.patch()*g.f), benchFill(rng, g.f)
	out, dy := make([]float32, g.n*g.rows()*g.f), benchFill(rng, g.n*g.rows()*g.f)
	dx, dw := make([]float32, len(x)), make([]float32, len(w))
	var cols any
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cols = conv3Forward(g, x, w, bias, out, cols)
		cols = conv3KernelGrad(g, x, dy, dw, cols)
		cols = conv3InputGrad(g, w, dy, dx, cols)
	}
	b.ReportMetric(float64(g.n*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkGroupNorm times group normalization forward and its input and
// gamma gradients on 32x32x32 feature maps in 8 groups, batch 32.
func BenchmarkGroupNorm(b *testing.B) {
	sh := gnShape{n: 32, s: 32 * 32, c: 32, g: 8, cg: 4}
	rng := rand.New(rand.NewSource(1))
	size := sh.n * sh.s * sh.c
	x, dy, gamma, beta := benchFill(rng, size), benchFill(rng, size), benchFill(rng, sh.c), benchFill(rng, sh.c)
	out, dx, dg := make([]float32, size), make([]float32, size), make([]float32, sh.c)
	mean, inv := make([]float64, sh.n*sh.g), make([]float64, sh.n*sh.g)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		gnStats(x, sh, 1e-3, mean, inv)
		gnForward(x, gamma, beta, out, sh, mean, inv)
		gnGradInput(x, gamma, dy, dx, sh, mean, inv)
		gnGradGammaSum(x, dy, dg, sh, mean, inv)
	}
	b.ReportMetric(float64(sh.n*b.N)/b.Elapsed().Seconds(), "samples/s")
}
