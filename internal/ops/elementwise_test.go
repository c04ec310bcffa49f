package ops_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// runElementwise applies f to x forward and backward (upstream gradient
// ones) and returns y and dy/dx.
func runElementwise(t testing.TB, f ops.Func, dt tensor.Dtype, x []float64) (y, dx []float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	var v *tensor.Dense
	if dt == tensor.Float32 {
		f32 := make([]float32, len(x))
		for i := range x {
			f32[i] = float32(x[i])
		}
		v = tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(f32))
	} else {
		v = tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(append([]float64(nil), x...)))
	}
	xn := gorgonia.NewVector(g, dt, gorgonia.WithShape(len(x)), gorgonia.WithValue(v), gorgonia.WithName("x"))
	out, err := ops.Elementwise(xn, f)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := gorgonia.Sum(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(cost, xn); err != nil {
		t.Fatal(err)
	}
	var yv gorgonia.Value
	gorgonia.Read(out, &yv)
	m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(xn))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, err := xn.Grad()
	if err != nil {
		t.Fatal(err)
	}
	floats := func(d any) []float64 {
		switch d := d.(type) {
		case []float32:
			out := make([]float64, len(d))
			for i, v := range d {
				out[i] = float64(v)
			}
			return out
		case []float64:
			return append([]float64(nil), d...)
		}
		return nil
	}
	return floats(yv.Data()), floats(gv.Data())
}

// The derivatives at exactly 0 take TensorFlow's side of the kink, and
// the float64 values keep their digits where Gorgonia's ops lose them.
func TestElementwiseKinksAndPrecision(t *testing.T) {
	x := []float64{0, 40, -40, 20, -750}
	for _, c := range []struct {
		f      ops.Func
		y, dy0 []float64 // values at x; the derivative at 0
	}{
		{ops.ELU(1), []float64{0, 40, math.Expm1(-40), 20, -1}, []float64{1}},
		{ops.SELU(), []float64{0, 40 * ops.SELUScale, ops.SELUScale * ops.SELUAlpha * math.Expm1(-40), 20 * ops.SELUScale, -ops.SELUScale * ops.SELUAlpha}, []float64{ops.SELUScale}},
		{ops.LeakyReLU(0.2), []float64{0, 40, -8, 20, -150}, []float64{0.2}},
		{ops.Sigmoid(), []float64{0.5, 1 / (1 + math.Exp(-40)), math.Exp(-40) / (1 + math.Exp(-40)), 1 / (1 + math.Exp(-20)), 0}, []float64{0.25}},
		{ops.Softplus(), []float64{math.Ln2, 40 + math.Log1p(math.Exp(-40)), math.Log1p(math.Exp(-40)), 20 + math.Log1p(math.Exp(-20)), 0}, []float64{0.5}},
	} {
		t.Run(c.f.Name, func(t *testing.T) {
			y, dx := runElementwise(t, c.f, tensor.Float64, x)
			for i := range y {
				if d := math.Abs(y[i] - c.y[i]); d > 1e-15*math.Max(1, math.Abs(c.y[i])) {
					t.Errorf("%s(%v) = %.17g, want %.17g", c.f.Name, x[i], y[i], c.y[i])
				}
			}
			if dx[0] != c.dy0[0] {
				t.Errorf("%s'(0) = %v, want %v", c.f.Name, dx[0], c.dy0[0])
			}
			y32, _ := runElementwise(t, c.f, tensor.Float32, x)
			for i := range y32 {
				if want := float64(float32(c.y[i])); y32[i] != want {
					t.Errorf("float32 %s(%v) = %v, want %v", c.f.Name, x[i], y32[i], want)
				}
			}
		})
	}
}

func TestElementwiseErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	s := gorgonia.NewScalar(g, tensor.Float64, gorgonia.WithName("s"))
	if _, err := ops.Elementwise(s, ops.ELU(1)); err == nil {
		t.Error("a scalar input gave no error")
	}
	v := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(3), gorgonia.WithName("v"))
	if _, err := ops.Elementwise(v, ops.Func{Name: "half"}); err == nil {
		t.Error("a function without F and D gave no error")
	}
}

// BenchmarkElementwise is one forward and backward pass of sigmoid and
// gelu over [128, 256], against Gorgonia's sigmoid.
func BenchmarkElementwise(b *testing.B) {
	const n = 128 * 256
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, c := range []struct {
			name string
			op   func(*gorgonia.Node) (*gorgonia.Node, error)
		}{
			{"sigmoid", func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.Elementwise(x, ops.Sigmoid()) }},
			{"gelu", func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.Elementwise(x, ops.GELU()) }},
			{"gorgonia_sigmoid", gorgonia.Sigmoid},
		} {
			b.Run(fmt.Sprintf("%s/%v", c.name, dt), func(b *testing.B) {
				g := gorgonia.NewGraph()
				x := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(128, 256), gorgonia.WithName("x"), gorgonia.WithInit(gorgonia.GlorotU(1)))
				y, err := c.op(x)
				if err != nil {
					b.Fatal(err)
				}
				cost, _ := gorgonia.Sum(y)
				if _, err := gorgonia.Grad(cost, x); err != nil {
					b.Fatal(err)
				}
				m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(x))
				defer m.Close()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := m.RunAll(); err != nil {
						b.Fatal(err)
					}
					m.Reset()
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
			})
		}
	}
}
