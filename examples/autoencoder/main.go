// Command autoencoder trains an autoencoder on Fashion-MNIST (or MNIST)
// with Profundo's functional API, as in the Keras blog's "Building
// autoencoders in Keras": an encoder model from the 784 pixels of a picture
// to a small code, a decoder model from the code back to 784 pixels, and
// the autoencoder that composes them,
//
//	autoencoder := NewFunctional(x, Apply(decoder, Apply(encoder, x)))
//
// trained to give back its input (binary cross-entropy per pixel, Adam).
// The encoder and decoder share their weights with the autoencoder, so
// once it is trained each works on its own: the encoder turns new pictures
// into codes, the decoder codes into pictures.
//
// Two kinds:
//
//   - dense: 784 -> 128 -> 32 (the code, ReLU) -> 128 -> 784 (sigmoid).
//   - conv: the rows as 28x28x1 pictures; two 3x3 convolutions, each
//     followed by 2x2 max pooling, to a 7x7x8 code; then two 3x3
//     transposed convolutions of stride 2 (Conv2DTranspose), each
//     doubling the height and width, and a last 3x3 convolution (sigmoid)
//     back to 28x28x1, flattened to 784.
//
// After training it prints the test pictures' reconstruction error (mean
// squared error and binary cross-entropy per pixel) next to a baseline that
// predicts the mean training picture for every picture, writes a PNG of
// test pictures (top row) over their reconstructions (bottom row), and
// saves the encoder and decoder.
//
//	go run ./examples/autoencoder                     # dense, 10 epochs
//	go run ./examples/autoencoder --kind conv         # convolutional, 5 epochs
//	go run ./examples/autoencoder --kind conv --data mnist --out ae-mnist
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/examples/internal/pictures"
	"github.com/profundo/profundo/images"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// config is the example's settings, its flags. Zero values take the
// defaults noted.
type config struct {
	// kind is "dense" or "conv"; empty means "dense".
	kind string
	// data is "fashion-mnist" or "mnist"; empty means "fashion-mnist".
	data string
	// dataDir holds the IDX files, if any; empty means the cache (and
	// Debian's Fashion-MNIST directory), downloading when they are in
	// neither.
	dataDir string
	// out is the directory of the PNG and the saved models; empty means
	// "autoencoder-<kind>".
	out string
	// epochs is the number of training epochs; zero means 10 for dense, 5
	// for conv.
	epochs int
	// batch is the batch size; zero means 128.
	batch int
	// limit and testLimit keep the first n training and test pictures; zero
	// means all (60,000 and 10,000).
	limit, testLimit int
	// shown is the number of test pictures in the PNG; zero means 12.
	shown int
	// seed seeds the weights and the shuffling.
	seed int64
}

