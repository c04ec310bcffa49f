// Command gan trains a generative adversarial network on MNIST (or
// Fashion-MNIST): a convolutional generator (a dense layer to 7x7x64, then
// two transposed convolutions of stride 2, Conv2DTranspose, to 28x28x1,
// with batch normalization and a tanh output, as in DCGAN) and a dense
// discriminator, with a training step of its own (trainer.Stepper), the way
// to train what Fit's one-loss step does not cover. Each batch, the step
// trains the discriminator on real pictures (label 1) and generated ones
// (label 0) with its own Adam, then the generator, through the combined
// model that freezes the discriminator, to make the discriminator answer 1.
// FitSteps gives the step the trainer's batching, shuffling, progress
// display, callbacks and history, and each batch's seeded random stream,
// from which the latent vectors are drawn.
//
// The losses are logged per epoch, and every few epochs a PNG grid of
// pictures generated from the same 64 latent vectors is written.
//
//	go run ./examples/gan                          # MNIST, 20 epochs
//	go run ./examples/gan --data fashion-mnist --epochs 30
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"os"
	"os/signal"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/examples/internal/pictures"
	"github.com/profundo/profundo/images"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// config is the example's settings, its flags.
type config struct {
	data, dataDir, out string
	epochs, batch      int
	latent             int
	every              int
	limit              int
	seed               int64
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", "mnist", "mnist or fashion-mnist")
	flag.StringVar(&c.dataDir, "data-dir", os.Getenv("PROFUNDO_MNIST_DIR"), "directory of the IDX files, if any (fashion-mnist is also found where Debian's dataset-fashion-mnist installs it)")
	flag.StringVar(&c.out, "out", "gan-out", "directory for the PNG grids and the saved generator")
	flag.IntVar(&c.epochs, "epochs", 20, "training epochs")
	flag.IntVar(&c.batch, "batch-size", 64, "real pictures per step (the discriminator sees as many generated ones)")
	flag.IntVar(&c.latent, "latent", 64, "size of the generator's latent vectors")
	flag.IntVar(&c.every, "grid-every", 2, "write a grid of generated pictures every n epochs")
	flag.IntVar(&c.limit, "limit", 0, "train on the first n pictures only (0: all 60,000)")
	flag.Int64Var(&c.seed, "seed", 1, "seed of the weights, the shuffling and the latent vectors")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// gan is the generator, the discriminator (compiled on its own) and the
// combined model that trains the generator through the frozen
// discriminator.
type gan struct {
	gen, disc, combined *models.Functional
	latent              int
	ones, zeros         map[int]*tensor.Dense // the generator's and the discriminator's targets, by batch size
}

func build(c config) (*gan, error) {
	z := models.Input("z", c.latent)
	g := models.Apply(&layers.Dense{Name: "g_hidden", Units: 7 * 7 * 64, Activation: layers.LeakyReLU}, z)
	g = models.Apply(&layers.BatchNormalization{Momentum: 0.8}, g)
	g = models.Apply(&layers.Reshape{Name: "g_picture", Target: []int{7, 7, 64}}, g)
	g = models.Apply(&layers.Conv2DTranspose{Name: "g_up1", Filters: 32, KernelSize: []int{4}, Strides: []int{2},
		Padding: layers.PaddingSame, Activation: layers.LeakyReLU}, g) // 14x14x32
	g = models.Apply(&layers.BatchNormalization{Momentum: 0.8}, g)
	g = models.Apply(&layers.Conv2DTranspose{Name: "g_up2", Filters: 1, KernelSize: []int{4}, Strides: []int{2},
		Padding: layers.PaddingSame, Activation: layers.Tanh}, g) // 28x28x1
	g = models.Apply(&layers.Reshape{Name: "g_pixels", Target: []int{784}}, g)
	gen, err := models.NewFunctional([]*models.Node{z}, []*models.Node{g})
	if err != nil {
		return nil, err
	}
	gen.Name = "generator"

	x := models.Input("picture", 784)
	d := models.Apply(&layers.Dense{Name: "d_hidden1", Units: 256, Activation: layers.LeakyReLU}, x)
	d = models.Apply(&layers.Dense{Name: "d_hidden2", Units: 128, Activation: layers.LeakyReLU}, d)
	d = models.Apply(&layers.Dense{Name: "d_real", Units: 1, Activation: layers.Sigmoid}, d)
	disc, err := models.NewFunctional([]*models.Node{x}, []*models.Node{d})
	if err != nil {
		return nil, err
	}
	disc.Name = "discriminator"
	adam := optimizers.Adam{LearningRate: 2e-4, Beta1: 0.5}
	err = disc.Compile(models.Config{Loss: losses.BinaryCrossentropy{}, Optimizer: adam, Seed: c.seed,
		Metrics: []metrics.Metric{&metrics.BinaryAccuracy{}}})
	if err != nil {
		return nil, err
	}

	zz := models.Input("z", c.latent)
	combined, err := models.NewFunctional([]*models.Node{zz}, []*models.Node{models.Apply(disc, models.Apply(gen, zz))})
	if err != nil {
		return nil, err
	}
	combined.Name = "gan"
	// The combined model trains the generator only; the discriminator's
	// own model goes on training it.
	if err := combined.Freeze(disc); err != nil {
		return nil, err
	}
	if err := combined.Compile(models.Config{Loss: losses.BinaryCrossentropy{}, Optimizer: adam, Seed: c.seed + 1}); err != nil {
		return nil, err
	}
	return &gan{gen: gen, disc: disc, combined: combined, latent: c.latent,
		ones: map[int]*tensor.Dense{}, zeros: map[int]*tensor.Dense{}}, nil
}

// LogNames are the step's logged values: the discriminator's loss and
// accuracy (on real and generated pictures together) and the generator's
// loss.
func (g *gan) LogNames() []string { return []string{"d_loss", "d_accuracy", "g_loss"} }

// TrainStep is one discriminator step and one generator step.
func (g *gan) TrainStep(b *trainer.Batch) (trainer.Logs, error) {
	real := b.Data.X[0]
	n := real.Shape()[0]
	ctx := context.Background()
	fakes, err := g.gen.Predict(ctx, g.noise(b.RNG, n))
	if err != nil {
		return nil, err
	}
	fake := fakes[0]
	// The discriminator: real pictures are 1, generated ones 0.
	both := tensor.New(tensor.WithShape(2*n, 784), tensor.WithBacking(append(append([]float32(nil), real.Data().([]float32)...), fake.Data().([]float32)...)))
	dl, err := g.disc.TrainOnBatch(both, g.labels(n), b.RNG)
	if err != nil {
		return nil, err
	}
	// The generator: make the (frozen) discriminator answer 1.
	gl, err := g.combined.TrainOnBatch(g.noise(b.RNG, n), g.target(g.ones, n, 1), b.RNG)
	if err != nil {
		return nil, err
	}
	return trainer.Logs{"d_loss": dl["loss"], "d_accuracy": dl["binary_accuracy"], "g_loss": gl["loss"]}, nil
}

// noise draws n latent vectors from N(0, I).
func (g *gan) noise(rng *rand.Rand, n int) *tensor.Dense {
	z := make([]float32, n*g.latent)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(n, g.latent), tensor.WithBacking(z))
}

