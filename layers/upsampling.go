package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// UpSampling2D repeats each row of each image Size[0] times and each column
// Size[1] times (nearest-neighbour upsampling), as Keras's UpSampling2D with
// channels last and interpolation "nearest": (height, width, channels) ->
// (height*Size[0], width*Size[1], channels). It has no weights; the gradient
// of each input pixel is the sum over its block.
type UpSampling2D struct {
	// Name is the layer's name; empty means the model names it
	// up_sampling2d, up_sampling2d_1...
	Name string `json:"name,omitempty"`
	// Size is the upsampling factors: nil means [2, 2]; [s] means [s, s];
	// [rows, columns] each its own. Values must be > 0.
	Size []int `json:"size,omitempty"`

	in     Shape
	sh, sw int
}

var _ Layer = (*UpSampling2D)(nil)

// Kind is "up_sampling2d".
func (u *UpSampling2D) Kind() string { return "up_sampling2d" }

// LayerName is the layer's name.
func (u *UpSampling2D) LayerName() string { return u.Name }

// SetLayerName sets the layer's name.
func (u *UpSampling2D) SetLayerName(name string) { u.Name = name }

// factors resolves Size to the row and column factors.
func (u *UpSampling2D) factors() (sh, sw int, err error) {
	switch v := u.Size; len(v) {
	case 0:
		sh, sw = 2, 2
	case 1:
		sh, sw = v[0], v[0]
	case 2:
		sh, sw = v[0], v[1]
	default:
		return 0, 0, errors.Errorf("up_sampling2d %q: size must have 1 or 2 values, got %v", u.Name, u.Size)
	}
	if sh <= 0 || sw <= 0 {
		return 0, 0, errors.Errorf("up_sampling2d %q: size must be > 0, got %v", u.Name, u.Size)
	}
	return sh, sw, nil
}

// Build checks Size and that the input is (height, width, channels), and
// returns the upsampled shape.
func (u *UpSampling2D) Build(_ *Builder, in Shape) (Shape, error) {
	sh, sw, err := u.factors()
	if err != nil {
		return nil, err
	}
	if err := checkImage("up_sampling2d", u.Name, in); err != nil {
		return nil, err
	}
	if in.Size() > MaxWeightSize/sh/sw {
		return nil, errors.Errorf("up_sampling2d %q: output of input %v upsampled %dx%d holds more than %d values per sample", u.Name, in, sh, sw, MaxWeightSize)
	}
	u.in, u.sh, u.sw = in.Clone(), sh, sw
	return Shape{in[0] * sh, in[1] * sw, in[2]}, nil
}

// Forward upsamples x, [batch, height, width, channels].
func (u *UpSampling2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if u.in == nil {
		return nil, errors.Errorf("up_sampling2d %q: forward before build", u.Name)
	}
	if err := checkBuiltInput("up_sampling2d", u.Name, c, x, u.in); err != nil {
		return nil, err
	}
	if u.sh == 1 && u.sw == 1 {
		return x, nil
	}
	out, err := ops.Upsample2D(x, u.sh, u.sw)
	if err != nil {
		return nil, errors.Wrapf(err, "up_sampling2d %q", u.Name)
	}
	return out, nil
}

// Weights is empty: upsampling has none.
func (u *UpSampling2D) Weights() []*Weight { return nil }