func main() {
	var c config
	flag.StringVar(&c.kind, "kind", "dense", "dense or conv")
	flag.StringVar(&c.data, "data", "fashion-mnist", "fashion-mnist or mnist")
	flag.StringVar(&c.dataDir, "data-dir", os.Getenv("PROFUNDO_MNIST_DIR"), "directory of the IDX files, if any (fashion-mnist is also found where Debian's dataset-fashion-mnist installs it)")
	flag.StringVar(&c.out, "out", "", "directory for the PNG and the saved encoder and decoder (default autoencoder-<kind>)")
	flag.IntVar(&c.epochs, "epochs", 0, "training epochs (0: 10 for dense, 5 for conv)")
	flag.IntVar(&c.batch, "batch-size", 128, "batch size")
	flag.IntVar(&c.limit, "limit", 0, "train on the first n pictures only (0: all 60,000)")
	flag.IntVar(&c.testLimit, "test-limit", 0, "score the first n test pictures only (0: all 10,000)")
	flag.IntVar(&c.shown, "shown", 12, "test pictures shown in the PNG, with their reconstructions")
	flag.Int64Var(&c.seed, "seed", 1, "seed of the weights and the shuffling")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// withDefaults fills c's zero values and checks the rest.
func (c config) withDefaults() (config, error) {
	if c.kind == "" {
		c.kind = "dense"
	}
	if c.kind != "dense" && c.kind != "conv" {
		return c, errors.Errorf("kind %q: want dense or conv", c.kind)
	}
	if c.data == "" {
		c.data = "fashion-mnist"
	}
	if c.out == "" {
		c.out = "autoencoder-" + c.kind
	}
	if c.epochs == 0 {
		c.epochs = map[string]int{"dense": 10, "conv": 5}[c.kind]
	}
	if c.batch == 0 {
		c.batch = 128
	}
	if c.shown == 0 {
		c.shown = 12
	}
	switch {
	case c.epochs < 0:
		return c, errors.Errorf("epochs must be > 0, got %d", c.epochs)
	case c.batch < 0:
		return c, errors.Errorf("batch size must be > 0, got %d", c.batch)
	case c.limit < 0 || c.testLimit < 0:
		return c, errors.Errorf("limits must be >= 0, got %d and %d", c.limit, c.testLimit)
	case c.shown < 0:
		return c, errors.Errorf("shown must be > 0, got %d", c.shown)
	}
	return c, nil
}

// score is a reconstruction error, per pixel, averaged over the test
// pictures.
type score struct {
	mse, bce float64
}

// result is what a run made and measured.
type result struct {
	// encoder, decoder and autoencoder are the trained models.
	encoder, decoder, autoencoder *models.Functional
	// pictures is the test pictures, [n, 784].
	pictures *tensor.Dense
	// test is the autoencoder's reconstruction error on the test pictures;
	// baseline that of the mean training picture.
	test, baseline score
	// secondsPerEpoch is the mean training time of an epoch.
	secondsPerEpoch float64
	// grid is the PNG of test pictures over their reconstructions; shown
	// the number of pictures in each of its two rows.
	grid  string
	shown int
	// encoderPath and decoderPath are the saved models.
	encoderPath, decoderPath string
}

// autoencoder is the three models: the encoder (pixels to code), the
// decoder (code to pixels) and the autoencoder composing them.
type autoencoder struct {
	encoder, decoder, model *models.Functional
}

// build makes the models of c.kind and compiles the autoencoder.
func build(c config) (*autoencoder, error) {
	var encOut, decIn, decOut *models.Node
	x := models.Input("pixels", 784)
	switch c.kind {
	case "dense":
		h := models.Apply(&layers.Dense{Name: "enc_hidden", Units: 128, Activation: layers.ReLU}, x)
		encOut = models.Apply(&layers.Dense{Name: "code", Units: 32, Activation: layers.ReLU}, h)
		decIn = models.Input("code_in", 32)
		d := models.Apply(&layers.Dense{Name: "dec_hidden", Units: 128, Activation: layers.ReLU}, decIn)
		decOut = models.Apply(&layers.Dense{Name: "pixels_out", Units: 784, Activation: layers.Sigmoid}, d)
	case "conv":
		conv := func(name string, filters int, act layers.Activator) *layers.Conv2D {
			return &layers.Conv2D{Name: name, Filters: filters, KernelSize: []int{3}, Padding: layers.PaddingSame, Activation: act}
		}
		h := models.Apply(&layers.Reshape{Name: "picture", Target: []int{28, 28, 1}}, x)
		h = models.Apply(conv("enc_conv1", 16, layers.ReLU), h)
		h = models.Apply(&layers.MaxPooling2D{Name: "enc_pool1"}, h) // 14x14x16
		h = models.Apply(conv("enc_conv2", 8, layers.ReLU), h)
		encOut = models.Apply(&layers.MaxPooling2D{Name: "code"}, h) // 7x7x8
		decIn = models.Input("code_in", 7, 7, 8)
		up := func(name string, filters int) *layers.Conv2DTranspose {
			return &layers.Conv2DTranspose{Name: name, Filters: filters, KernelSize: []int{3}, Strides: []int{2}, Padding: layers.PaddingSame, Activation: layers.ReLU}
		}
		d := models.Apply(up("dec_up1", 32), decIn) // 14x14x32
		d = models.Apply(up("dec_up2", 32), d)      // 28x28x32
		d = models.Apply(conv("dec_conv", 1, layers.Sigmoid), d)
		decOut = models.Apply(&layers.Reshape{Name: "pixels_out", Target: []int{784}}, d)
	}
	encoder, err := models.NewFunctional([]*models.Node{x}, []*models.Node{encOut})
	if err != nil {
		return nil, errors.Wrap(err, "encoder")
	}
	encoder.Name = "encoder"
	decoder, err := models.NewFunctional([]*models.Node{decIn}, []*models.Node{decOut})
	if err != nil {
		return nil, errors.Wrap(err, "decoder")
	}
	decoder.Name = "decoder"

	in := models.Input("picture_in", 784)
	model, err := models.NewFunctional([]*models.Node{in}, []*models.Node{models.Apply(decoder, models.Apply(encoder, in))})
	if err != nil {
		return nil, errors.Wrap(err, "autoencoder")
	}
	model.Name = "autoencoder"
	err = model.Compile(models.Config{
		Loss:      losses.BinaryCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 1e-3},
		BatchSize: c.batch,
		Seed:      c.seed,
	})
	if err != nil {
		return nil, errors.Wrap(err, "autoencoder")
	}
	return &autoencoder{encoder: encoder, decoder: decoder, model: model}, nil
}

func run(ctx context.Context, c config, w io.Writer) (*result, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	set, err := pictures.Load(ctx, c.data, c.dataDir, c.limit, c.testLimit)
	if err != nil {
		return nil, err
	}
	ae, err := build(c)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, ae.encoder.Summary())
	fmt.Fprintln(w, ae.decoder.Summary())
	code := ae.encoder.Outputs()[0].Shape()
	fmt.Fprintf(w, "%s autoencoder: 784 pixels -> code of shape %v (%d values, %.1fx fewer) -> 784 pixels; %d training and %d test pictures of %s\n",
		c.kind, []int(code), code.Size(), 784/float64(code.Size()), set.Train.Shape()[0], set.Test.Shape()[0], c.data)

	res := &result{encoder: ae.encoder, decoder: ae.decoder, autoencoder: ae.model, pictures: set.Test}
	var epochTime time.Duration
	var began time.Time
	timer := trainer.CallbackFunc(func(e *trainer.Event) error {
		switch e.Kind {
		case trainer.EpochBegin:
			began = time.Now()
		case trainer.EpochEnd:
			epochTime += time.Since(began)
		}
		return nil
	})
	hist, err := ae.model.Fit(ctx, set.Train, set.Train, trainer.FitConfig{
		Epochs: c.epochs, BatchSize: c.batch, Seed: c.seed, Progress: w,
		Callbacks: []trainer.Callback{timer},
	})
	if err != nil {
		return res, err
	}
	res.secondsPerEpoch = epochTime.Seconds() / float64(len(hist.Epochs))
	fmt.Fprintf(w, "%.1f s per epoch (%d epochs)\n", res.secondsPerEpoch, len(hist.Epochs))

	recons, err := ae.model.Predict(ctx, set.Test)
	if err != nil {
		return res, err
	}
	recon := recons[0]
	test := set.Test.Data().([]float32)
	res.test = errorOf(test, recon.Data().([]float32))
	res.baseline = errorOf(test, meanPicture(set.Train))
	fmt.Fprintf(w, "test reconstruction error per pixel:\n")
	fmt.Fprintf(w, "  %-22s MSE %.5f  BCE %.4f\n", c.kind+" autoencoder", res.test.mse, res.test.bce)
	fmt.Fprintf(w, "  %-22s MSE %.5f  BCE %.4f\n", "mean training picture", res.baseline.mse, res.baseline.bce)

	// The encoder alone turns pictures into codes.
	codess, err := ae.encoder.Predict(ctx, set.Test)
	if err != nil {
		return res, err
	}
	codes := codess[0]
	zeros := 0
	for _, v := range codes.Data().([]float32) {
		if v == 0 {
			zeros++
		}
	}
	fmt.Fprintf(w, "the encoder alone: %d test pictures -> codes %v, %.0f%% of the values 0 (ReLU)\n",
		codes.Shape()[0], codes.Shape(), 100*float64(zeros)/float64(codes.Size()))

	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return res, err
	}
	res.shown = min(c.shown, set.Test.Shape()[0])
	res.grid = filepath.Join(c.out, "reconstructions.png")
	if err := saveGrid(res.grid, test, recon.Data().([]float32), res.shown); err != nil {
		return res, err
	}
	fmt.Fprintf(w, "%d test pictures (top) and their reconstructions (bottom): %s\n", res.shown, res.grid)
	res.encoderPath = filepath.Join(c.out, "encoder.zip")
	res.decoderPath = filepath.Join(c.out, "decoder.zip")
	if err := ae.encoder.Save(res.encoderPath); err != nil {
		return res, err
	}
	if err := ae.decoder.Save(res.decoderPath); err != nil {
		return res, err
	}
	fmt.Fprintf(w, "saved %s and %s\n", res.encoderPath, res.decoderPath)
	return res, nil
}

// errorOf is the reconstruction error of pred against the pictures x, rows
// of pixels one after another: pred holds a row per picture, or one row
// that stands for every picture. The binary cross-entropy clips pred to
// [1e-7, 1-1e-7], as the loss does.
func errorOf(x, pred []float32) score {
	const eps = 1e-7
	var se, ce float64
	for i, v := range x {
		p := float64(pred[i%len(pred)])
		z := float64(v)
		se += (p - z) * (p - z)
		p = math.Min(math.Max(p, eps), 1-eps)
		ce -= z*math.Log(p) + (1-z)*math.Log(1-p)
	}
	n := float64(len(x))
	return score{mse: se / n, bce: ce / n}
}

// meanPicture is the mean of the rows of x, [n, size].
func meanPicture(x *tensor.Dense) []float32 {
	n, size := x.Shape()[0], x.Shape()[1]
	sum := make([]float64, size)
	for i, v := range x.Data().([]float32) {
		sum[i%size] += float64(v)
	}
	mean := make([]float32, size)
	for j, s := range sum {
		mean[j] = float32(s / float64(n))
	}
	return mean
}

// saveGrid writes the first n pictures of x in a row over the first n of
// recon.
func saveGrid(path string, x, recon []float32, n int) error {
	pics := append(append([]float32(nil), x[:n*784]...), recon[:n*784]...)
	img, err := images.Grid(tensor.New(tensor.WithShape(2*n, 784), tensor.WithBacking(pics)), images.GridOptions{Cols: n, Scale: 2})
	if err != nil {
		return err
	}
	return images.SavePNG(path, img)
}
