// Package layertest is the shared test harness every Profundo layer's test
// calls, as httptest is for handlers: one Check that builds the layer and
// verifies its output shape, its weights and its gradients.
//
// A layer's test calls it once per configuration worth checking:
//
//	func TestDense(t *testing.T) {
//		layertest.Check(t, &layers.Dense{Units: 4, Activation: layers.Tanh},
//			layers.Shape{5}, layers.Shape{4}, layertest.Options{})
//	}
//
// Check works in float64, with a random normal input, so that finite
// differences are accurate; layers whose input is not differentiable (word
// ids, say) set Options.IDs to get random integer ids instead. Merge layers
// (layers.Merger) have CheckMerge, which does the same for several inputs:
//
//	layertest.CheckMerge(t, &layers.Concatenate{},
//		[]layers.Shape{{2}, {3}}, layers.Shape{5}, layertest.Options{})
package layertest

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/layers"
)

// Options tunes Check. The zero value works.
type Options struct {
	// Batch is the batch size of the graphs. Zero means 3.
	Batch int
	// Seed seeds the weights, the input, the random projection of the output
	// and the feeds. Zero is a seed like any other.
	Seed int64
	// Training selects the graph whose gradient is checked: false checks the
	// inference graph, true the training graph, with every feed (a dropout
	// mask, say) filled once from a seeded source and kept for all runs.
	// Both graphs have their shapes checked either way.
	Training bool
	// Tol is the gradient tolerance, as gradcheck.Options.Tol. Zero means
	// gradcheck's default, 1e-4.
	Tol float64
	// Eps is the finite-difference step, as gradcheck.Options.Eps. Zero means
	// gradcheck's default, 1e-6.
	Eps float64
	// IDs, when > 0, makes the input random integer ids in [0, IDs), as
	// float64 values, for layers whose input is indices (Embedding); the
	// input's gradient is then not checked, only the weights'. Zero means a
	// random normal input whose gradient is checked.
	IDs int
}

// Check builds l in float64 for the per-sample input shape in and reports
// through t, with t.Errorf (never t.Fatal, so it can be called from any
// goroutine), everything that is wrong:
//
//   - Build fails, or returns a shape other than want, or changes in;
//   - Kind is empty;
//   - a weight's name is not "<layer>/<weight>" with both parts non-empty, or
//     is not unique, or its value is not a non-empty float64 tensor;
//   - Weights does not list the same weights on a second call;
//   - Forward fails on an inference or a training graph of batch Batch, or
//     returns a node other than float64 [Batch, want...], or the graph fails
//     to run;
//   - the inference graph has feeds, or the training graph's learnables are
//     not exactly the trainable weights;
//   - the gradient of sum(out ⊙ R), R a fixed random tensor of out's shape,
//     with respect to the input (unless Options.IDs) and to every trainable
//     weight differs from central finite differences (see gradcheck);
//   - the weights' values changed during the check.
//
// If l has no name, Check names it "layer".
func Check(t testing.TB, l layers.Layer, in layers.Shape, want layers.Shape, opt Options) {
	t.Helper()
	if opt.Batch == 0 {
		opt.Batch = 3
	}
	if opt.Batch < 0 {
		t.Errorf("layertest: batch must be > 0, got %d", opt.Batch)
		return
	}
	if l.LayerName() == "" {
		l.SetLayerName("layer")
	}
	name := l.LayerName()
	if l.Kind() == "" {
		t.Errorf("layer %q: Kind is empty", name)
	}

	rng := rand.New(rand.NewSource(opt.Seed))
	b := &layers.Builder{DType: tensor.Float64, RNG: rng, Name: name}
	inCopy := in.Clone()
	got, err := l.Build(b, inCopy)
	if err != nil {
		t.Errorf("layer %q: Build(%v): %v", name, in, err)
		return
	}
	if !inCopy.Equal(in) {
		t.Errorf("layer %q: Build changed its input shape from %v to %v", name, in, inCopy)
	}
	if !got.Equal(want) {
		t.Errorf("layer %q: Build(%v) returned output shape %v, want %v", name, in, got, want)
		return
	}
	checkBuilt(t, subject{
		name:    name,
		weights: l.Weights,
		forward: func(c *layers.Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
			return l.Forward(c, xs[0])
		},
	}, []layers.Shape{in}, want, opt)
}

// subject is what Check and CheckMerge check: a layer of one input or a
// merge layer of several.
type subject struct {
	name    string
	weights func() []*layers.Weight
	forward func(c *layers.Call, xs []*gorgonia.Node) (*gorgonia.Node, error)
	// merge relaxes and extends the checks for merge layers: their
	// inference graphs may have feeds, their losses are part of the cost
	// whose gradient is checked, and a prediction graph must have none.
	merge bool
}

