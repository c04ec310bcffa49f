package models_test

import (
	"context"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// The reference MLP of DESIGN: 784-256-128-10, float32, batch 128, Adam.
const (
	benchBatch = 128
	benchIn    = 784
)

var benchSizes = []int{256, 128, 10}

func benchData() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	x = randomMatrix(rng, benchBatch, benchIn)
	labels := make([]float32, benchBatch)
	for i := range labels {
		labels[i] = float32(rng.Intn(10))
	}
	return x, tensor.New(tensor.WithShape(benchBatch), tensor.WithBacking(labels))
}

// BenchmarkTrainStep times one training step (forward, backward, Adam) of
// the reference MLP through Profundo's Fit: one epoch of one batch per
// iteration.
func BenchmarkTrainStep(b *testing.B) {
	x, y := benchData()
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{benchIn}},
		&layers.Dense{Units: benchSizes[0], Activation: layers.ReLU},
		&layers.Dense{Units: benchSizes[1], Activation: layers.ReLU},
		&layers.Dense{Units: benchSizes[2], Activation: layers.Softmax})
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{}}); err != nil {
		b.Fatal(err)
	}
	cfg := trainer.FitConfig{Epochs: 1, BatchSize: benchBatch, Silent: true, NoShuffle: true}
	if _, err := m.Fit(context.Background(), x, y, cfg); err != nil { // build and compile the graph
		b.Fatal(err)
	}
	cfg.Epochs = b.N
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := m.Fit(context.Background(), x, y, cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "samples/s")
}

// rawMLP is the same network written directly in Gorgonia: weights from a
// seeded RNG, x·W+b with BroadcastAdd, ReLU, and a cross-entropy from
// LogSoftMax against one-hot targets.
type rawMLP struct {
	vm         gorgonia.VM
	x, y       *tensor.Dense
	learnables gorgonia.Nodes
}

func newRawMLP(b *testing.B) *rawMLP {
	rng := rand.New(rand.NewSource(1))
	g := gorgonia.NewGraph()
	xt := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(benchBatch, benchIn))
	yt := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(benchBatch, 10))
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(benchBatch, benchIn), gorgonia.WithName("x"), gorgonia.WithValue(xt))
	y := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(benchBatch, 10), gorgonia.WithName("y"), gorgonia.WithValue(yt))
	var learnables gorgonia.Nodes
	h, in := x, benchIn
	for i, units := range benchSizes {
		wt := randomMatrix(rng, in, units)
		w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(in, units), gorgonia.WithName("w"+string(rune('0'+i))), gorgonia.WithValue(wt))
		bias := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(units), gorgonia.WithName("b"+string(rune('0'+i))), gorgonia.WithValue(tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(units))))
		learnables = append(learnables, w, bias)
		h = gorgonia.Must(gorgonia.BroadcastAdd(gorgonia.Must(gorgonia.Mul(h, w)), bias, nil, []byte{0}))
		if i < len(benchSizes)-1 {
			h = gorgonia.Must(gorgonia.Rectify(h))
		}
		in = units
	}
	logp := gorgonia.Must(gorgonia.LogSoftMax(h))
	loss := gorgonia.Must(gorgonia.Neg(gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, logp)), 1))))))
	if _, err := gorgonia.Grad(loss, learnables...); err != nil {
		b.Fatal(err)
	}
	return &rawMLP{vm: gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(learnables...)), x: xt, y: yt, learnables: learnables}
}

func benchRaw(b *testing.B, solver gorgonia.Solver) {
	x, labels := benchData()
	r := newRawMLP(b)
	onehot := r.y.Data().([]float32)
	for i, l := range labels.Data().([]float32) {
		onehot[i*10+int(l)] = 1
	}
	grads := gorgonia.NodesToValueGrads(r.learnables)
	src := x.Data().([]float32)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(r.x.Data().([]float32), src)
		if err := r.vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		if err := solver.Step(grads); err != nil {
			b.Fatal(err)
		}
		r.vm.Reset()
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkRawGorgoniaTrainStep is the same step in raw Gorgonia with
// Gorgonia's own Adam solver.
func BenchmarkRawGorgoniaTrainStep(b *testing.B) {
	benchRaw(b, gorgonia.NewAdamSolver(gorgonia.WithLearnRate(1e-3)))
}

// BenchmarkRawGorgoniaProfundoAdamTrainStep is raw Gorgonia with Profundo's
// Adam: the difference from BenchmarkTrainStep is Profundo's own overhead
// (graph assembly, batching, metrics, callbacks).
func BenchmarkRawGorgoniaProfundoAdamTrainStep(b *testing.B) {
	s, err := optimizers.Adam{}.NewSolver()
	if err != nil {
		b.Fatal(err)
	}
	benchRaw(b, s)
}
