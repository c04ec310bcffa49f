package metrics

import (
	"bufio"
	"image/png"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// plotDPI is the resolution of the PNG files: sizes are stated in pixels.
const plotDPI = 96

// pixels is n pixels as a plot length at plotDPI.
func pixels(n int) vg.Length { return vg.Length(n) * vg.Inch / plotDPI }

// savePNG renders plots, tiled in rows and columns (nil leaves a tile
// empty), on a white width × height pixel image and writes it to path.
func savePNG(path string, width, height int, tiles [][]*plot.Plot) error {
	c := vgimg.NewWith(vgimg.UseWH(pixels(width), pixels(height)), vgimg.UseDPI(plotDPI))
	dc := draw.New(c)
	if len(tiles) == 1 && len(tiles[0]) == 1 {
		pad := vg.Millimeter * 3
		tiles[0][0].Draw(draw.Crop(dc, pad, -pad, pad, -pad))
	} else {
		t := draw.Tiles{Rows: len(tiles), Cols: len(tiles[0]), PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 6,
			PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
		canvases := plot.Align(tiles, t, dc)
		for j, row := range tiles {
			for i, p := range row {
				if p != nil {
					p.Draw(canvases[j][i])
				}
			}
		}
	}
	return writeAtomic(path, func(w io.Writer) error { return png.Encode(w, c.Image()) })
}

// writeAtomic writes a file through a temporary file in the same directory,
// synced and renamed into place, so that path holds either its old content
// or the whole new one, never a part.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	if err = write(bw); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = bw.Flush(); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = f.Chmod(0o644); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = f.Sync(); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	return nil
}
