package layers_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

func TestConstraints(t *testing.T) {
	// A [3, 2] kernel: column 0 has norm 13 (3, 4, 12), column 1 norm 1
	// (0.6, 0, -0.8). Rows have norms 3, 4 and sqrt(144.64).
	kernel := []float64{3, 0.6, 4, 0, 12, -0.8}
	r2 := math.Sqrt(144.64)
	tests := []struct {
		name  string
		c     layers.Constraint
		shape []int
		in    []float64
		want  []float64
	}{
		{"max norm default: column 0 to 2, column 1 kept", layers.MaxNorm{}, []int{3, 2}, kernel,
			[]float64{3 * 2.0 / 13, 0.6, 4 * 2.0 / 13, 0, 12 * 2.0 / 13, -0.8}},
		{"max norm above both", layers.MaxNorm{MaxValue: 20}, []int{3, 2}, kernel, kernel},
		{"max norm below both", layers.MaxNorm{MaxValue: 0.5}, []int{3, 2}, kernel,
			[]float64{3 * 0.5 / 13, 0.3, 4 * 0.5 / 13, 0, 12 * 0.5 / 13, -0.4}},
		{"max norm axis 1 (rows)", layers.MaxNorm{MaxValue: 3.5, Axis: 1}, []int{3, 2}, kernel,
			[]float64{3, 0.6, 4 * 3.5 / 4, 0, 12 * 3.5 / r2, -0.8 * 3.5 / r2}},
		{"max norm axis -1 is the last", layers.MaxNorm{MaxValue: 3.5, Axis: -1}, []int{3, 2}, kernel,
			[]float64{3, 0.6, 4 * 3.5 / 4, 0, 12 * 3.5 / r2, -0.8 * 3.5 / r2}},
		{"max norm of a vector (a bias)", layers.MaxNorm{MaxValue: 2.5}, []int{2}, []float64{3, 4}, []float64{1.5, 2}},
		{"max norm, 3-D, middle axis", layers.MaxNorm{MaxValue: 1, Axis: 1}, []int{2, 2, 2},
			[]float64{3, 0, 4, 0.5, 0, 1, 0, 0},
			[]float64{0.6, 0, 0.8, 0.5, 0, 1, 0, 0}},
		{"unit norm", layers.UnitNorm{}, []int{3, 2}, kernel,
			[]float64{3.0 / 13, 0.6, 4.0 / 13, 0, 12.0 / 13, -0.8}},
		{"unit norm axis 1 and a zero row", layers.UnitNorm{Axis: 1}, []int{3, 2}, []float64{3, 4, 0, 0, 0, -2},
			[]float64{0.6, 0.8, 0, 0, 0, -1}},
		{"non neg", layers.NonNeg{}, []int{3, 2}, kernel, []float64{3, 0.6, 4, 0, 12, 0}},
		{"min max norm defaults: into [0, 1]", layers.MinMaxNorm{}, []int{3, 2}, kernel,
			[]float64{3.0 / 13, 0.6, 4.0 / 13, 0, 12.0 / 13, -0.8}},
		{"min max norm raises short columns", layers.MinMaxNorm{MinValue: 2, MaxValue: 20}, []int{3, 2}, kernel,
			[]float64{3, 1.2, 4, 0, 12, -1.6}},
		{"min max norm at half rate", layers.MinMaxNorm{MinValue: 2, MaxValue: 5, Rate: 0.5}, []int{3, 2}, kernel,
			[]float64{3 * 9.0 / 13, 0.6 * 1.5, 4 * 9.0 / 13, 0, 12 * 9.0 / 13, -0.8 * 1.5}},
		{"min max norm leaves zeros", layers.MinMaxNorm{MinValue: 1}, []int{2}, []float64{0, 0}, []float64{0, 0}},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			w := denseOf(dt, tt.shape, tt.in)
			if err := tt.c.Apply(w); err != nil {
				t.Errorf("%s %v: %v", tt.name, dt, err)
				continue
			}
			got := floats(w)
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-6
			}
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > tol*math.Max(1, math.Abs(tt.want[i])) {
					t.Errorf("%s %v: got %v, want %v", tt.name, dt, got, tt.want)
					break
				}
			}
		}
	}
}

// MaxNorm leaves every column within the bound exactly as it was, and
// brings the others to the bound.
func TestMaxNormNorms(t *testing.T) {
	w := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float32{
		1, 0.1, -3,
		2, 0.2, 3,
		-2, 0.3, 3,
		1, -0.4, -3,
	}))
	before := append([]float32(nil), w.Data().([]float32)...)
	if err := (layers.MaxNorm{MaxValue: 3.5}).Apply(w); err != nil {
		t.Fatal(err)
	}
	d := w.Data().([]float32)
	for j := 0; j < 3; j++ {
		sq := 0.0
		for i := 0; i < 4; i++ {
			sq += float64(d[i*3+j]) * float64(d[i*3+j])
		}
		switch j {
		case 2:
			if math.Abs(math.Sqrt(sq)-3.5) > 1e-6 {
				t.Errorf("column 2 has norm %v, want 3.5", math.Sqrt(sq))
			}
		default:
			for i := 0; i < 4; i++ {
				if d[i*3+j] != before[i*3+j] {
					t.Errorf("column %d (norm within the bound) changed: %v -> %v", j, before[i*3+j], d[i*3+j])
				}
			}
		}
	}
}

