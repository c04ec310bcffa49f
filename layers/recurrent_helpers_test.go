package layers_test

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// rnnBuild builds l, named after its kind when it has no name, in dtype dt
// for input in, with weights from seed.
func rnnBuild(t testing.TB, l layers.Layer, in layers.Shape, dt tensor.Dtype, seed int64) layers.Shape {
	t.Helper()
	if l.LayerName() == "" {
		l.SetLayerName(l.Kind())
	}
	out, err := l.Build(&layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(seed)), Name: l.LayerName()}, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rnnTensor returns v as a tensor of dtype dt and the given shape.
func rnnTensor(dt tensor.Dtype, shape tensor.Shape, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// rnnNode adds an input node holding v, of the given shape, to c's graph.
func rnnNode(c *layers.Call, name string, shape tensor.Shape, v []float64) *gorgonia.Node {
	t := rnnTensor(c.DType, shape, v)
	return gorgonia.NewTensor(c.Graph, c.DType, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(t))
}

// rnnRandom returns n normal values from seed.
func rnnRandom(seed int64, n int) []float64 {
	rng := rand.New(rand.NewSource(seed))
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// rnnFloats copies the values of a tensor as float64s.
func rnnFloats(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// rnnRun runs c's graph once (filling its feeds from seed 7) and returns
// the values of nodes.
func rnnRun(t testing.TB, c *layers.Call, nodes ...*gorgonia.Node) [][]float64 {
	t.Helper()
	vals := make([]gorgonia.Value, len(nodes))
	for i, n := range nodes {
		gorgonia.Read(n, &vals[i])
	}
	rng := rand.New(rand.NewSource(7))
	for _, f := range c.Feeds() {
		f.Fill(rng, f.Value)
	}
	m := gorgonia.NewTapeMachine(c.Graph)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(nodes))
	for i, v := range vals {
		out[i] = rnnFloats(v)
	}
	return out
}

// rnnSetWeight writes v into w.
func rnnSetWeight(t testing.TB, w *layers.Weight, v []float64) {
	t.Helper()
	if len(v) != w.Params() {
		t.Fatalf("%s: %d values for %v", w.Name, len(v), w.Value.Shape())
	}
	switch d := w.Value.Data().(type) {
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	case []float64:
		copy(d, v)
	}
}

// rnnClose reports the first value of got more than tol away from want.
func rnnClose(t testing.TB, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol) {
			t.Fatalf("%s[%d] = %v, want %v (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}

// rnnWeights returns the weights of l by their last part: "kernel",
// "recurrent_kernel", "bias".
func rnnWeights(t testing.TB, ws []*layers.Weight, prefix string) map[string]*layers.Weight {
	t.Helper()
	out := map[string]*layers.Weight{}
	for _, w := range ws {
		if len(w.Name) > len(prefix) && w.Name[:len(prefix)] == prefix {
			out[w.Name[len(prefix):]] = w
		}
	}
	if len(out) == 0 {
		t.Fatalf("no weight starts with %q", prefix)
	}
	return out
}
