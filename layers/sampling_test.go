package layers_test

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// samplingGraph builds s for [latent] inputs and adds it to a graph of
// batch size batch holding mean and logVar; it returns the call, z and the
// feed of ε.
func samplingGraph(t testing.TB, s *layers.Sampling, dt tensor.Dtype, training, noLosses bool, batch int, mean, logVar []float64) (*layers.Call, *gorgonia.Node, *layers.Feed) {
	t.Helper()
	latent := len(mean) / batch
	mergeBuild(t, s, dt, layers.Shape{latent}, layers.Shape{latent})
	c := layers.NewCall(dt, batch, training)
	c.NoLosses = noLosses
	full := tensor.Shape{batch, latent}
	z, err := s.ForwardMerge(c, []*gorgonia.Node{rnnNode(c, "mean", full, mean), rnnNode(c, "log_var", full, logVar)})
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Shape()) != 2 || !z.Shape().Eq(full) || z.Dtype() != dt {
		t.Fatalf("z is %v %v, want %v %v", z.Shape(), z.Dtype(), full, dt)
	}
	if len(c.Feeds()) != 1 {
		t.Fatalf("%d feeds, want 1 (epsilon)", len(c.Feeds()))
	}
	f := c.Feeds()[0]
	if f.Node.Name() != s.Name+"/epsilon" || !f.Value.Shape().Eq(full) {
		t.Fatalf("feed %q %v, want %q %v", f.Node.Name(), f.Value.Shape(), s.Name+"/epsilon", full)
	}
	return c, z, f
}

// runSampling fills the feeds from seed, runs c's graph and returns the
// values of nodes.
func runSampling(t testing.TB, c *layers.Call, seed int64, nodes ...*gorgonia.Node) [][]float64 {
	t.Helper()
	vals := make([]gorgonia.Value, len(nodes))
	for i, n := range nodes {
		gorgonia.Read(n, &vals[i])
	}
	rng := rand.New(rand.NewSource(seed))
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
		switch d := v.Data().(type) {
		case float32: // a scalar
			out[i] = []float64{float64(d)}
		case float64:
			out[i] = []float64{d}
		default:
			out[i] = rnnFloats(v)
		}
	}
	return out
}

// TestSamplingStandardNormal draws 2000 x 4 samples with mean 0 and
// log_var 0, in every kind of graph: they are N(0, 1).
func TestSamplingStandardNormal(t *testing.T) {
	const batch, latent = 2000, 4
	zeros := make([]float64, batch*latent)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, mode := range []struct {
			name               string
			training, noLosses bool
		}{{"training", true, false}, {"evaluation", false, false}, {"prediction", false, true}} {
			c, z, _ := samplingGraph(t, &layers.Sampling{Name: "z"}, dt, mode.training, mode.noLosses, batch, zeros, zeros)
			got := runSampling(t, c, 3, z)[0]
			mean, variance := meanVar(got)
			if math.Abs(mean) > 0.05 || math.Abs(variance-1) > 0.06 {
				t.Errorf("%v %s: samples have mean %.4f and variance %.4f, want 0 and 1", dt, mode.name, mean, variance)
			}
		}
	}
}

// TestSamplingValues checks z = mean + exp(log_var/2)·ε against the feed,
// in float32 and float64.
func TestSamplingValues(t *testing.T) {
	mean := []float64{0.5, -1, 0, 2, 3, -0.25}
	logVar := []float64{0.2, -0.3, 1, 0, -2, 0.7}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		c, z, f := samplingGraph(t, &layers.Sampling{Name: "z"}, dt, true, false, 2, mean, logVar)
		got := runSampling(t, c, 11, z)[0]
		eps := rnnFloats(f.Value)
		want := make([]float64, len(mean))
		for i := range want {
			want[i] = mean[i] + math.Exp(0.5*logVar[i])*eps[i]
		}
		rnnClose(t, dt.String()+" z", got, want, 1e-5)
	}
}

