package layers_test

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
	"github.com/profundo/profundo/layers"
)

func refSigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// elementwiseActivations holds the reference definition of every element-wise
// activation, written with Go's math package.
var elementwiseActivations = []struct {
	a   layers.Activator
	ref func(float64) float64
	tol float64 // absolute tolerance in float64
}{
	{"", func(x float64) float64 { return x }, 0},
	{layers.Linear, func(x float64) float64 { return x }, 0},
	{layers.ReLU, func(x float64) float64 { return math.Max(x, 0) }, 0},
	{layers.LeakyReLU, func(x float64) float64 {
		if x < 0 {
			return 0.2 * x
		}
		return x
	}, 1e-15},
	{layers.ELU, func(x float64) float64 {
		if x < 0 {
			return math.Expm1(x)
		}
		return x
	}, 1e-15},
	{layers.SELU, func(x float64) float64 {
		if x < 0 {
			return ops.SELUScale * ops.SELUAlpha * math.Expm1(x)
		}
		return ops.SELUScale * x
	}, 1e-14},
	{layers.GELU, func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }, 1e-14},
	{layers.GELUApproximate, func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}, 1e-14},
	{layers.Swish, func(x float64) float64 { return x * refSigmoid(x) }, 1e-14},
	{layers.SiLU, func(x float64) float64 { return x * refSigmoid(x) }, 1e-14},
	{layers.Sigmoid, refSigmoid, 1e-14},
	{layers.Tanh, math.Tanh, 1e-14},
	{layers.Softplus, func(x float64) float64 { return math.Log1p(math.Exp(x)) }, 1e-12},
}

// activationInputs is the activations' test input, [2, 8]: negatives,
// values near 0 (but not 0, the kink of relu and its kin) and positives.
var activationInputs = []float64{-6, -3.2, -1.5, -0.7, -0.2, -1e-3, 1e-3, 0.05, 0.3, 0.9, 1.7, 2.5, 4, 8, -9.5, 12}

// applyActivation evaluates a on x, [rows, cols], in the given dtype and returns the
// values as float64.
func applyActivation(t *testing.T, a layers.Activator, dt tensor.Dtype, shape []int, x []float64) []float64 {
	t.Helper()
	g := gorgonia.NewGraph()
	var v *tensor.Dense
	if dt == tensor.Float32 {
		f := make([]float32, len(x))
		for i := range x {
			f[i] = float32(x[i])
		}
		v = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	} else {
		v = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), x...)))
	}
	xn := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName("x"), gorgonia.WithValue(v))
	y, err := a.Apply(xn)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !y.Shape().Eq(tensor.Shape(shape)) {
		t.Fatalf("output shape %v, want %v", y.Shape(), shape)
	}
	if y.Dtype() != dt {
		t.Fatalf("output dtype %v, want %v", y.Dtype(), dt)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	out := make([]float64, len(x))
	switch d := y.Value().Data().(type) {
	case []float64:
		copy(out, d)
	case []float32:
		for i := range d {
			out[i] = float64(d[i])
		}
	default:
		t.Fatalf("output data is %T", d)
	}
	return out
}

func TestActivatorValues(t *testing.T) {
	for _, tt := range elementwiseActivations {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s/%v", tt.a, dt), func(t *testing.T) {
				got := applyActivation(t, tt.a, dt, []int{2, 8}, activationInputs)
				for i, x := range activationInputs {
					want := tt.ref(x)
					tol := tt.tol
					if dt == tensor.Float32 {
						tol = math.Max(tol, 2e-6*math.Max(1, math.Abs(want)))
					}
					if math.Abs(got[i]-want) > tol {
						t.Errorf("%s(%v) = %.10g, want %.10g (tolerance %.2g)", tt.a, x, got[i], want, tol)
					}
				}
			})
		}
	}
}

// TestGELUAccuracy checks the erf-based GELU against math.Erf on a fine activationInputs.
func TestGELUAccuracy(t *testing.T) {
	x := make([]float64, 0, 801)
	for i := -400; i <= 400; i++ {
		x = append(x, float64(i)/40)
	}
	got := applyActivation(t, layers.GELU, tensor.Float64, []int{len(x)}, x)
	worst := 0.0
	for i, v := range x {
		worst = math.Max(worst, math.Abs(got[i]-0.5*v*(1+math.Erf(v/math.Sqrt2))))
	}
	if worst > 2.5e-7 {
		t.Errorf("gelu differs from the exact value by up to %.3g on [-10, 10], want <= 2.5e-7", worst)
	}
}

