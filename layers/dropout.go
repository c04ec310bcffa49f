package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout zeroes each input with probability Rate during training and scales
// the rest by 1/(1-Rate), so inference, which passes inputs through unchanged,
// sees the same expected values. Any shape to the same shape.
//
// The mask is an input of the training graph that the trainer fills from the
// model's seeded RNG before every batch; inference graphs have no mask.
type Dropout struct {
	// Name is the layer's name; empty means the model names it dropout, dropout_1...
	Name string `json:"name,omitempty"`
	// Rate is the fraction of inputs to drop, in [0, 1); zero drops nothing.
	Rate float64 `json:"rate"`
}

var _ Layer = (*Dropout)(nil)

// Kind is "dropout".
func (d *Dropout) Kind() string { return "dropout" }

// LayerName is the layer's name.
func (d *Dropout) LayerName() string { return d.Name }

// SetLayerName sets the layer's name.
func (d *Dropout) SetLayerName(name string) { d.Name = name }

// Build checks Rate; the output shape is the input shape.
func (d *Dropout) Build(_ *Builder, in Shape) (Shape, error) {
	if d.Rate < 0 || d.Rate >= 1 || d.Rate != d.Rate {
		return nil, errors.Errorf("dropout %q: rate must be in [0, 1), got %v", d.Name, d.Rate)
	}
	return in.Clone(), nil
}

// Forward multiplies x by a fresh mask in training graphs and passes x
// through in inference graphs.
func (d *Dropout) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if !c.Training || d.Rate == 0 {
		return x, nil
	}
	keep := 1 - d.Rate
	mask := c.NewFeed(d.Name+"/mask", x.Shape().Clone(), func(rng *rand.Rand, t *tensor.Dense) {
		fillMask(rng, t, keep)
	})
	out, err := gorgonia.HadamardProd(x, mask)
	if err != nil {
		return nil, errors.Wrapf(err, "dropout %q", d.Name)
	}
	return out, nil
}

// Weights is empty: dropout has none.
func (d *Dropout) Weights() []*Weight { return nil }

// fillMask writes 1/keep with probability keep, else 0.
func fillMask(rng *rand.Rand, t *tensor.Dense, keep float64) {
	scale := 1 / keep
	switch data := t.Data().(type) {
	case []float32:
		for i := range data {
			data[i] = 0
			if rng.Float64() < keep {
				data[i] = float32(scale)
			}
		}
	case []float64:
		for i := range data {
			data[i] = 0
			if rng.Float64() < keep {
				data[i] = scale
			}
		}
	}
}
