package models

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/trainer"
)

// GradientConfig says what Gradients computes. The zero value gives the
// gradients with respect to the trainable weights only.
type GradientConfig struct {
	// Inputs asks for the gradients with respect to the inputs too; false
	// leaves them out.
	Inputs bool
	// Stream gives the dropout masks (and other random feeds) of the run;
	// nil means a stream seeded by 0.
	Stream *rand.Rand
}

// WeightGradient is the gradient of the loss with respect to one weight:
// Value has the weight's shape.
type WeightGradient struct {
	// Name is the weight's name, "<layer>/<weight>".
	Name  string
	Value *tensor.Dense
}

// GradientResult is what Gradients computes.
type GradientResult struct {
	// Loss is the loss of the batch: the compiled loss's mean over the
	// samples plus the layers' regularization penalties, what Fit
	// minimizes.
	Loss float64
	// Weights are the gradients with respect to the trainable weights the
	// loss depends on, in the model's weight order.
	Weights []WeightGradient
	// Inputs are the gradients with respect to the inputs, one per input,
	// each of its input's shape; nil unless GradientConfig.Inputs.
	Inputs []*tensor.Dense
}

// Gradients returns the gradients of the compiled loss of m (a Sequential
// or a Functional model, built and compiled) on inputs x and targets y,
// taken as one batch, with respect to the trainable weights and, when
// cfg.Inputs, the inputs: what Keras users get from tf.GradientTape around
// model(x, training=True) and the loss. The layers run as in training
// (dropout from cfg.Stream, batch statistics), but nothing in the model
// changes: no weight, no moving statistic, no optimizer state.
//
// x holds the inputs and y the targets, in the forms Fit takes them: a
// tensor for a model of one input (one output), a slice or a map by name
// for several.
func Gradients(m Model, x, y Tensors, cfg GradientConfig) (*GradientResult, error) {
	if m == nil {
		return nil, errors.New("gradients: the model is nil")
	}
	f := m.Model()
	if !f.compiled {
		return nil, errors.New("gradients: the model is not compiled; call Compile first")
	}
	data, err := f.prepare(x, y, "gradients")
	if err != nil {
		return nil, err
	}
	loss, nodes, grads, inGrads, err := trainer.Gradients(f, data, cfg.Inputs, cfg.Stream)
	if err != nil {
		return nil, errors.Wrap(err, "gradients")
	}
	res := &GradientResult{Loss: loss, Inputs: inGrads}
	for i, n := range nodes {
		res.Weights = append(res.Weights, WeightGradient{Name: n.Name(), Value: grads[i]})
	}
	return res, nil
}