func TestSoftmax(t *testing.T) {
	tests := []struct {
		name  string
		shape []int
	}{
		{"vector", []int{16}},
		{"batch of rows", []int{2, 8}},
		{"3-D over the last axis", []int{2, 2, 4}},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s/%v", tt.name, dt), func(t *testing.T) {
				got := applyActivation(t, layers.Softmax, dt, tt.shape, activationInputs)
				k := tt.shape[len(tt.shape)-1]
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-6
				}
				for r := 0; r < len(activationInputs)/k; r++ {
					row, in := got[r*k:(r+1)*k], activationInputs[r*k:(r+1)*k]
					mx := math.Inf(-1)
					for _, v := range in {
						mx = math.Max(mx, v)
					}
					var z, sum float64
					for _, v := range in {
						z += math.Exp(v - mx)
					}
					for i, v := range row {
						sum += v
						if want := math.Exp(in[i]-mx) / z; math.Abs(v-want) > tol {
							t.Errorf("row %d element %d = %.10g, want %.10g", r, i, v, want)
						}
					}
					if math.Abs(sum-1) > tol*float64(k) {
						t.Errorf("row %d sums to %.10g, want 1", r, sum)
					}
				}
			})
		}
	}
}

func TestActivatorGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	x := tensor.New(tensor.WithShape(2, 8), tensor.WithBacking(append([]float64(nil), activationInputs...)))
	r := make([]float64, len(activationInputs))
	for i := range r {
		r[i] = rng.NormFloat64()
	}
	// sum(a(x) ⊙ R) with a random R, so that the softmax gradient is not
	// trivially zero.
	proj := tensor.New(tensor.WithShape(2, 8), tensor.WithBacking(r))
	acts := []layers.Activator{layers.Softmax}
	for _, tt := range elementwiseActivations {
		acts = append(acts, tt.a)
	}
	for _, a := range acts {
		t.Run(string(a), func(t *testing.T) {
			err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				y, err := a.Apply(in[0])
				if err != nil {
					return nil, err
				}
				p, err := gorgonia.HadamardProd(y, in[1])
				if err != nil {
					return nil, err
				}
				return gorgonia.Sum(p)
			}, []*tensor.Dense{x, proj}, gradcheck.Options{})
			if err != nil {
				t.Error(err)
			}
		})
	}
}

func TestActivatorValidate(t *testing.T) {
	tests := []struct {
		a       layers.Activator
		wantErr string
	}{
		{"", ""},
		{layers.Linear, ""},
		{layers.ReLU, ""},
		{layers.GELU, ""},
		{layers.Softmax, ""},
		{"foo", `unknown activation "foo" (known: linear, relu, leaky_relu, elu, selu, gelu, gelu_approximate, swish, silu, sigmoid, tanh, softmax, softplus)`},
		{"ReLU", `unknown activation "ReLU"`},
	}
	for _, tt := range tests {
		t.Run(string(tt.a), func(t *testing.T) {
			err := tt.a.Validate()
			wantError(t, err, tt.wantErr)
			g := gorgonia.NewGraph()
			x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
			_, err = tt.a.Apply(x)
			wantError(t, err, tt.wantErr)
		})
	}
}

func TestActivatorApplyErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	ints := gorgonia.NewMatrix(g, tensor.Int, gorgonia.WithShape(2, 3), gorgonia.WithName("ints"))
	scalar := gorgonia.NewScalar(g, tensor.Float64, gorgonia.WithName("s"))
	tests := []struct {
		name    string
		a       layers.Activator
		x       *gorgonia.Node
		wantErr string
	}{
		{"int dtype", layers.ReLU, ints, `activation "relu": dtype must be float32 or float64, got int`},
		{"nil node", layers.Tanh, nil, `activation "tanh": input node is nil`},
		{"softmax of a scalar", layers.Softmax, scalar, `activation "softmax": softmax needs at least one axis`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.a.Apply(tt.x)
			wantError(t, err, tt.wantErr)
		})
	}
}

func TestLinearIsIdentity(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	for _, a := range []layers.Activator{"", layers.Linear} {
		y, err := a.Apply(x)
		if err != nil || y != x {
			t.Errorf("Activator(%q).Apply(x) = %v, %v; want x itself", a, y, err)
		}
	}
}

// wantError fails t unless err matches want: nil for "", else an error
// containing want.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("error %q does not contain %q", err, want)
	}
}

func ExampleActivator_Apply() {
	g := gorgonia.NewGraph()
	x := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(4), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithBacking([]float64{-2, -0.5, 0.5, 2}))))
	y, err := layers.LeakyReLU.Apply(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Value().Data())
	// Output: [-0.4 -0.1 0.5 2]
}
