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

// The reference CNN of DESIGN on 28x28 images: conv 32 3x3 ReLU, max-pool
// 2, conv 64 3x3 ReLU, max-pool 2, dense 128 ReLU, dense 10; float32,
// batch 128, Adam.

func benchImages() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	x = randomMatrix(rng, benchBatch, 784)
	labels := make([]float32, benchBatch)
	for i := range labels {
		labels[i] = float32(rng.Intn(10))
	}
	return x, tensor.New(tensor.WithShape(benchBatch), tensor.WithBacking(labels))
}

// BenchmarkCNNTrainStep times one training step of the reference CNN
// through Profundo's Fit: one epoch of one batch per iteration.
func BenchmarkCNNTrainStep(b *testing.B) {
	x, y := benchImages()
	m, err := models.NewSmallCNN(layers.Shape{784}, 10, 0)
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{}}); err != nil {
		b.Fatal(err)
	}
	cfg := trainer.FitConfig{Epochs: 1, BatchSize: benchBatch, Silent: true, NoShuffle: true}
	if _, err := m.Fit(context.Background(), x, y, cfg); err != nil {
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

// BenchmarkRawGorgoniaCNNTrainStep is the same network written directly
// in Gorgonia, as its convnet example does (NCHW, gorgonia.Conv2d without
// bias, Rectify, MaxPool2D, Reshape, LogSoftMax against one-hot targets),
// with Gorgonia's Adam: the baseline Profundo's convolution ops replace.
func BenchmarkRawGorgoniaCNNTrainStep(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	g := gorgonia.NewGraph()
	xt := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(benchBatch, 1, 28, 28))
	yt := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(benchBatch, 10))
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(benchBatch, 1, 28, 28), gorgonia.WithName("x"), gorgonia.WithValue(xt))
	y := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(benchBatch, 10), gorgonia.WithName("y"), gorgonia.WithValue(yt))
	weight := func(name string, shape ...int) *gorgonia.Node {
		n := 1
		for _, d := range shape {
			n *= d
		}
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = float32(rng.NormFloat64() * 0.05)
		}
		return gorgonia.NewTensor(g, tensor.Float32, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name),
			gorgonia.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))))
	}
	k1, k2 := weight("k1", 32, 1, 3, 3), weight("k2", 64, 32, 3, 3)
	w3, b3 := weight("w3", 1600, 128), weight("b3", 128)
	w4, b4 := weight("w4", 128, 10), weight("b4", 10)
	learnables := gorgonia.Nodes{k1, k2, w3, b3, w4, b4}
	must := gorgonia.Must
	h := must(gorgonia.Conv2d(x, k1, tensor.Shape{3, 3}, []int{0, 0}, []int{1, 1}, []int{1, 1}))
	h = must(gorgonia.MaxPool2D(must(gorgonia.Rectify(h)), tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
	h = must(gorgonia.Conv2d(h, k2, tensor.Shape{3, 3}, []int{0, 0}, []int{1, 1}, []int{1, 1}))
	h = must(gorgonia.MaxPool2D(must(gorgonia.Rectify(h)), tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
	h = must(gorgonia.Reshape(h, tensor.Shape{benchBatch, 1600}))
	h = must(gorgonia.Rectify(must(gorgonia.BroadcastAdd(must(gorgonia.Mul(h, w3)), b3, nil, []byte{0}))))
	h = must(gorgonia.BroadcastAdd(must(gorgonia.Mul(h, w4)), b4, nil, []byte{0}))
	logp := must(gorgonia.LogSoftMax(h))
	loss := must(gorgonia.Neg(must(gorgonia.Mean(must(gorgonia.Sum(must(gorgonia.HadamardProd(y, logp)), 1))))))
	if _, err := gorgonia.Grad(loss, learnables...); err != nil {
		b.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(learnables...))
	defer vm.Close()
	xs, labels := benchImages()
	copy(xt.Data().([]float32), xs.Data().([]float32))
	onehot := yt.Data().([]float32)
	for i, l := range labels.Data().([]float32) {
		onehot[i*10+int(l)] = 1
	}
	solver := gorgonia.NewAdamSolver(gorgonia.WithLearnRate(1e-3))
	grads := gorgonia.NodesToValueGrads(learnables)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		if err := solver.Step(grads); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkPredictOne times one-row predictions, as a server answering
// single requests makes them, for the reference MLP and CNN.
func BenchmarkPredictOne(b *testing.B) {
	for _, name := range []string{"mlp", "cnn"} {
		b.Run(name, func(b *testing.B) {
			var m *models.Sequential
			var err error
			if name == "mlp" {
				m, err = models.NewMLP(layers.Shape{784}, benchSizes[:2], 0, 10)
			} else {
				m, err = models.NewSmallCNN(layers.Shape{784}, 10, 0)
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}}); err != nil {
				b.Fatal(err)
			}
			x, _ := benchImages()
			one := tensor.New(tensor.WithShape(1, 784), tensor.WithBacking(x.Data().([]float32)[:784]))
			ctx := context.Background()
			if _, err := m.Predict(ctx, one); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Predict(ctx, one); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
