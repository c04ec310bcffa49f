package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MaxWeightSize bounds the values of one weight (2^30, 4 GiB as float32), so
// that a mistyped size in a model spec is an error, not an exhausted memory.
const MaxWeightSize = 1 << 30

// Builder is what a layer's Build receives: the dtype of the model, the
// seeded random source every initializer draws from, and the layer's name.
// Weights are filled in the order layers and their weights are built, so the
// same seed gives bit-identical weights.
type Builder struct {
	// DType is tensor.Float32 or tensor.Float64.
	DType tensor.Dtype
	// RNG is the model's weight stream; never nil once a model builds.
	RNG *rand.Rand
	// Name is the name of the layer being built.
	Name string
}

// NewWeight creates a trainable weight "<layer>/<name>" of the given shape,
// filled by init.
func (b *Builder) NewWeight(name string, shape []int, init Initializer) (*Weight, error) {
	return b.newWeight(name, shape, init, true)
}

// NewState creates a non-trainable weight (running statistics and the like).
func (b *Builder) NewState(name string, shape []int, init Initializer) (*Weight, error) {
	return b.newWeight(name, shape, init, false)
}

func (b *Builder) newWeight(name string, shape []int, init Initializer, trainable bool) (*Weight, error) {
	full := b.Name + "/" + name
	if init == nil {
		return nil, errors.Errorf("%s: no initializer", full)
	}
	if b.DType != tensor.Float32 && b.DType != tensor.Float64 {
		return nil, errors.Errorf("%s: dtype must be float32 or float64, got %v", full, b.DType)
	}
	n := 1
	for _, d := range shape {
		if d <= 0 {
			return nil, errors.Errorf("%s: shape %v has a dimension <= 0", full, shape)
		}
		if n > MaxWeightSize/d {
			return nil, errors.Errorf("%s: shape %v holds more than %d values", full, shape, MaxWeightSize)
		}
		n *= d
	}
	vals := make([]float64, n)
	if err := init.Fill(b.RNG, shape, vals); err != nil {
		return nil, errors.Wrapf(err, "%s: initialize", full)
	}
	var t *tensor.Dense
	if b.DType == tensor.Float32 {
		f := make([]float32, n)
		for i, v := range vals {
			f[i] = float32(v)
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	} else {
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
	}
	return &Weight{Name: full, Value: t, Trainable: trainable}, nil
}
