package images_test

import (
	"fmt"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/images"
)

// Grid draws samples as tiles of a grey picture, row by row: here the
// first ten embedded 8x8 digits, five a row, each pixel a 3x3 square, with
// 2-pixel gaps around the tiles.
func ExampleGrid() {
	d, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	first, err := d.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	if err != nil {
		fmt.Println(err)
		return
	}
	pixels := first.X.Data().([]float64)
	for i := range pixels {
		pixels[i] /= 16 // 0..16 to [0, 1]
	}
	img, err := images.Grid(first.X, images.GridOptions{Cols: 5, Scale: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Width: 5 tiles of 8*3 pixels and 6 gaps of 2; height: 2 rows.
	fmt.Println(img.Bounds().Dx(), "x", img.Bounds().Dy())
	fmt.Println("the gap is black:", img.GrayAt(0, 0).Y == 0)
	// Output:
	// 132 x 54
	// the gap is black: true
}

// SavePNG writes a picture atomically; Load reads it back.
func ExampleSavePNG() {
	// Two 2x2 pictures, flat: a diagonal and its inverse.
	x := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{1, 0, 0, 1, 0, 1, 1, 0}))
	img, err := images.Grid(x, images.GridOptions{Scale: 1, Gap: -1, Invert: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "profundo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "samples.png")
	if err := images.SavePNG(path, img); err != nil {
		fmt.Println(err)
		return
	}
	back, err := images.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	b := back.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := back.At(x, y).RGBA(); r == 0 {
				fmt.Print("#") // ink: a value of 1, drawn black
			} else {
				fmt.Print(".")
			}
		}
		fmt.Println()
	}
	// Output:
	// #..#
	// .##.
}
