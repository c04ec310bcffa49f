package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/images"
	"github.com/profundo/profundo/models"
)

// fashionMNIST skips the test unless Debian's dataset-fashion-mnist is
// installed (CI installs it), and makes sure nothing is downloaded.
func fashionMNIST(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(datasets.FashionMNISTDebianDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
	}
	t.Setenv(datasets.DataEnv, t.TempDir()) // an empty cache: the files come from Debian's directory
}

// Each kind, trained briefly on a small subset, reconstructs the test
// pictures better than the mean training picture does, draws them with
// their reconstructions, and saves an encoder and decoder that work on
// their own.
func TestAutoencoder(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on thousands of pictures: not in -short runs")
	}
	fashionMNIST(t)
	for _, tc := range []struct {
		kind                 string
		limit, epochs, batch int
	}{
		{"dense", 2000, 2, 32},
		{"conv", 1500, 1, 32},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			ctx := context.Background()
			var log bytes.Buffer
			c := config{kind: tc.kind, limit: tc.limit, testLimit: 500, epochs: tc.epochs, batch: tc.batch, seed: 1, out: t.TempDir()}
			res, err := run(ctx, c, &log)
			if err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			t.Logf("test MSE %.5f BCE %.4f; mean picture MSE %.5f BCE %.4f; %.1f s per epoch",
				res.test.mse, res.test.bce, res.baseline.mse, res.baseline.bce, res.secondsPerEpoch)
			if math.IsNaN(res.test.mse) || !(res.test.mse < 0.75*res.baseline.mse) {
				t.Errorf("test MSE %.5f, want below 0.75 x the mean picture's %.5f", res.test.mse, res.baseline.mse)
			}
			if !(res.test.bce < res.baseline.bce) {
				t.Errorf("test BCE %.4f, want below the mean picture's %.4f", res.test.bce, res.baseline.bce)
			}
			if !strings.Contains(log.String(), "mean training picture") {
				t.Errorf("the output does not report the baseline:\n%s", log.String())
			}

			// Two rows of 12 tiles of 28x28 pixels drawn 2x2, 2-pixel gaps.
			img, err := images.Load(res.grid)
			if err != nil {
				t.Fatal(err)
			}
			if res.shown != 12 {
				t.Errorf("%d pictures shown, want 12", res.shown)
			}
			if got, want := img.Bounds().Size(), (struct{ X, Y int }{12*58 + 2, 2*58 + 2}); got.X != want.X || got.Y != want.Y {
				t.Errorf("PNG of %v, want %dx%d", got, want.X, want.Y)
			}

			// The encoder and decoder compose to the autoencoder, and the
			// saved ones compute what the trained ones do.
			set := first(res.pictures, 64)
			codes := predict(t, res.encoder, set)
			whole := predict(t, res.autoencoder, set)
			decoded := predict(t, res.decoder, codes)
			if d := maxDiff(decoded, whole); d > 1e-5 {
				t.Errorf("decoder(encoder(x)) differs from autoencoder(x) by up to %g", d)
			}
			for _, m := range []struct {
				path    string
				in, out *tensor.Dense
			}{
				{res.encoderPath, set, codes},
				{res.decoderPath, codes, decoded},
			} {
				loaded, err := models.Load(m.path)
				if err != nil {
					t.Fatal(err)
				}
				if d := maxDiff(predict(t, loaded, m.in), m.out); d > 1e-6 {
					t.Errorf("%s predicts up to %g away from the trained model", m.path, d)
				}
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    config
		want string
	}{
		{"kind", config{kind: "sparse"}, `kind "sparse": want dense or conv`},
		{"epochs", config{epochs: -1}, "epochs must be > 0, got -1"},
		{"batch", config{batch: -2}, "batch size must be > 0, got -2"},
		{"limit", config{limit: -5}, "limits must be >= 0, got -5 and 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(context.Background(), tc.c, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestErrorOf(t *testing.T) {
	for _, tc := range []struct {
		name     string
		x, pred  []float32
		mse, bce float64
	}{
		// A perfect reconstruction still costs a grey pixel's entropy, and
		// the clipping costs about 1e-7 on each black or white one.
		{"perfect", []float32{0, 1, 0.5}, []float32{0, 1, 0.5}, 0, (math.Ln2 - 2*math.Log(1-1e-7)) / 3},
		{"one row for all", []float32{0, 1, 1, 0}, []float32{0.5, 0.5}, 0.25, math.Ln2},
		{"clipped", []float32{1}, []float32{0}, 1, -math.Log(1e-7)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := errorOf(tc.x, tc.pred)
			if math.Abs(got.mse-tc.mse) > 1e-9 || math.Abs(got.bce-tc.bce) > 1e-6 {
				t.Errorf("MSE %v, BCE %v; want %v, %v", got.mse, got.bce, tc.mse, tc.bce)
			}
		})
	}
	mean := meanPicture(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0, 1, 1, 1})))
	if mean[0] != 0.5 || mean[1] != 1 {
		t.Errorf("mean picture %v, want [0.5 1]", mean)
	}
}

// first returns the first n rows of x, [rows, 784].
func first(x *tensor.Dense, n int) *tensor.Dense {
	return tensor.New(tensor.WithShape(n, 784), tensor.WithBacking(x.Data().([]float32)[:n*784]))
}

func predict(t *testing.T, m *models.Functional, x *tensor.Dense) *tensor.Dense {
	t.Helper()
	ys, err := m.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	y := ys[0]
	return y
}

func maxDiff(a, b *tensor.Dense) float64 {
	if !a.Shape().Eq(b.Shape()) {
		return math.Inf(1)
	}
	d := 0.0
	bs := b.Data().([]float32)
	for i, v := range a.Data().([]float32) {
		d = math.Max(d, math.Abs(float64(v-bs[i])))
	}
	return d
}