// TestSamplingSeeds checks that the same seed draws the same samples, in
// separate graphs, and another seed other samples.
func TestSamplingSeeds(t *testing.T) {
	mean := []float64{0.5, -1, 0, 2, 3, -0.25}
	logVar := []float64{0.2, -0.3, 1, 0, -2, 0.7}
	draw := func(seed int64) []float64 {
		c, z, _ := samplingGraph(t, &layers.Sampling{Name: "z"}, tensor.Float32, false, true, 3, mean, logVar)
		return runSampling(t, c, seed, z)[0]
	}
	a, b, other := draw(5), draw(5), draw(6)
	rnnClose(t, "same seed", b, a, 0)
	same := 0
	for i := range a {
		if a[i] == other[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 5 and 6 drew %d equal samples of %d: %v and %v", same, len(a), a, other)
	}
}

// TestSamplingKL checks the KL divergence against a hand computation, and
// which graphs have it.
func TestSamplingKL(t *testing.T) {
	mean := []float64{0.5, -1, 0, 2}
	logVar := []float64{0.2, -0.3, 1, 0}
	// Σ -½ (1 + log_var - mean² - exp(log_var)) over both samples:
	// 0.1357014 + 0.5204091 + 0.3591409 + 2 = 3.0152514; per sample
	// 1.5076257; weighted by 0.5: 0.7538129.
	want := 0.0
	for i := range mean {
		want += -0.5 * (1 + logVar[i] - mean[i]*mean[i] - math.Exp(logVar[i]))
	}
	want = 0.5 * want / 2
	if math.Abs(want-0.7538129) > 1e-6 {
		t.Fatalf("hand computation %v, want 0.7538129", want)
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, training := range []bool{true, false} {
			c, z, _ := samplingGraph(t, &layers.Sampling{Name: "z", KLWeight: 0.5}, dt, training, false, 2, mean, logVar)
			losses := c.Losses()
			if len(losses) != 1 {
				t.Fatalf("%v training %v: %d losses, want 1", dt, training, len(losses))
			}
			if !losses[0].IsScalar() || losses[0].Dtype() != dt {
				t.Fatalf("loss is %v %v, want a %v scalar", losses[0].Shape(), losses[0].Dtype(), dt)
			}
			got := runSampling(t, c, 1, z, losses[0])[1]
			rnnClose(t, dt.String()+" kl", got, []float64{want}, 1e-6)
		}
	}
	for _, tt := range []struct {
		name     string
		weight   float64
		noLosses bool
	}{{"no weight", 0, false}, {"prediction graph", 1, true}} {
		c, _, _ := samplingGraph(t, &layers.Sampling{Name: "z", KLWeight: tt.weight}, tensor.Float64, true, tt.noLosses, 2, mean, logVar)
		if n := len(c.Losses()); n != 0 {
			t.Errorf("%s: %d losses, want none", tt.name, n)
		}
	}
}

// TestSamplingKLGradient checks the gradients of the KL divergence by hand:
// weight·mean/batch for the mean and weight·(exp(log_var) - 1)/(2·batch)
// for log_var (z is left out of the cost).
func TestSamplingKLGradient(t *testing.T) {
	mean := []float64{0.5, -1, 0, 2}
	logVar := []float64{0.2, -0.3, 1, 0}
	const weight, batch = 3.0, 2
	s := &layers.Sampling{Name: "z", KLWeight: weight}
	mergeBuild(t, s, tensor.Float64, layers.Shape{2}, layers.Shape{2})
	c := layers.NewCall(tensor.Float64, batch, true)
	m := rnnNode(c, "mean", tensor.Shape{2, 2}, mean)
	lv := rnnNode(c, "log_var", tensor.Shape{2, 2}, logVar)
	if _, err := s.ForwardMerge(c, []*gorgonia.Node{m, lv}); err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(c.Losses()[0], m, lv); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Feeds() {
		f.Fill(rand.New(rand.NewSource(1)), f.Value)
	}
	vm := gorgonia.NewTapeMachine(c.Graph, gorgonia.BindDualValues(m, lv))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	dm, err := m.Grad()
	if err != nil {
		t.Fatal(err)
	}
	dlv, err := lv.Grad()
	if err != nil {
		t.Fatal(err)
	}
	wantM, wantLV := make([]float64, 4), make([]float64, 4)
	for i := range mean {
		wantM[i] = weight * mean[i] / batch
		wantLV[i] = weight * (math.Exp(logVar[i]) - 1) / (2 * batch)
	}
	rnnClose(t, "d kl / d mean", rnnFloats(dm), wantM, 1e-12)
	rnnClose(t, "d kl / d log_var", rnnFloats(dlv), wantLV, 1e-12)
}
