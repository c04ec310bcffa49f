// Command vae trains a variational autoencoder on Fashion-MNIST (or MNIST)
// with Profundo's functional API: an encoder to the mean and log-variance
// of a small latent code, a layers.Sampling layer (z = mean + exp(logvar/2)
// * eps, eps drawn from the seeded stream, with the KL divergence to N(0, I)
// added to the loss), and a decoder back to the 784 pixels. The loss is the
// negative ELBO per picture, in nats: the pixels' binary cross-entropy
// summed over the picture (a loss weight of 784 on the mean) plus the KL
// term.
//
// After each epoch it prints the ELBO on the test pictures (the same noise
// every time, so epochs compare), and at the end it writes two PNG grids:
// pictures decoded from codes drawn from the prior N(0, I), and, for a
// 2-D code, the decoder's map of the latent plane (a traversal over the
// normal quantiles).
//
//	go run ./examples/vae                      # Fashion-MNIST, 2-D code, 10 epochs
//	go run ./examples/vae --data mnist --latent 2 --out vae-mnist
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand"
	"os"
	"os/signal"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/examples/internal/pictures"
	"github.com/profundo/profundo/images"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// config is the example's settings, its flags.
type config struct {
	data, dataDir, out string
	epochs, batch      int
	latent, hidden     int
	lr                 float64
	limit, testLimit   int
	seed               int64
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", "fashion-mnist", "fashion-mnist or mnist")
	flag.StringVar(&c.dataDir, "data-dir", os.Getenv("PROFUNDO_MNIST_DIR"), "directory of the IDX files, if any (fashion-mnist is also found where Debian's dataset-fashion-mnist installs it)")
	flag.StringVar(&c.out, "out", "vae-out", "directory for the PNG grids and the saved decoder")
	flag.IntVar(&c.epochs, "epochs", 10, "training epochs")
	flag.IntVar(&c.batch, "batch-size", 128, "batch size")
	flag.IntVar(&c.latent, "latent", 2, "size of the latent code (2 draws the latent plane too)")
	flag.IntVar(&c.hidden, "hidden", 256, "units of the encoder's and decoder's hidden layer")
	flag.Float64Var(&c.lr, "lr", 1e-3, "Adam's learning rate")
	flag.IntVar(&c.limit, "limit", 0, "train on the first n pictures only (0: all 60,000)")
	flag.IntVar(&c.testLimit, "test-limit", 0, "score the first n test pictures only (0: all 10,000)")
	flag.Int64Var(&c.seed, "seed", 1, "seed of the weights, the shuffling and the sampling noise")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// result is what a run measured.
type result struct {
	testELBO []float64 // after each epoch, nats per picture
	samples  string    // the PNG of pictures decoded from the prior
	plane    string    // the PNG of the latent plane ("" unless the code is 2-D)
}

// vae is the three models: the encoder (pictures to mean and log-variance),
// the decoder (codes to pictures) and the whole autoencoder.
type vae struct {
	encoder, decoder, model *models.Functional
}

func build(c config) (*vae, error) {
	x := models.Input("pixels", 784)
	h := models.Apply(&layers.Dense{Name: "enc_hidden", Units: c.hidden, Activation: layers.ReLU}, x)
	mean := models.Apply(&layers.Dense{Name: "z_mean", Units: c.latent}, h)
	logVar := models.Apply(&layers.Dense{Name: "z_log_var", Units: c.latent}, h)
	encoder, err := models.NewFunctional([]*models.Node{x}, []*models.Node{mean, logVar})
	if err != nil {
		return nil, err
	}
	encoder.Name = "encoder"

	z := models.Input("z", c.latent)
	d := models.Apply(&layers.Dense{Name: "dec_hidden", Units: c.hidden, Activation: layers.ReLU}, z)
	d = models.Apply(&layers.Dense{Name: "pixels_out", Units: 784, Activation: layers.Sigmoid}, d)
	decoder, err := models.NewFunctional([]*models.Node{z}, []*models.Node{d})
	if err != nil {
		return nil, err
	}
	decoder.Name = "decoder"

	in := models.Input("picture", 784)
	stats := encoder.Call(in)
	code := models.Merge(&layers.Sampling{Name: "sampling", KLWeight: 1}, stats[0], stats[1])
	out := models.Apply(decoder, code)
	model, err := models.NewFunctional([]*models.Node{in}, []*models.Node{out})
	if err != nil {
		return nil, err
	}
	model.Name = "vae"
	// The mean binary cross-entropy times 784 is the sum over a picture's
	// pixels: with the KL term, the negative ELBO in nats per picture.
	err = model.Compile(models.Config{
		Loss:        losses.BinaryCrossentropy{},
		LossWeights: map[string]float64{"decoder": 784},
		Optimizer:   optimizers.Adam{LearningRate: c.lr},
		Seed:        c.seed,
	})
	if err != nil {
		return nil, err
	}
	return &vae{encoder: encoder, decoder: decoder, model: model}, nil
}

func run(ctx context.Context, c config, w io.Writer) (*result, error) {
	set, err := pictures.Load(ctx, c.data, c.dataDir, c.limit, c.testLimit)
	if err != nil {
		return nil, err
	}
	v, err := build(c)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, v.model.Summary())
	res := &result{}
	elbo := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind != trainer.EpochEnd {
			return nil
		}
		logs, err := v.model.Evaluate(ctx, set.Test, set.Test)
		if err != nil {
			return err
		}
		res.testELBO = append(res.testELBO, -logs["loss"])
		fmt.Fprintf(w, "epoch %d: test ELBO %.2f nats per picture (train loss %.2f)\n", e.Epoch+1, -logs["loss"], e.Logs["loss"])
		return nil
	})
	_, err = v.model.Fit(ctx, set.Train, set.Train, trainer.FitConfig{
		Epochs: c.epochs, BatchSize: c.batch, Seed: c.seed, Progress: w,
		Callbacks: []trainer.Callback{elbo},
	})
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return res, err
	}
	// Pictures decoded from the prior.
	rng := rand.New(rand.NewSource(c.seed))
	prior := make([]float32, 64*c.latent)
	for i := range prior {
		prior[i] = float32(rng.NormFloat64())
	}
	picss, err := v.decoder.Predict(ctx, tensor.New(tensor.WithShape(64, c.latent), tensor.WithBacking(prior)))
	if err != nil {
		return res, err
	}
	pics := picss[0]
	res.samples = filepath.Join(c.out, "samples.png")
	if err := savePNG(res.samples, pics, 8); err != nil {
		return res, err
	}
	fmt.Fprintf(w, "64 pictures decoded from the prior: %s\n", res.samples)
	if c.latent == 2 {
		const k = 15
		grid := make([]float32, 0, k*k*2)
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				// Normal quantiles, so the map covers the prior's mass evenly.
				grid = append(grid, float32(quantile((float64(j)+0.5)/k)), float32(-quantile((float64(i)+0.5)/k)))
			}
		}
		planes, err := v.decoder.Predict(ctx, tensor.New(tensor.WithShape(k*k, 2), tensor.WithBacking(grid)))
		if err != nil {
			return res, err
		}
		plane := planes[0]
		res.plane = filepath.Join(c.out, "latent-plane.png")
		if err := savePNG(res.plane, plane, k); err != nil {
			return res, err
		}
		fmt.Fprintf(w, "the decoder's map of the latent plane: %s\n", res.plane)
	}
	if err := v.decoder.Save(filepath.Join(c.out, "decoder.zip")); err != nil {
		return res, err
	}
	return res, nil
}

func savePNG(path string, pics *tensor.Dense, cols int) error {
	img, err := images.Grid(pics, images.GridOptions{Cols: cols, Scale: 2})
	if err != nil {
		return err
	}
	return images.SavePNG(path, img)
}

// quantile is the standard normal's inverse cumulative distribution.
func quantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }
