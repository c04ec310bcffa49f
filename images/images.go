// Package images draws tensors of pictures (dataset samples, a generative
// model's outputs) as PNG grids: one tile per sample, row by row.
//
//	img, err := images.Grid(samples, images.GridOptions{Cols: 8})
//	err = images.SavePNG("samples.png", img)
package images

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/atomicfile"
)

// GridOptions says how Grid lays the tiles out. The zero value draws 8
// tiles a row, each pixel 2x2, white on black, with 2-pixel gaps.
type GridOptions struct {
	// Cols is the number of tiles per row; zero means 8 (fewer when there
	// are fewer samples).
	Cols int
	// Scale draws each pixel as a Scale x Scale square; zero means 2.
	Scale int
	// Gap is the space between tiles, in pixels; zero means 2, negative
	// none.
	Gap int
	// Invert draws 1 as black and 0 as white (ink on paper); false draws 0
	// as black, as the data sets store their pictures.
	Invert bool
	// Side is the side of a square picture when the samples are flat
	// ([n, side*side]); zero takes the square root of the row size.
	Side int
}

// Grid draws samples, [n, h, w], [n, h, w, 1] or [n, h*w] of values in
// [0, 1] (float32 or float64; values outside are clipped), as a grey
// picture of n tiles.
func Grid(samples *tensor.Dense, opt GridOptions) (*image.Gray, error) {
	if samples == nil {
		return nil, errors.New("images: no samples")
	}
	shape := samples.Shape()
	if len(shape) < 2 || shape[0] == 0 {
		return nil, errors.Errorf("images: samples must be [n, h, w], [n, h, w, 1] or [n, h*w] with n > 0, got %v", shape)
	}
	n := shape[0]
	var h, w int
	switch {
	case len(shape) == 2:
		side := opt.Side
		if side == 0 {
			side = int(math.Round(math.Sqrt(float64(shape[1]))))
		}
		if side <= 0 || side*side != shape[1] {
			return nil, errors.Errorf("images: rows of %d values are not square pictures; set Side", shape[1])
		}
		h, w = side, side
	case len(shape) == 3:
		h, w = shape[1], shape[2]
	case len(shape) == 4 && shape[3] == 1:
		h, w = shape[1], shape[2]
	default:
		return nil, errors.Errorf("images: samples must be [n, h, w], [n, h, w, 1] or [n, h*w], got %v (grey pictures only)", shape)
	}
	var vals []float64
	switch d := samples.Data().(type) {
	case []float32:
		vals = make([]float64, len(d))
		for i, v := range d {
			vals[i] = float64(v)
		}
	case []float64:
		vals = d
	default:
		return nil, errors.Errorf("images: samples are %v, want float32 or float64", samples.Dtype())
	}
	cols, scale, gap := opt.Cols, opt.Scale, opt.Gap
	if cols <= 0 {
		cols = 8
	}
	cols = min(cols, n)
	if scale <= 0 {
		scale = 2
	}
	if gap == 0 {
		gap = 2
	}
	gap = max(gap, 0)
	rows := (n + cols - 1) / cols
	tw, th := w*scale+gap, h*scale+gap
	img := image.NewGray(image.Rect(0, 0, cols*tw+gap, rows*th+gap))
	bg := uint8(0)
	if opt.Invert {
		bg = 255
	}
	for i := range img.Pix {
		img.Pix[i] = bg
	}
	for k := 0; k < n; k++ {
		ox, oy := gap+(k%cols)*tw, gap+(k/cols)*th
		px := vals[k*h*w : (k+1)*h*w]
		for y := 0; y < h*scale; y++ {
			for x := 0; x < w*scale; x++ {
				v := px[(y/scale)*w+x/scale]
				if math.IsNaN(v) {
					v = 0
				}
				v = math.Max(0, math.Min(1, v))
				if opt.Invert {
					v = 1 - v
				}
				img.SetGray(ox+x, oy+y, color.Gray{Y: uint8(math.Round(255 * v))})
			}
		}
	}
	return img, nil
}

// SavePNG writes img as a PNG file, atomically: a reader sees the old file
// or the new one, never half of one.
func SavePNG(path string, img image.Image) error {
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return png.Encode(w, img) })
	return errors.Wrapf(err, "save %s", path)
}

// Load reads a PNG (or any format registered with package image) from
// path.
func Load(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	return img, errors.Wrapf(err, "decode %s", path)
}
