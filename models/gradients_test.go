package models_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
)

// linearModel is Dense(1) over 2 features with W = [0.5, -1], b = 0.25,
// compiled with the mean squared error in float64.
func linearModel(t testing.TB) *models.Sequential {
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{2}}, &layers.Dense{Units: 1})
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	ws := m.Weights()
	copy(ws[0].Value.Data().([]float64), []float64{0.5, -1})
	copy(ws[1].Value.Data().([]float64), []float64{0.25})
	return m
}

// The gradients of the mean squared error of a linear model are
// 2/n X^T r and 2/n sum(r) for the weights and 2/n r W^T for the inputs,
// with r the residuals; the model's weights do not change.
func TestGradientsOfLinearModel(t *testing.T) {
	m := linearModel(t)
	xv := []float64{1, 2, -3, 0.5, 0, 4}
	yv := []float64{1, -2, 0}
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(xv))
	y := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking(yv))
	res, err := models.Gradients(m, []*tensor.Dense{x}, []*tensor.Dense{y}, models.GradientConfig{Inputs: true})
	if err != nil {
		t.Fatal(err)
	}
	w := []float64{0.5, -1}
	r := make([]float64, 3)
	loss := 0.0
	for i := range r {
		r[i] = xv[2*i]*w[0] + xv[2*i+1]*w[1] + 0.25 - yv[i]
		loss += r[i] * r[i] / 3
	}
	wantW := []float64{0, 0}
	wantB := 0.0
	wantX := make([]float64, 6)
	for i := range r {
		wantW[0] += 2 * xv[2*i] * r[i] / 3
		wantW[1] += 2 * xv[2*i+1] * r[i] / 3
		wantB += 2 * r[i] / 3
		wantX[2*i] = 2 * r[i] * w[0] / 3
		wantX[2*i+1] = 2 * r[i] * w[1] / 3
	}
	near := func(what string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-14 {
				t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	near("loss", []float64{res.Loss}, []float64{loss})
	if len(res.Weights) != 2 || res.Weights[0].Name != "dense/kernel" || res.Weights[1].Name != "dense/bias" {
		t.Fatalf("weights %+v, want dense/kernel and dense/bias", res.Weights)
	}
	near("dense/kernel", res.Weights[0].Value.Data().([]float64), wantW)
	near("dense/bias", res.Weights[1].Value.Data().([]float64), []float64{wantB})
	if len(res.Inputs) != 1 || !res.Inputs[0].Shape().Eq(tensor.Shape{3, 2}) {
		t.Fatalf("input gradients %v, want one of shape (3, 2)", res.Inputs)
	}
	near("input", res.Inputs[0].Data().([]float64), wantX)
	near("weights after", m.Weights()[0].Value.Data().([]float64), w)

	// A second call gives the same gradients: nothing accumulates.
	again, err := models.Gradients(m, []*tensor.Dense{x}, []*tensor.Dense{y}, models.GradientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	near("dense/kernel again", again.Weights[0].Value.Data().([]float64), wantW)
	if again.Inputs != nil {
		t.Errorf("input gradients %v, not asked for", again.Inputs)
	}
}

func TestGradientsErrors(t *testing.T) {
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(make([]float64, 6)))
	y := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking(make([]float64, 3)))
	uncompiled := models.NewSequential(&layers.Input{Shape: layers.Shape{2}}, &layers.Dense{Units: 1})
	for _, c := range []struct {
		name   string
		m      models.Model
		xs, ys []*tensor.Dense
		want   string
	}{
		{"no model", nil, []*tensor.Dense{x}, []*tensor.Dense{y}, "the model is nil"},
		{"not compiled", uncompiled, []*tensor.Dense{x}, []*tensor.Dense{y}, "not compiled"},
		{"two inputs", linearModel(t), []*tensor.Dense{x, x}, []*tensor.Dense{y}, "the model takes 1 inputs, got 2"},
		{"bad rows", linearModel(t), []*tensor.Dense{x}, []*tensor.Dense{tensor.New(tensor.WithShape(2, 1), tensor.WithBacking(make([]float64, 2)))}, "x has 3 rows but y has shape (2, 1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := models.Gradients(c.m, c.xs, c.ys, models.GradientConfig{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// The gradients of a model's loss with respect to its weights and inputs,
// as Keras users get them from tf.GradientTape.
func ExampleGradients() {
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{2}}, &layers.Dense{Units: 1, KernelInitializer: layers.Ones{}})
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64}); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	y := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{0, 0}))
	res, err := models.Gradients(m, []*tensor.Dense{x}, []*tensor.Dense{y}, models.GradientConfig{Inputs: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("loss", res.Loss)
	for _, g := range res.Weights {
		fmt.Println(g.Name, g.Value.Data())
	}
	fmt.Println("input", res.Inputs[0].Data())
	// Output:
	// loss 29
	// dense/kernel [24 34]
	// dense/bias [10]
	// input [3 3 7 7]
}

// A functional model of two inputs gives one input gradient per input,
// each of its input's shape: the kernel's rows that input meets, times the
// residuals.
func TestGradientsOfFunctionalModel(t *testing.T) {
	a, b := models.Input("a", 2), models.Input("b", 1)
	out := models.Apply(&layers.Dense{Name: "out", Units: 1, NoBias: true}, models.Merge(&layers.Concatenate{}, a, b))
	m, err := models.NewFunctional([]*models.Node{a, b}, []*models.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	w := []float64{0.5, -1, 2}
	copy(m.Weights()[0].Value.Data().([]float64), w)
	xa := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	xb := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{-1, 0.5}))
	y := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{0, 1}))
	res, err := models.Gradients(m, []*tensor.Dense{xa, xb}, []*tensor.Dense{y}, models.GradientConfig{Inputs: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Inputs) != 2 || !res.Inputs[0].Shape().Eq(tensor.Shape{2, 2}) || !res.Inputs[1].Shape().Eq(tensor.Shape{2, 1}) {
		t.Fatalf("input gradients %v, want shapes (2, 2) and (2, 1)", res.Inputs)
	}
	r := []float64{1*0.5 + 2*-1 + -1*2 - 0, 3*0.5 + 4*-1 + 0.5*2 - 1}
	wantA := []float64{r[0] * w[0], r[0] * w[1], r[1] * w[0], r[1] * w[1]}
	wantB := []float64{r[0] * w[2], r[1] * w[2]}
	for i, v := range res.Inputs[0].Data().([]float64) {
		if math.Abs(v-wantA[i]) > 1e-14 {
			t.Errorf("d/da[%d] = %v, want %v", i, v, wantA[i])
		}
	}
	for i, v := range res.Inputs[1].Data().([]float64) {
		if math.Abs(v-wantB[i]) > 1e-14 {
			t.Errorf("d/db[%d] = %v, want %v", i, v, wantB[i])
		}
	}
}
