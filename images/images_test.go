package images_test

import (
	"image"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/images"
)

func TestGridLayoutAndValues(t *testing.T) {
	// Three 2x2 pictures: all 0, all 1, a diagonal.
	x := tensor.New(tensor.WithShape(3, 2, 2, 1), tensor.WithBacking([]float32{0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1}))
	img, err := images.Grid(x, images.GridOptions{Cols: 2, Scale: 1, Gap: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 2 columns of (2+1) plus 1, 2 rows of (2+1) plus 1.
	if got := img.Bounds(); got != image.Rect(0, 0, 7, 7) {
		t.Fatalf("bounds %v", got)
	}
	cases := []struct {
		x, y int
		want uint8
	}{{1, 1, 0}, {4, 1, 255}, {5, 2, 255}, {1, 4, 255}, {2, 4, 0}, {2, 5, 255}, {0, 0, 0}}
	for _, c := range cases {
		if got := img.GrayAt(c.x, c.y).Y; got != c.want {
			t.Errorf("pixel (%d, %d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
	inv, err := images.Grid(x, images.GridOptions{Cols: 2, Scale: 3, Invert: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.GrayAt(2+8, 2).Y; got != 0 { // the all-1 picture (second tile), inverted
		t.Errorf("inverted ink %d, want 0", got)
	}
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := images.SavePNG(path, img); err != nil {
		t.Fatal(err)
	}
	back, err := images.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Bounds() != img.Bounds() {
		t.Errorf("read back %v", back.Bounds())
	}
}

func TestGridFlatAndErrors(t *testing.T) {
	flat := tensor.New(tensor.WithShape(2, 9), tensor.WithBacking(make([]float64, 18)))
	img, err := images.Grid(flat, images.GridOptions{Scale: 1, Gap: -1})
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 6 || img.Bounds().Dy() != 3 {
		t.Errorf("flat 3x3 pictures: bounds %v", img.Bounds())
	}
	for _, c := range []struct {
		x    *tensor.Dense
		want string
	}{
		{tensor.New(tensor.WithShape(2, 10), tensor.WithBacking(make([]float64, 20))), "not square"},
		{tensor.New(tensor.WithShape(1, 2, 2, 3), tensor.WithBacking(make([]float64, 12))), "grey pictures only"},
		{nil, "no samples"},
	} {
		if _, err := images.Grid(c.x, images.GridOptions{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
