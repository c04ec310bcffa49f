package metrics_test

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

// decodePNG reads a PNG and counts its distinct colours.
func decodePNG(t *testing.T, path string) (image.Image, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	colours := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	return img, len(colours)
}

// noTemporaryFiles checks that an atomic write left nothing behind.
func noTemporaryFiles(t *testing.T, dir string, want int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != want {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want %d file(s)", names, want)
	}
}

func TestConfusionMatrixSavePNG(t *testing.T) {
	tests := []struct {
		name    string
		classes int
		names   []string
	}{
		{"two classes, ids", 2, nil},
		{"three named classes", 3, []string{"cat", "dog", "bird"}},
		{"ten classes, long names", 10, []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.classes
			var ids, probs []float64
			for i := 0; i < 6*k; i++ {
				id := i % k
				pred := id
				if i%3 == 0 {
					pred = (id + 1) % k
				}
				ids = append(ids, float64(id))
				for j := 0; j < k; j++ {
					p := 0.0
					if j == pred {
						p = 1
					}
					probs = append(probs, p)
				}
			}
			var m metrics.ConfusionMatrix
			if err := m.Update(dense(tensor.Float32, []int{6 * k}, ids...), dense(tensor.Float32, []int{6 * k, k}, probs...)); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "cm.png")
			if err := m.SavePNG(path, tt.names); err != nil {
				t.Fatal(err)
			}
			img, colours := decodePNG(t, path)
			side := metrics.ConfusionPNGSize(k)
			if b := img.Bounds(); b.Dx() != side || b.Dy() != side {
				t.Errorf("image is %dx%d, want %dx%d", b.Dx(), b.Dy(), side, side)
			}
			if colours < 20 {
				t.Errorf("image has %d colours, want a heat map (>= 20)", colours)
			}
			noTemporaryFiles(t, dir, 1)
			// Writing again replaces the file.
			if err := m.SavePNG(path, tt.names); err != nil {
				t.Fatal(err)
			}
			noTemporaryFiles(t, dir, 1)
		})
	}
}

func TestConfusionMatrixSavePNGErrors(t *testing.T) {
	var m metrics.ConfusionMatrix
	dir := t.TempDir()
	if err := m.SavePNG(filepath.Join(dir, "a.png"), nil); err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("empty matrix: err = %v, want no samples", err)
	}
	if err := m.Update(dense(tensor.Float64, []int{2}, 0, 1), dense(tensor.Float64, []int{2}, 0.2, 0.9)); err != nil {
		t.Fatal(err)
	}
	if err := m.SavePNG(filepath.Join(dir, "b.png"), []string{"one"}); err == nil || !strings.Contains(err.Error(), "1 class names for 2 classes") {
		t.Errorf("one name for two classes: err = %v", err)
	}
	if err := m.SavePNG(filepath.Join(dir, "missing", "c.png"), nil); err == nil || !strings.Contains(err.Error(), "c.png") {
		t.Errorf("missing directory: err = %v, want one naming the file", err)
	}
	noTemporaryFiles(t, dir, 0)
}

func TestSaveCurvesPNG(t *testing.T) {
	epochs := []int{0, 1, 2, 3, 4, 5, 6, 7}
	curve := func(start, rate float64) []float64 {
		v := make([]float64, len(epochs))
		for i := range v {
			v[i] = start * math.Exp(-rate*float64(i))
		}
		return v
	}
	diverged := curve(1, 0.2)
	diverged[5], diverged[6] = math.NaN(), math.Inf(1)
	tests := []struct {
		name   string
		names  []string
		values map[string][]float64
		panels int
	}{
		{"loss only", []string{"loss"}, map[string][]float64{"loss": curve(2, 0.3)}, 1},
		{"loss and accuracy with validation",
			[]string{"loss", "accuracy", "val_loss", "val_accuracy"},
			map[string][]float64{"loss": curve(2, 0.3), "accuracy": curve(0.5, -0.05), "val_loss": curve(2.2, 0.25), "val_accuracy": curve(0.45, -0.05)}, 2},
		{"three metrics, a diverged one",
			[]string{"loss", "auc", "f1_score", "val_loss"},
			map[string][]float64{"loss": diverged, "auc": curve(0.6, -0.03), "f1_score": curve(0.4, -0.08), "val_loss": curve(1.1, 0.1)}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "curves.png")
			if err := metrics.SaveCurvesPNG(path, epochs, tt.values, tt.names); err != nil {
				t.Fatal(err)
			}
			img, colours := decodePNG(t, path)
			w, h := metrics.CurvesPNGSize(tt.panels)
			if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
				t.Errorf("image is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
			}
			if colours < 10 {
				t.Errorf("image has %d colours, want drawn curves (>= 10)", colours)
			}
			noTemporaryFiles(t, dir, 1)
		})
	}
	if w, h := metrics.CurvesPNGSize(3); w != 960 || h != 720 {
		t.Errorf("CurvesPNGSize(3) = %d, %d, want 960, 720", w, h)
	}
}

func TestSaveCurvesPNGErrors(t *testing.T) {
	tests := []struct {
		name     string
		epochs   []int
		values   map[string][]float64
		names    []string
		contains string
	}{
		{"no epochs", nil, map[string][]float64{"loss": {}}, []string{"loss"}, "no epochs"},
		{"no names", []int{0}, map[string][]float64{"loss": {1}}, nil, "no names"},
		{"missing values", []int{0}, map[string][]float64{"loss": {1}}, []string{"loss", "val_loss"}, `no values for "val_loss"`},
		{"wrong length", []int{0, 1}, map[string][]float64{"loss": {1}}, []string{"loss"}, `"loss" has 1 values for 2 epochs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			err := metrics.SaveCurvesPNG(filepath.Join(dir, "c.png"), tt.epochs, tt.values, tt.names)
			if err == nil || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("err = %v, want one containing %q", err, tt.contains)
			}
			noTemporaryFiles(t, dir, 0)
		})
	}
}