// labels returns the discriminator's targets for n real then n generated
// pictures: n ones then n zeros, kept for the next batch of n.
func (g *gan) labels(n int) *tensor.Dense {
	if t, ok := g.zeros[n]; ok {
		return t
	}
	data := make([]float32, 2*n)
	for i := 0; i < n; i++ {
		data[i] = 1
	}
	t := tensor.New(tensor.WithShape(2*n, 1), tensor.WithBacking(data))
	g.zeros[n] = t
	return t
}

// target returns an [n, 1] tensor of v, kept for the next batch of n.
func (g *gan) target(cache map[int]*tensor.Dense, n int, v float32) *tensor.Dense {
	if t, ok := cache[n]; ok {
		return t
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = v
	}
	t := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(data))
	cache[n] = t
	return t
}

// result is what a run measured.
type result struct {
	hist  *trainer.History
	grids []string // the PNG grids written, in order
}

func run(ctx context.Context, c config, w io.Writer) (*result, error) {
	set, err := pictures.Load(ctx, c.data, c.dataDir, c.limit, 1)
	if err != nil {
		return nil, err
	}
	g, err := build(c)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, g.gen.Summary())
	fmt.Fprintln(w, g.disc.Summary())
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return nil, err
	}
	fixed := g.noise(rand.New(rand.NewSource(c.seed)), 64)
	res := &result{}
	grid := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind != trainer.EpochEnd || ((e.Epoch+1)%c.every != 0 && e.Epoch+1 != e.Epochs) {
			return nil
		}
		picss, err := g.gen.Predict(ctx, fixed)
		if err != nil {
			return err
		}
		pics := picss[0]
		img, err := images.Grid(rescale(pics, 0.5, 0.5), images.GridOptions{Cols: 8, Scale: 2})
		if err != nil {
			return err
		}
		path := filepath.Join(c.out, fmt.Sprintf("epoch-%03d.png", e.Epoch+1))
		if err := images.SavePNG(path, img); err != nil {
			return err
		}
		res.grids = append(res.grids, path)
		fmt.Fprintf(w, "epoch %d: d_loss %.4f d_accuracy %.3f g_loss %.4f; generated pictures: %s\n",
			e.Epoch+1, e.Logs["d_loss"], e.Logs["d_accuracy"], e.Logs["g_loss"], path)
		return nil
	})
	// The generator's tanh draws in [-1, 1]: the real pictures go there too.
	res.hist, err = trainer.FitSteps(ctx, g, *trainer.XY(rescale(set.Train, 2, -1), nil), trainer.FitConfig{
		Epochs: c.epochs, BatchSize: c.batch, Seed: c.seed, Progress: w, Callbacks: []trainer.Callback{grid},
	})
	if err != nil {
		return res, err
	}
	if err := res.hist.SavePNG(filepath.Join(c.out, "losses.png")); err != nil {
		return res, err
	}
	return res, g.gen.Save(filepath.Join(c.out, "generator.zip"))
}

// rescale returns a*x + b.
func rescale(x *tensor.Dense, a, b float32) *tensor.Dense {
	src := x.Data().([]float32)
	dst := make([]float32, len(src))
	for i, v := range src {
		dst[i] = a*v + b
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(dst))
}
