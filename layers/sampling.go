package layers

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sampling draws z = mean + exp(log_var/2) ⊙ ε with ε ~ N(0, I), the
// reparameterization trick of a variational autoencoder (the Sampling
// layer of Keras's VAE example): two inputs, (mean, log_var), of one
// shape, [batch, latent] -> [batch, latent]. It has no weights.
//
// ε is a feed (Call.NewFeed) of every graph, training, evaluation and
// prediction alike, that the trainer fills from the model's seeded random
// source before each run, so the same seed draws the same samples. The
// gradient flows to mean and log_var through z; ε gets none.
//
// With KLWeight > 0, the layer also adds to the graph's losses (Call.AddLoss,
// unless Call.NoLosses) KLWeight times the Kullback-Leibler divergence of
// N(mean, exp(log_var)) from N(0, I), in nats per sample, averaged over the
// batch:
//
//	KLWeight · mean over the batch of Σ_latent -½ (1 + log_var - mean² - exp(log_var))
type Sampling struct {
	// Name is the layer's name; empty means the model names it sampling,
	// sampling_1...
	Name string `json:"name,omitempty"`
	// KLWeight scales the KL divergence added to the loss; it must be
	// finite and >= 0. Zero adds none (the model then adds it itself, or
	// trains a plain autoencoder with noise).
	KLWeight float64 `json:"kl_weight,omitempty"`

	in []Shape
}

var _ Merger = (*Sampling)(nil)

// Kind is "sampling".
func (l *Sampling) Kind() string { return "sampling" }

// LayerName is the layer's name.
func (l *Sampling) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Sampling) SetLayerName(name string) { l.Name = name }

// BuildMerge checks KLWeight and that the inputs are (mean, log_var) of one
// shape, and returns that shape.
func (l *Sampling) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	kind, name := l.Kind(), l.Name
	if l.KLWeight < 0 || math.IsNaN(l.KLWeight) || math.IsInf(l.KLWeight, 0) {
		return nil, errors.Errorf("%s %q: kl_weight must be finite and >= 0, got %v", kind, name, l.KLWeight)
	}
	if len(in) != 2 {
		return nil, errors.Errorf("%s %q: needs exactly 2 inputs (mean, log_var), got %d", kind, name, len(in))
	}
	if err := checkMergeInputs(kind, name, in, true); err != nil {
		return nil, err
	}
	if !in[1].Equal(in[0]) {
		return nil, errors.Errorf("%s %q: input 1 (log_var) has shape %v, input 0 (mean) has %v", kind, name, in[1], in[0])
	}
	l.in = cloneShapes(in)
	return in[0].Clone(), nil
}

// ForwardMerge adds z = mean + exp(log_var/2) ⊙ ε to the graph, with ε a
// feed filled from N(0, 1), and the KL divergence to c's losses when
// KLWeight > 0 and not c.NoLosses.
func (l *Sampling) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	kind, name := l.Kind(), l.Name
	if err := checkMergeNodes(kind, name, c, xs, l.in); err != nil {
		return nil, err
	}
	mean, logVar := xs[0], xs[1]
	full := l.in[0].WithBatch(c.Batch)
	eps := c.NewFeed(name+"/epsilon", full.Clone(), fillNormal)
	z, err := sample(c, mean, logVar, eps)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	if z, err = exactShape(z, full, kind, name); err != nil {
		return nil, err
	}
	if l.KLWeight > 0 && !c.NoLosses {
		kl, err := klDivergence(c, mean, logVar, l.in[0].Size(), l.KLWeight)
		if err != nil {
			return nil, errors.Wrapf(err, "%s %q: kl divergence", kind, name)
		}
		if err := c.AddLoss(kl); err != nil {
			return nil, errors.Wrapf(err, "%s %q", kind, name)
		}
	}
	return z, nil
}

// Weights is empty.
func (l *Sampling) Weights() []*Weight { return nil }

// sample is mean + exp(0.5·logVar) ⊙ eps.
func sample(c *Call, mean, logVar, eps *gorgonia.Node) (*gorgonia.Node, error) {
	half, err := gorgonia.HadamardProd(logVar, scalar(c, 0.5))
	if err != nil {
		return nil, err
	}
	std, err := gorgonia.Exp(half)
	if err != nil {
		return nil, err
	}
	noise, err := gorgonia.HadamardProd(std, eps)
	if err != nil {
		return nil, err
	}
	return gorgonia.Add(mean, noise)
}

// klDivergence is weight · ½ (Σ (exp(logVar) + mean² - logVar) / batch -
// size), which is weight times the mean over the batch of
// Σ -½ (1 + logVar - mean² - exp(logVar)), size values per sample.
func klDivergence(c *Call, mean, logVar *gorgonia.Node, size int, weight float64) (*gorgonia.Node, error) {
	v, err := gorgonia.Exp(logVar)
	if err != nil {
		return nil, err
	}
	m2, err := gorgonia.Square(mean)
	if err != nil {
		return nil, err
	}
	t, err := gorgonia.Add(v, m2)
	if err != nil {
		return nil, err
	}
	if t, err = gorgonia.Sub(t, logVar); err != nil {
		return nil, err
	}
	s, err := gorgonia.Sum(t)
	if err != nil {
		return nil, err
	}
	if s, err = gorgonia.Mul(s, scalar(c, 0.5*weight/float64(c.Batch))); err != nil {
		return nil, err
	}
	return gorgonia.Sub(s, scalar(c, 0.5*weight*float64(size)))
}

// fillNormal writes standard normal values.
func fillNormal(rng *rand.Rand, t *tensor.Dense) {
	switch data := t.Data().(type) {
	case []float32:
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
	case []float64:
		for i := range data {
			data[i] = rng.NormFloat64()
		}
	}
}
