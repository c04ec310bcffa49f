package metrics

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sizes of the training-curve panels, in pixels.
const (
	CurvePanelWidth  = 480
	CurvePanelHeight = 360
)

// CurvesPNGSize is the size, in pixels, of the image SaveCurvesPNG draws
// for the given number of panels: panels are laid out two to a row (one
// alone), each CurvePanelWidth × CurvePanelHeight.
func CurvesPNGSize(panels int) (width, height int) {
	cols := min(panels, 2)
	rows := (panels + cols - 1) / cols
	return cols * CurvePanelWidth, rows * CurvePanelHeight
}

// SaveCurvesPNG draws training curves and writes them to path as a PNG.
// The arguments are the fields of the trainer's History: epochs lists the
// epochs (drawn as given, counting from 0 as History does), names the keys
// of values in display order, and values[name] holds one value per epoch.
// Each base name ("loss", "accuracy", ...) gets a panel, titled with it,
// that draws it and, when present, its "val_" twin, in the order of names,
// with a legend. A NaN or infinite value (a diverged run) leaves a gap in
// its line. The image is CurvesPNGSize(panels) pixels and is written to a
// temporary file and renamed into place.
//
// It is an error when there are no epochs or names, or a name has no
// values or another number of values than epochs.
func SaveCurvesPNG(path string, epochs []int, values map[string][]float64, names []string) error {
	if len(epochs) == 0 {
		return errors.New("training curves: no epochs")
	}
	if len(names) == 0 {
		return errors.New("training curves: no names")
	}
	var bases []string
	series := map[string][]string{} // base -> names drawn in its panel
	for _, n := range names {
		v, ok := values[n]
		if !ok {
			return errors.Errorf("training curves: no values for %q", n)
		}
		if len(v) != len(epochs) {
			return errors.Errorf("training curves: %q has %d values for %d epochs", n, len(v), len(epochs))
		}
		base := strings.TrimPrefix(n, "val_")
		if _, seen := series[base]; !seen {
			bases = append(bases, base)
		}
		series[base] = append(series[base], n)
	}
	width, height := CurvesPNGSize(len(bases))
	cols := width / CurvePanelWidth
	tiles := make([][]*plot.Plot, height/CurvePanelHeight)
	for i := range tiles {
		tiles[i] = make([]*plot.Plot, cols)
	}
	for i, base := range bases {
		p, err := curvePanel(base, epochs, values, series[base])
		if err != nil {
			return errors.Wrapf(err, "training curves: %q", base)
		}
		tiles[i/cols][i%cols] = p
	}
	return errors.Wrap(savePNG(path, width, height, tiles), "training curves")
}

// Colours of the training and the validation curves (matplotlib's first
// two).
var (
	trainColour = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	valColour   = color.RGBA{R: 255, G: 127, B: 14, A: 255}
)

// curvePanel draws the named series of one base metric.
func curvePanel(base string, epochs []int, values map[string][]float64, names []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = base
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = base
	p.X.Tick.Marker = integerTicks{}
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	var first []plotter.XYs // the runs of the first series, for the legend's place
	for i, n := range names {
		c, dashes, shape := color.Color(trainColour), []vg.Length(nil), draw.GlyphDrawer(draw.CircleGlyph{})
		if strings.HasPrefix(n, "val_") {
			c, dashes, shape = valColour, []vg.Length{vg.Points(5), vg.Points(3)}, draw.SquareGlyph{}
		}
		line := draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: dashes}
		glyph := draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: shape}
		runs := finiteRuns(epochs, values[n])
		if i == 0 {
			first = runs
		}
		for _, run := range runs {
			l, pts, err := plotter.NewLinePoints(run)
			if err != nil {
				return nil, err
			}
			l.LineStyle, pts.GlyphStyle = line, glyph
			p.Add(l, pts)
			for _, xy := range run {
				lo, hi = math.Min(lo, xy.Y), math.Max(hi, xy.Y)
			}
		}
		p.Legend.Add(n, &plotter.Line{LineStyle: line}, &plotter.Scatter{GlyphStyle: glyph})
	}
	x0, x1 := float64(epochs[0]), float64(epochs[len(epochs)-1])
	pad := math.Max(0.25, 0.03*(x1-x0))
	p.X.Min, p.X.Max = x0-pad, x1+pad
	if math.IsInf(lo, 0) { // nothing finite to draw
		lo, hi = 0, 1
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	// The legend goes in the top right corner when the first curve falls
	// (a loss), in the bottom right one when it rises (an accuracy), with
	// room made for it above or below the curves.
	room := 0.12 * float64(len(names)+1) * (hi - lo)
	p.Legend.Top = !rising(first)
	if p.Legend.Top {
		p.Y.Min, p.Y.Max = lo, hi+room
	} else {
		p.Y.Min, p.Y.Max = lo-room, hi
	}
	return p, nil
}

// rising reports whether a series ends above where it starts.
func rising(runs []plotter.XYs) bool {
	if len(runs) == 0 {
		return false
	}
	last := runs[len(runs)-1]
	return last[len(last)-1].Y > runs[0][0].Y
}

// finiteRuns splits a series into runs of finite values.
func finiteRuns(epochs []int, v []float64) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for i, y := range v {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			if len(cur) > 0 {
				runs, cur = append(runs, cur), nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: float64(epochs[i]), Y: y})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// integerTicks marks whole epochs only.
type integerTicks struct{}

func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	all := (plot.DefaultTicks{}).Ticks(lo, hi)
	var out []plot.Tick
	for _, t := range all {
		if t.Label == "" || t.Value == math.Trunc(t.Value) {
			if t.Label != "" {
				t.Label = strconv.FormatFloat(t.Value, 'f', -1, 64) // "25", not "25.00"
			}
			out = append(out, t)
		}
	}
	if majors(out) >= 2 {
		return out
	}
	if hi-lo > 50 {
		return all
	}
	out = nil
	for v := math.Ceil(lo); v <= hi; v++ {
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return out
}

func majors(ticks []plot.Tick) int {
	n := 0
	for _, t := range ticks {
		if t.Label != "" {
			n++
		}
	}
	return n
}
