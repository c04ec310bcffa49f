package metrics

import (
	"image/color"
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ConfusionPNGSize is the side, in pixels, of the square image SavePNG
// draws for k classes: max(480, 200 + 40·k).
func ConfusionPNGSize(k int) int { return max(480, 200+40*k) }

// SavePNG draws the matrix as a heat map and writes it to path as a PNG of
// ConfusionPNGSize(classes) pixels a side: predicted classes along the
// horizontal axis ("Predicted"), true classes down the vertical one
// ("True"), both labelled with classNames (nil: the class ids), each cell
// shaded from white to dark blue by its count, which is written in it. The
// file is written to a temporary file and renamed into place. It is an
// error before any row is counted, or when classNames does not name every
// class.
func (m *ConfusionMatrix) SavePNG(path string, classNames []string) error {
	names, err := m.names(classNames)
	if err != nil {
		return err
	}
	p, err := m.heatMap(names)
	if err != nil {
		return errors.Wrap(err, "confusion matrix")
	}
	side := ConfusionPNGSize(m.cm.k)
	return errors.Wrap(savePNG(path, side, side, [][]*plot.Plot{{p}}), "confusion matrix")
}

// confusionGrid shows counts with row 0 at the top: the grid's row r is
// true class k−1−r.
type confusionGrid struct {
	k      int
	counts []int
}

func (g confusionGrid) Dims() (c, r int)   { return g.k, g.k }
func (g confusionGrid) Z(c, r int) float64 { return float64(g.counts[(g.k-1-r)*g.k+c]) }
func (g confusionGrid) X(c int) float64    { return float64(c) }
func (g confusionGrid) Y(r int) float64    { return float64(r) }

func (m *ConfusionMatrix) heatMap(names []string) (*plot.Plot, error) {
	k := m.cm.k
	grid := confusionGrid{k, m.cm.counts}
	pal, err := brewer.GetPalette(brewer.TypeSequential, "Blues", 9)
	if err != nil {
		return nil, err
	}
	hm := plotter.NewHeatMap(grid, pal)
	top := 0
	for _, c := range m.cm.counts {
		top = max(top, c)
	}
	hm.Min, hm.Max = 0, math.Max(1, float64(top))

	p := plot.New()
	p.Title.Text = "Confusion matrix (" + strconv.Itoa(m.cm.n) + " rows)"
	p.X.Label.Text = "Predicted"
	p.Y.Label.Text = "True"
	p.Add(hm)
	// White lines between the cells.
	for i := 0; i <= k; i++ {
		at := float64(i) - 0.5
		for _, xy := range []plotter.XYs{{{X: at, Y: -0.5}, {X: at, Y: float64(k) - 0.5}}, {{X: -0.5, Y: at}, {X: float64(k) - 0.5, Y: at}}} {
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, err
			}
			l.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(1.5)}
			p.Add(l)
		}
	}

	labels := plotter.XYLabels{}
	var styles []text.Style
	for r := 0; r < k; r++ {
		for c := 0; c < k; c++ {
			v := grid.Z(c, r)
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			labels.Labels = append(labels.Labels, strconv.Itoa(int(v)))
			st := p.X.Tick.Label // the default font
			st.XAlign, st.YAlign = draw.XCenter, draw.YCenter
			st.Rotation = 0
			if k <= 12 {
				st.Font.Size = vg.Points(12)
			}
			st.Color = color.Black
			if v > hm.Max/2 {
				st.Color = color.White
			}
			styles = append(styles, st)
		}
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	l.TextStyle = styles
	p.Add(l)

	p.NominalX(names...)
	reversed := make([]string, k)
	for i, n := range names {
		reversed[k-1-i] = n
	}
	p.NominalY(reversed...)
	long := false
	for _, n := range names {
		long = long || len(n) > 6
	}
	if long {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	return p, nil
}
