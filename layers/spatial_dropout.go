package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SpatialDropout2D drops whole channels: during training each channel of
// each sample is zeroed with probability Rate, all its height x width
// values together, and the kept ones are scaled by 1/(1-Rate), as Keras's
// SpatialDropout2D with channels last. Neighbouring pixels of a feature map
// are strongly correlated, so dropping them one by one (Dropout) hardly
// regularizes a convolutional network; dropping the map does. Inference
// passes inputs through unchanged. (height, width, channels) to the same
// shape.
//
// The mask is an input of the training graph, [batch, height, width,
// channels], that the trainer fills from the model's seeded RNG before every
// batch, one draw per sample and channel; inference graphs have no mask.
type SpatialDropout2D struct {
	// Name is the layer's name; empty means the model names it
	// spatial_dropout2d, spatial_dropout2d_1...
	Name string `json:"name,omitempty"`
	// Rate is the fraction of channels to drop, in [0, 1); zero drops
	// nothing.
	Rate float64 `json:"rate"`

	in Shape
}

var _ Layer = (*SpatialDropout2D)(nil)

// Kind is "spatial_dropout2d".
func (d *SpatialDropout2D) Kind() string { return "spatial_dropout2d" }

// LayerName is the layer's name.
func (d *SpatialDropout2D) LayerName() string { return d.Name }

// SetLayerName sets the layer's name.
func (d *SpatialDropout2D) SetLayerName(name string) { d.Name = name }

// Build checks Rate and that the input is (height, width, channels); the
// output shape is the input shape.
func (d *SpatialDropout2D) Build(_ *Builder, in Shape) (Shape, error) {
	if d.Rate < 0 || d.Rate >= 1 || d.Rate != d.Rate {
		return nil, errors.Errorf("spatial_dropout2d %q: rate must be in [0, 1), got %v", d.Name, d.Rate)
	}
	if err := checkImage("spatial_dropout2d", d.Name, in); err != nil {
		return nil, err
	}
	d.in = in.Clone()
	return in.Clone(), nil
}

// Forward multiplies x by a fresh channel mask in training graphs and passes
// x through in inference graphs.
func (d *SpatialDropout2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if d.in == nil {
		return nil, errors.Errorf("spatial_dropout2d %q: forward before build", d.Name)
	}
	if err := checkBuiltInput("spatial_dropout2d", d.Name, c, x, d.in); err != nil {
		return nil, err
	}
	if !c.Training || d.Rate == 0 {
		return x, nil
	}
	keep := 1 - d.Rate
	mask := c.NewFeed(d.Name+"/mask", x.Shape().Clone(), func(rng *rand.Rand, t *tensor.Dense) {
		fillChannelMask(rng, t, keep)
	})
	out, err := gorgonia.HadamardProd(x, mask)
	if err != nil {
		return nil, errors.Wrapf(err, "spatial_dropout2d %q", d.Name)
	}
	return out, nil
}

// Weights is empty: spatial dropout has none.
func (d *SpatialDropout2D) Weights() []*Weight { return nil }

// fillChannelMask fills t, [batch, height, width, channels], so that each
// (sample, channel) is 1/keep with probability keep, else 0, at every
// pixel. The draws go sample by sample, channel by channel.
func fillChannelMask(rng *rand.Rand, t *tensor.Dense, keep float64) {
	s := t.Shape()
	if len(s) != 4 {
		return
	}
	n, pixels, ch := s[0], s[1]*s[2], s[3]
	scale := 1 / keep
	draws := make([]float64, ch)
	for b := 0; b < n; b++ {
		for k := range draws {
			draws[k] = 0
			if rng.Float64() < keep {
				draws[k] = scale
			}
		}
		base := b * pixels * ch
		switch data := t.Data().(type) {
		case []float32:
			for p := 0; p < pixels; p++ {
				for k, v := range draws {
					data[base+p*ch+k] = float32(v)
				}
			}
		case []float64:
			for p := 0; p < pixels; p++ {
				copy(data[base+p*ch:base+(p+1)*ch], draws)
			}
		}
	}
}