func TestConstraintErrors(t *testing.T) {
	f := denseOf(tensor.Float64, []int{3, 2}, []float64{1, 2, 3, 4, 5, 6})
	ints := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, -2}))
	view, err := f.Slice(nil, tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    layers.Constraint
		w    *tensor.Dense
		want string
	}{
		{"axis out of range", layers.MaxNorm{Axis: 2}, f, "max_norm: axis 2 is out of range for a weight of shape (3, 2)"},
		{"negative axis out of range", layers.UnitNorm{Axis: -3}, f, "unit_norm: axis -3 is out of range for a weight of shape (3, 2)"},
		{"max value", layers.MaxNorm{MaxValue: -1}, f, "max_norm: MaxValue must be >= 0 and finite, got -1"},
		{"min above max", layers.MinMaxNorm{MinValue: 2}, f, "min_max_norm: MinValue 2 is above MaxValue 1"},
		{"rate", layers.MinMaxNorm{Rate: 1.5}, f, "min_max_norm: Rate must be in [0, 1], got 1.5"},
		{"min value", layers.MinMaxNorm{MinValue: math.NaN()}, f, "min_max_norm: MinValue must be >= 0 and finite, got NaN"},
		{"int weights", layers.MaxNorm{}, ints, "max_norm: weights must be float32 or float64, got int"},
		{"int weights, non neg", layers.NonNeg{}, ints, "non_neg: weights must be float32 or float64, got int"},
		{"view", layers.UnitNorm{}, view.(*tensor.Dense), "unit_norm: weight must be contiguous, not a view"},
		{"nil", layers.MaxNorm{}, nil, "max_norm: weight is nil"},
	}
	for _, tt := range tests {
		wantError(t, tt.c.Apply(tt.w), tt.want)
	}
	if got := floats(f); fmt.Sprint(got) != "[1 2 3 4 5 6]" {
		t.Errorf("failed constraints changed the weight to %v", got)
	}
}

func TestApplyConstraints(t *testing.T) {
	a := &layers.Weight{Name: "d/kernel", Value: denseOf(tensor.Float32, []int{2}, []float64{-1, 2}), Trainable: true, Constraint: layers.NonNeg{}}
	b := &layers.Weight{Name: "d/bias", Value: denseOf(tensor.Float32, []int{2}, []float64{-1, 2}), Trainable: true}
	c := &layers.Weight{Name: "bn/mean", Value: denseOf(tensor.Float32, []int{2}, []float64{-1, 2}), Constraint: layers.NonNeg{}}
	if err := layers.ApplyConstraints([]*layers.Weight{a, b, c, nil}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		w    *layers.Weight
		want string
	}{{a, "[0 2]"}, {b, "[-1 2]"}, {c, "[-1 2]"}} {
		if got := fmt.Sprint(floats(tt.w.Value)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.w.Name, got, tt.want)
		}
	}
	bad := &layers.Weight{Name: "d/kernel", Value: a.Value, Trainable: true, Constraint: layers.MaxNorm{Axis: 1}}
	wantError(t, layers.ApplyConstraints([]*layers.Weight{bad}), "d/kernel: constraint: max_norm: axis 1 is out of range")
}

func TestConstraintByName(t *testing.T) {
	tests := []struct {
		name string
		want layers.Constraint
	}{
		{"max_norm", layers.MaxNorm{}}, {"MaxNorm", layers.MaxNorm{}}, {"non_neg", layers.NonNeg{}},
		{"NonNeg", layers.NonNeg{}}, {"unit_norm", layers.UnitNorm{}}, {"min_max_norm", layers.MinMaxNorm{}},
	}
	for _, tt := range tests {
		got, err := layers.ConstraintByName(tt.name)
		if err != nil || got != tt.want {
			t.Errorf("ConstraintByName(%q) = %#v, %v; want %#v", tt.name, got, err, tt.want)
		}
	}
	_, err := layers.ConstraintByName("radial")
	wantError(t, err, `unknown constraint "radial" (known: max_norm, min_max_norm, non_neg, unit_norm)`)
}

// MaxNorm on a Dense kernel [in, units] bounds each unit's incoming
// weights.
func ExampleMaxNorm() {
	w := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{
		3, 0.3,
		4, 0.4,
	}))
	if err := (layers.MaxNorm{MaxValue: 1}).Apply(w); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4g\n", w.Data())
	// Output:
	// [0.6 0.3 0.8 0.4]
}

// The trainer applies the weights' constraints after each optimizer step.
func ExampleApplyConstraints() {
	d := &layers.Dense{Name: "d", Units: 2, KernelInitializer: layers.Constant{Value: -1}, KernelConstraint: layers.NonNeg{}}
	if _, err := d.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: d.Name}, layers.Shape{2}); err != nil {
		fmt.Println(err)
		return
	}
	// ... an optimizer step ...
	if err := layers.ApplyConstraints(d.Weights()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Weights()[0].Value.Data())
	// Output:
	// [0 0 0 0]
}
