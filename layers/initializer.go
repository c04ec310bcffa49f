package layers

import "math/rand"

// Initializer fills a new weight of the given shape. It draws only from rng,
// so one seed gives the same weights on every run. dst has one value per
// element of shape, in row-major order.
//
// Fans follow Keras: for a shape [..., in, out], fanIn = in * receptive field
// and fanOut = out * receptive field, the receptive field being the product of
// the leading dimensions; a 1-D shape [n] has fanIn = fanOut = n.
type Initializer interface {
	Fill(rng *rand.Rand, shape []int, dst []float64) error
}