// checkBuilt checks a built subject's weights and graphs.
func checkBuilt(t testing.TB, s subject, in []layers.Shape, want layers.Shape, opt Options) {
	t.Helper()
	if !checkWeights(t, s.name, s.weights) {
		return
	}
	before := snapshot(s.weights())

	for _, training := range []bool{false, true} {
		checkGraph(t, s, in, want, opt, training)
	}
	if s.merge {
		checkPrediction(t, s, in, want, opt)
	}

	for i, w := range s.weights() {
		if !equalFloats(w.Value.Float64s(), before[i]) {
			t.Errorf("layer %q: weight %q changed during the check", s.name, w.Name)
		}
	}
}

// checkWeights reports bad weight names and values; it returns false when the
// weights are unusable for the gradient check.
func checkWeights(t testing.TB, name string, weights func() []*layers.Weight) bool {
	t.Helper()
	ok := true
	seen := map[string]bool{}
	ws := weights()
	for i, w := range ws {
		if w == nil {
			t.Errorf("layer %q: weight %d is nil", name, i)
			ok = false
			continue
		}
		suffix, hasPrefix := strings.CutPrefix(w.Name, name+"/")
		if !hasPrefix || suffix == "" {
			t.Errorf("layer %q: weight %d is named %q, want %q", name, i, w.Name, name+"/<weight>")
		}
		if seen[w.Name] {
			t.Errorf("layer %q: weight name %q is used twice", name, w.Name)
		}
		seen[w.Name] = true
		if w.Value == nil {
			t.Errorf("layer %q: weight %q has no value", name, w.Name)
			ok = false
			continue
		}
		if w.Value.Dtype() != tensor.Float64 {
			t.Errorf("layer %q: weight %q is %v in a float64 model", name, w.Name, w.Value.Dtype())
			ok = false
		}
		if w.Value.Shape().TotalSize() == 0 || w.Params() == 0 {
			t.Errorf("layer %q: weight %q is empty, shape %v", name, w.Name, w.Value.Shape())
			ok = false
		}
	}
	again := weights()
	if len(again) != len(ws) {
		t.Errorf("layer %q: Weights listed %d weights, then %d", name, len(ws), len(again))
		return ok
	}
	for i := range ws {
		if again[i] != ws[i] {
			t.Errorf("layer %q: Weights is not stable: weight %d changed between calls", name, i)
		}
	}
	return ok
}

// checkGraph builds one graph (inference or training), checks its output
// node and its bookkeeping, and either checks its gradient (the mode
// opt.Training selects) or runs it once.
func checkGraph(t testing.TB, s subject, in []layers.Shape, want layers.Shape, opt Options, training bool) {
	t.Helper()
	name := s.name
	mode := "inference"
	if training {
		mode = "training"
	}
	rng := rand.New(rand.NewSource(opt.Seed + 1))
	c := layers.NewCall(tensor.Float64, opt.Batch, training)
	c.InputGrads = true
	xs := inputs(c, rng, in, opt, s.merge)
	out, err := forward(s, c, xs)
	if err != nil {
		t.Errorf("layer %q: Forward on the %s graph: %v", name, mode, err)
		return
	}
	wantFull := want.WithBatch(opt.Batch)
	if out == nil {
		t.Errorf("layer %q: Forward on the %s graph returned a nil node", name, mode)
		return
	}
	if !out.Shape().Eq(wantFull) || (s.merge && out.Dims() != len(wantFull)) {
		t.Errorf("layer %q: Forward on the %s graph gives shape %v, want %v", name, mode, out.Shape(), wantFull)
		return
	}
	if out.Dtype() != tensor.Float64 {
		t.Errorf("layer %q: Forward on the %s graph gives %v, want float64", name, mode, out.Dtype())
		return
	}

	// Copy the learnables before c.Node adds any weight Forward did not use.
	learnables := append(gorgonia.Nodes(nil), c.Learnables()...)
	var trainable gorgonia.Nodes
	for _, w := range s.weights() {
		if w.Trainable {
			trainable = append(trainable, c.Node(w))
		}
	}
	if training {
		if !sameNodes(learnables, trainable) {
			t.Errorf("layer %q: the training graph's learnables are %v, want the trainable weights %v", name, names(learnables), names(trainable))
		}
	} else if len(c.Feeds()) > 0 && !s.merge {
		t.Errorf("layer %q: the inference graph has %d feeds, want none", name, len(c.Feeds()))
	}
	for _, f := range c.Feeds() {
		if f.Fill != nil {
			f.Fill(rng, f.Value)
		}
	}

	if training != opt.Training {
		// Only run this graph, to check it computes a value of the right shape.
		if err := run(out); err != nil {
			t.Errorf("layer %q: running the %s graph: %v", name, mode, err)
		}
		return
	}
	rv := randNormal(rng, wantFull)
	r := gorgonia.NewTensor(c.Graph, tensor.Float64, rv.Dims(),
		gorgonia.WithShape(rv.Shape()...), gorgonia.WithName("layertest/R"), gorgonia.WithValue(rv))
	cost, err := projection(out, r)
	if err != nil {
		t.Errorf("layer %q: building sum(out * R) on the %s graph: %v", name, mode, err)
		return
	}
	if s.merge {
		if cost, err = c.TotalLoss(cost); err != nil {
			t.Errorf("layer %q: adding the layer's losses on the %s graph: %v", name, mode, err)
			return
		}
	}
	wrt := append(append(gorgonia.Nodes(nil), xs...), trainable...)
	if opt.IDs > 0 {
		// Ids are not differentiable: only the weights are checked.
		wrt = trainable
		if len(wrt) == 0 {
			if err := run(out); err != nil {
				t.Errorf("layer %q: running the %s graph: %v", name, mode, err)
			}
			return
		}
	}
	if err := gradcheck.Graph(cost, wrt, gradcheck.Options{Eps: opt.Eps, Tol: opt.Tol}); err != nil {
		t.Errorf("layer %q: gradient on the %s graph: %v", name, mode, err)
	}
}

