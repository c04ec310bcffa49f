package layertest

import (
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// CheckMerge is Check for a merge layer: it builds m in float64 for the
// per-sample input shapes in and reports through t, with t.Errorf,
// everything Check would, plus what is particular to merge layers:
//
//   - BuildMerge fails, returns a shape other than want, or changes in;
//   - ForwardMerge returns a node whose shape is not exactly [Batch, want...]
//     (no unit axis dropped);
//   - the gradient of sum(out ⊙ R) plus every loss the layer added to the
//     graph (Call.AddLoss), with respect to every input (unless
//     Options.IDs, which makes every input ids) and every trainable
//     weight, differs from central finite differences;
//   - a prediction graph (not training, Call.NoLosses) fails to build or
//     run, or has losses.
//
// Unlike Check, it lets inference graphs have feeds (Sampling draws its
// noise in every graph); every feed is filled once from a seeded source
// and kept for all the runs of the check. The inputs are random normal
// values, drawn for each graph from one seeded source in the order of in.
//
// If m has no name, CheckMerge names it "layer".
func CheckMerge(t testing.TB, m layers.Merger, in []layers.Shape, want layers.Shape, opt Options) {
	t.Helper()
	if opt.Batch == 0 {
		opt.Batch = 3
	}
	if opt.Batch < 0 {
		t.Errorf("layertest: batch must be > 0, got %d", opt.Batch)
		return
	}
	if m.LayerName() == "" {
		m.SetLayerName("layer")
	}
	name := m.LayerName()
	if m.Kind() == "" {
		t.Errorf("layer %q: Kind is empty", name)
	}

	rng := rand.New(rand.NewSource(opt.Seed))
	b := &layers.Builder{DType: tensor.Float64, RNG: rng, Name: name}
	inCopy := make([]layers.Shape, len(in))
	for i, s := range in {
		inCopy[i] = s.Clone()
	}
	got, err := m.BuildMerge(b, inCopy)
	if err != nil {
		t.Errorf("layer %q: BuildMerge(%v): %v", name, in, err)
		return
	}
	for i := range in {
		if !inCopy[i].Equal(in[i]) {
			t.Errorf("layer %q: BuildMerge changed input shape %d from %v to %v", name, i, in[i], inCopy[i])
		}
	}
	if !got.Equal(want) {
		t.Errorf("layer %q: BuildMerge(%v) returned output shape %v, want %v", name, in, got, want)
		return
	}
	checkBuilt(t, subject{name: name, weights: m.Weights, forward: m.ForwardMerge, merge: true}, in, want, opt)
}

// checkPrediction builds and runs a prediction graph, which must have no
// losses.
func checkPrediction(t testing.TB, s subject, in []layers.Shape, want layers.Shape, opt Options) {
	t.Helper()
	rng := rand.New(rand.NewSource(opt.Seed + 2))
	c := layers.NewCall(tensor.Float64, opt.Batch, false)
	c.NoLosses = true
	xs := inputs(c, rng, in, opt, true)
	out, err := forward(s, c, xs)
	if err != nil {
		t.Errorf("layer %q: Forward on the prediction graph: %v", s.name, err)
		return
	}
	wantFull := want.WithBatch(opt.Batch)
	if out == nil || out.Dims() != len(wantFull) || !out.Shape().Eq(wantFull) {
		var shape tensor.Shape
		if out != nil {
			shape = out.Shape()
		}
		t.Errorf("layer %q: Forward on the prediction graph gives shape %v, want %v", s.name, shape, wantFull)
		return
	}
	if n := len(c.Losses()); n > 0 {
		t.Errorf("layer %q: the prediction graph (NoLosses) has %d losses, want none", s.name, n)
	}
	for _, f := range c.Feeds() {
		if f.Fill != nil {
			f.Fill(rng, f.Value)
		}
	}
	if err := run(out); err != nil {
		t.Errorf("layer %q: running the prediction graph: %v", s.name, err)
	}
}
