package ops_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

// refLayerNorm normalizes each row of c values of x by hand.
func refLayerNorm(x, gamma, beta []float64, c int, eps float64) []float64 {
	out := make([]float64, len(x))
	for r := 0; r < len(x)/c; r++ {
		row := x[r*c : (r+1)*c]
		var mean, v float64
		for _, a := range row {
			mean += a
		}
		mean /= float64(c)
		for _, a := range row {
			v += (a - mean) * (a - mean)
		}
		v /= float64(c)
		for j, a := range row {
			y := (a - mean) / math.Sqrt(v+eps)
			if gamma != nil {
				y *= gamma[j]
			}
			if beta != nil {
				y += beta[j]
			}
			out[r*c+j] = y
		}
	}
	return out
}

func TestLayerNormValues(t *testing.T) {
	// Rows (1, 2, 3): mean 2, variance 2/3; (4, 4, 4): a constant row.
	x := []float64{1, 2, 3, 4, 4, 4}
	gamma, beta := []float64{1, 2, -1}, []float64{0, 0.5, 1}
	s := 1 / math.Sqrt(2.0/3+0.001)
	want := []float64{-s, 0.5, 1 - s, 0, 0.5, 1}
	if got := refLayerNorm(x, gamma, beta, 3, 0.001); !closeAll(got, want, 1e-12) {
		t.Fatalf("reference %v, want %v", got, want)
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		xn := gorgonia.NodeFromAny(g, toDtype(x, dt, 2, 3), gorgonia.WithName("x"))
		gn := gorgonia.NodeFromAny(g, toDtype(gamma, dt, 3), gorgonia.WithName("gamma"))
		bn := gorgonia.NodeFromAny(g, toDtype(beta, dt, 3), gorgonia.WithName("beta"))
		y, err := ops.LayerNorm(xn, gn, bn, 0.001, true)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		for run := 0; run < 2; run++ {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			close(t, dt.String()+" y", float64s(t, y.Value()), want, 1e-6)
			vm.Reset()
		}
		vm.Close()
	}
}

func closeAll(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func TestLayerNormGradCheck(t *testing.T) {
	tests := []struct {
		name              string
		shape             []int
		gamma, beta, eps0 bool
	}{
		{"2-D gamma beta", []int{4, 5}, true, true, false},
		{"3-D gamma beta", []int{2, 3, 4}, true, true, false},
		{"4-D gamma", []int{2, 2, 3, 3}, true, false, false},
		{"beta only", []int{3, 4}, false, true, false},
		{"neither", []int{3, 4}, false, false, false},
		{"epsilon zero", []int{3, 4}, true, true, true},
		{"one feature", []int{3, 1}, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(7))
			n := 1
			for _, d := range tt.shape {
				n *= d
			}
			c := tt.shape[len(tt.shape)-1]
			inputs := []*tensor.Dense{toDtype(randSlice(rng, n), tensor.Float64, tt.shape...)}
			if tt.gamma {
				inputs = append(inputs, toDtype(randSlice(rng, c), tensor.Float64, c))
			}
			if tt.beta {
				inputs = append(inputs, toDtype(randSlice(rng, c), tensor.Float64, c))
			}
			r := toDtype(randSlice(rng, n), tensor.Float64, tt.shape...)
			eps := 1e-3
			if tt.eps0 {
				eps = 0
			}
			err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				var gamma, beta *gorgonia.Node
				i := 1
				if tt.gamma {
					gamma, i = in[i], i+1
				}
				if tt.beta {
					beta = in[i]
				}
				y, err := ops.LayerNorm(in[0], gamma, beta, eps, true)
				if err != nil {
					return nil, err
				}
				rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
				return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
			}, inputs, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Without the input's gradient, the parameters' gradients still come.
func TestLayerNormNoInputGrad(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, toDtype(randSlice(rng, 12), tensor.Float64, 3, 4), gorgonia.WithName("x"))
	gamma := gorgonia.NodeFromAny(g, toDtype(randSlice(rng, 4), tensor.Float64, 4), gorgonia.WithName("gamma"))
	beta := gorgonia.NodeFromAny(g, toDtype(randSlice(rng, 4), tensor.Float64, 4), gorgonia.WithName("beta"))
	y, err := ops.LayerNorm(x, gamma, beta, 1e-3, false)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Square(y))))
	if err := gradcheck.Graph(cost, gorgonia.Nodes{gamma, beta}, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(cost, x); err == nil {
		t.Error("Grad with respect to x succeeded, want an error: its gradient was left out")
	}
}

func TestLayerNormErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	v4 := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(4), gorgonia.WithName("v4"))
	v3f := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(3), gorgonia.WithName("v3f"))
	for _, tc := range []struct {
		name        string
		x, gamma, b *gorgonia.Node
		eps         float64
		want        string
	}{
		{"nil", nil, nil, nil, 0, "nil input"},
		{"gamma shape", x, v4, nil, 0, "gamma has shape (4), want [3]"},
		{"beta dtype", x, nil, v3f, 0, "beta is float32"},
		{"negative epsilon", x, nil, nil, -1, "epsilon must be >= 0"},
	} {
		if _, err := ops.LayerNorm(tc.x, tc.gamma, tc.b, tc.eps, true); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
