package parity_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// convNormCase is one layer of testdata/conv_norm.json (gen_conv_norm.py)
// run forward and backward: the layer as a spec, an input batch, the
// weights to set, and PyTorch's output, upstream gradient dy, gradients of
// sum(y ⊙ dy) with respect to the input and the trainable weights, and,
// for a training BatchNormalization, the moving statistics after the run.
type convNormCase struct {
	Name       string        `json:"name"`
	DType      string        `json:"dtype"`
	RTol       float64       `json:"rtol"`
	ATol       float64       `json:"atol"`
	Source     string        `json:"source"`
	Layer      layers.Spec   `json:"layer"`
	InputShape []int         `json:"input_shape"`
	Batch      int           `json:"batch"`
	Training   bool          `json:"training"`
	X          []float64     `json:"x"`
	Weights    []namedValues `json:"weights"`
	Y          []float64     `json:"y"`
	DY         []float64     `json:"dy"`
	DX         []float64     `json:"dx"`
	DWeights   []namedValues `json:"dweights"`
	Updated    []namedValues `json:"updated"`
}

type namedValues struct {
	Name   string    `json:"name"`
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

// TestConvNormParity runs every case of testdata/conv_norm.json through
// the layer's public API (Build, Forward, Gorgonia's gradients) and
// compares with PyTorch within the case's tolerances. Every kind and option
// the fixture covers is counted, so a fixture that lost them fails.
func TestConvNormParity(t *testing.T) {
	data, err := os.ReadFile("testdata/conv_norm.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct {
		Generator string         `json:"generator"`
		Cases     []convNormCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	if len(fixture.Cases) < 80 {
		t.Fatalf("%d cases, want at least 80", len(fixture.Cases))
	}
	kinds := map[string]int{}
	for _, c := range fixture.Cases {
		kinds[c.Layer.Kind]++
		t.Run(c.Name, func(t *testing.T) { runConvNorm(t, c) })
	}
	for _, k := range []string{"conv1d", "conv2d", "depthwise_conv2d", "separable_conv2d", "conv1d_transpose", "conv2d_transpose",
		"conv3d", "max_pooling3d", "average_pooling3d", "global_average_pooling3d", "global_max_pooling3d",
		"group_normalization", "layer_normalization", "batch_normalization"} {
		if kinds[k] == 0 {
			t.Errorf("no case of %s", k)
		}
	}
}

func runConvNorm(t *testing.T, c convNormCase) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("reference: %s", c.Source)
		}
	})
	dt := tensor.Float64
	if c.DType == "float32" {
		dt = tensor.Float32
	}
	l, err := layers.Unmarshal(c.Layer, nil)
	if err != nil {
		t.Fatalf("layer spec: %v", err)
	}
	b := &layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(1)), Name: l.LayerName()}
	if _, err := l.Build(b, layers.Shape(c.InputShape)); err != nil {
		t.Fatalf("build: %v", err)
	}
	byName := map[string]*layers.Weight{}
	for _, w := range l.Weights() {
		byName[strings.TrimPrefix(w.Name, l.LayerName()+"/")] = w
	}
	if len(byName) != len(c.Weights) {
		t.Fatalf("the layer has %d weights, the fixture %d", len(byName), len(c.Weights))
	}
	for _, w := range c.Weights {
		lw, ok := byName[w.Name]
		if !ok {
			t.Fatalf("the layer has no weight %q", w.Name)
		}
		if !lw.Value.Shape().Eq(tensor.Shape(w.Shape)) {
			t.Fatalf("weight %s: shape %v, the fixture's %v (Keras's layout)", w.Name, lw.Value.Shape(), w.Shape)
		}
		setValues(lw.Value, w.Values)
	}

	call := layers.NewCall(dt, c.Batch, c.Training)
	call.InputGrads = true
	shape := append([]int{c.Batch}, c.InputShape...)
	x := gorgonia.NewTensor(call.Graph, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName("x"),
		gorgonia.WithValue(denseOf(dt, c.X, shape)))
	y, err := l.Forward(call, x)
	if err != nil {
		t.Fatalf("forward: %v", err)
	}
	dy := gorgonia.NodeFromAny(call.Graph, denseOf(dt, c.DY, y.Shape()), gorgonia.WithName("dy"))
	cost, err := gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, dy)))
	if err != nil {
		t.Fatal(err)
	}
	wrt := gorgonia.Nodes{x}
	var wrtNames []string
	for _, w := range c.DWeights {
		n, ok := call.Lookup(byName[w.Name])
		if !ok {
			t.Fatalf("weight %s is not in the graph", w.Name)
		}
		wrt = append(wrt, n)
		wrtNames = append(wrtNames, w.Name)
	}
	if _, err := gorgonia.Grad(cost, wrt...); err != nil {
		t.Fatalf("gradients: %v", err)
	}
	// As the trainer runs a training graph: the updates' nodes watched, so
	// that their values are copied as they are computed (the machine reuses
	// a value's memory once its last reader has run).
	watch := []interface{}{y}
	for _, u := range call.Updates() {
		watch = append(watch, u.Node)
	}
	vm := gorgonia.NewTapeMachine(call.Graph, gorgonia.BindDualValues(wrt...), gorgonia.TraceExec(), gorgonia.WithWatchlist(watch...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	compare(t, "y", valuesOf(y.Value()), c.Y, c.RTol, c.ATol)
	gx, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "dx", valuesOf(gx), c.DX, c.RTol, c.ATol)
	for i, w := range c.DWeights {
		g, err := wrt[i+1].Grad()
		if err != nil {
			t.Fatal(err)
		}
		compare(t, "d"+wrtNames[i], valuesOf(g), w.Values, c.RTol, c.ATol)
	}
	if len(c.Updated) > 0 {
		for _, u := range call.Updates() {
			v, ok := u.Node.Value().(*tensor.Dense)
			if !ok {
				t.Fatalf("update of %v holds %T", u.Node, u.Node.Value())
			}
			if err := u.Apply(v); err != nil {
				t.Fatal(err)
			}
		}
		for _, w := range c.Updated {
			compare(t, w.Name+" after the run", valuesOf(byName[w.Name].Value), w.Values, c.RTol, c.ATol)
		}
	}
}

func denseOf(dt tensor.Dtype, v []float64, shape []int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

func setValues(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	}
}

func valuesOf(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	return nil
}

// compare reports the values of got that are not within atol + rtol·|want|
// of want.
func compare(t *testing.T, what string, got, want []float64, rtol, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	bad, first := 0, ""
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= atol+rtol*math.Abs(want[i])) {
			if bad == 0 {
				first = fmt.Sprintf("[%d] = %.17g, want %.17g (|diff| %.3g)", i, got[i], want[i], d)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ, first %s", what, bad, len(got), first)
	}
}
