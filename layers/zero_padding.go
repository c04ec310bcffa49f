package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// ZeroPadding2D adds rows and columns of zeros around each image, as Keras's
// ZeroPadding2D with channels last: (height, width, channels) ->
// (top+height+bottom, left+width+right, channels). It has no weights; the
// gradient crops the border off.
type ZeroPadding2D struct {
	// Name is the layer's name; empty means the model names it
	// zero_padding2d, zero_padding2d_1...
	Name string `json:"name,omitempty"`
	// Padding is the zeros to add: nil means 1 on every side; [p] p on
	// every side; [ph, pw] ph rows above and below and pw columns left and
	// right; [top, bottom, left, right] each side its own. Values must be
	// >= 0.
	Padding []int `json:"padding,omitempty"`

	in Shape
	p  ops.Padding2D
}

var _ Layer = (*ZeroPadding2D)(nil)

// Kind is "zero_padding2d".
func (z *ZeroPadding2D) Kind() string { return "zero_padding2d" }

// LayerName is the layer's name.
func (z *ZeroPadding2D) LayerName() string { return z.Name }

// SetLayerName sets the layer's name.
func (z *ZeroPadding2D) SetLayerName(name string) { z.Name = name }

// padding resolves Padding to the four sides.
func (z *ZeroPadding2D) padding() (ops.Padding2D, error) {
	var p ops.Padding2D
	switch v := z.Padding; len(v) {
	case 0:
		p = ops.Padding2D{Top: 1, Bottom: 1, Left: 1, Right: 1}
	case 1:
		p = ops.Padding2D{Top: v[0], Bottom: v[0], Left: v[0], Right: v[0]}
	case 2:
		p = ops.Padding2D{Top: v[0], Bottom: v[0], Left: v[1], Right: v[1]}
	case 4:
		p = ops.Padding2D{Top: v[0], Bottom: v[1], Left: v[2], Right: v[3]}
	default:
		return p, errors.Errorf("zero_padding2d %q: padding must have 1, 2 or 4 values, got %v", z.Name, z.Padding)
	}
	if p.Top < 0 || p.Bottom < 0 || p.Left < 0 || p.Right < 0 {
		return p, errors.Errorf("zero_padding2d %q: padding must be >= 0, got %v", z.Name, z.Padding)
	}
	return p, nil
}

// Build checks Padding and that the input is (height, width, channels), and
// returns the padded shape.
func (z *ZeroPadding2D) Build(_ *Builder, in Shape) (Shape, error) {
	p, err := z.padding()
	if err != nil {
		return nil, err
	}
	if err := checkImage("zero_padding2d", z.Name, in); err != nil {
		return nil, err
	}
	out := Shape{in[0] + p.Top + p.Bottom, in[1] + p.Left + p.Right, in[2]}
	if out.Size() > MaxWeightSize {
		return nil, errors.Errorf("zero_padding2d %q: output %v holds more than %d values per sample", z.Name, out, MaxWeightSize)
	}
	z.in, z.p = in.Clone(), p
	return out, nil
}

// Forward pads x, [batch, height, width, channels].
func (z *ZeroPadding2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if z.in == nil {
		return nil, errors.Errorf("zero_padding2d %q: forward before build", z.Name)
	}
	if err := checkBuiltInput("zero_padding2d", z.Name, c, x, z.in); err != nil {
		return nil, err
	}
	if z.p == (ops.Padding2D{}) {
		return x, nil
	}
	out, err := ops.Pad2D(x, z.p)
	if err != nil {
		return nil, errors.Wrapf(err, "zero_padding2d %q", z.Name)
	}
	return out, nil
}

// Weights is empty: zero padding has none.
func (z *ZeroPadding2D) Weights() []*Weight { return nil }