// inputs adds the input nodes of a graph, bound to random values drawn
// from rng in order: "x" for a layer, "x0", "x1"... for a merge layer.
func inputs(c *layers.Call, rng *rand.Rand, in []layers.Shape, opt Options, merge bool) []*gorgonia.Node {
	xs := make([]*gorgonia.Node, len(in))
	for i, s := range in {
		var xv *tensor.Dense
		if opt.IDs > 0 {
			xv = randIDs(rng, s.WithBatch(opt.Batch), opt.IDs)
		} else {
			xv = randNormal(rng, s.WithBatch(opt.Batch))
		}
		name := "x"
		if merge {
			name = fmt.Sprintf("x%d", i)
		}
		xs[i] = gorgonia.NewTensor(c.Graph, tensor.Float64, xv.Dims(),
			gorgonia.WithShape(xv.Shape()...), gorgonia.WithName(name), gorgonia.WithValue(xv))
	}
	return xs
}

// forward calls s.forward, turning a panic into an error.
func forward(s subject, c *layers.Call, xs []*gorgonia.Node) (out *gorgonia.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("panic: %v", r)
		}
	}()
	return s.forward(c, xs)
}

func projection(out, r *gorgonia.Node) (*gorgonia.Node, error) {
	p, err := gorgonia.HadamardProd(out, r)
	if err != nil {
		return nil, err
	}
	return gorgonia.Sum(p)
}

// run runs out's graph once and checks the value's shape.
func run(out *gorgonia.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("panic: %v", r)
		}
	}()
	m := gorgonia.NewTapeMachine(out.Graph())
	defer m.Close()
	if err := m.RunAll(); err != nil {
		return err
	}
	if v := out.Value(); v == nil || !v.Shape().Eq(out.Shape()) {
		return errors.Errorf("the output value does not have the node's shape %v", out.Shape())
	}
	return nil
}

func randNormal(rng *rand.Rand, shape tensor.Shape) *tensor.Dense {
	v := make([]float64, shape.TotalSize())
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// randIDs is a tensor of random integers in [0, n), as float64 values.
func randIDs(rng *rand.Rand, shape tensor.Shape, n int) *tensor.Dense {
	v := make([]float64, shape.TotalSize())
	for i := range v {
		v[i] = float64(rng.Intn(n))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func snapshot(ws []*layers.Weight) [][]float64 {
	s := make([][]float64, len(ws))
	for i, w := range ws {
		s[i] = append([]float64(nil), w.Value.Float64s()...)
	}
	return s
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameNodes(a, b gorgonia.Nodes) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[*gorgonia.Node]bool{}
	for _, n := range a {
		set[n] = true
	}
	for _, n := range b {
		if !set[n] {
			return false
		}
	}
	return true
}

func names(ns gorgonia.Nodes) []string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.Name()
	}
	return s
}
