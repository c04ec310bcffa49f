package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// Dense computes Activation(x·W + b): [batch, in] -> [batch, Units].
//
// W, the kernel, is [in, Units] and starts from KernelInitializer (nil means
// GlorotUniform, as in Keras); b is [Units] and starts from BiasInitializer
// (nil means Zeros).
//
// The regularizers add their penalties to the graph's losses (Call.AddLoss)
// and the constraints project W and b after each optimizer step
// (Weight.Constraint), as Keras's kernel_regularizer, bias_regularizer,
// activity_regularizer, kernel_constraint and bias_constraint do.
type Dense struct {
	// Name is the layer's name; empty means the model names it dense, dense_1...
	Name string `json:"name,omitempty"`
	// Units is the number of outputs; it must be > 0.
	Units int `json:"units"`
	// Activation is applied to x·W + b; empty means linear.
	Activation Activator `json:"activation,omitempty"`
	// NoBias leaves out b (Keras's use_bias=False); false means a bias.
	NoBias bool `json:"no_bias,omitempty"`
	// KernelInitializer fills W; nil means GlorotUniform.
	KernelInitializer Initializer `json:"-"`
	// BiasInitializer fills b; nil means Zeros.
	BiasInitializer Initializer `json:"-"`
	// KernelRegularizer adds a penalty on W to the loss; nil means none.
	KernelRegularizer Regularizer `json:"-"`
	// BiasRegularizer adds a penalty on b to the loss; nil means none. It
	// is ignored with NoBias, as in Keras.
	BiasRegularizer Regularizer `json:"-"`
	// ActivityRegularizer adds a penalty on the layer's output (after the
	// activation) to the loss, divided by the batch size as Keras does;
	// nil means none.
	ActivityRegularizer Regularizer `json:"-"`
	// KernelConstraint projects W after each optimizer step; nil means
	// none.
	KernelConstraint Constraint `json:"-"`
	// BiasConstraint projects b after each optimizer step; nil means none.
	// It is ignored with NoBias, as in Keras.
	BiasConstraint Constraint `json:"-"`

	kernel, bias *Weight
	lead         Shape // the input's axes before the features, for inputs of rank > 2
}

var _ Layer = (*Dense)(nil)

// Kind is "dense".
func (d *Dense) Kind() string { return "dense" }

// LayerName is the layer's name.
func (d *Dense) LayerName() string { return d.Name }

// SetLayerName sets the layer's name.
func (d *Dense) SetLayerName(name string) { d.Name = name }

// Build creates W [in, Units] and b [Units] for input (in).
func (d *Dense) Build(b *Builder, in Shape) (Shape, error) {
	if d.Units <= 0 {
		return nil, errors.Errorf("dense %q: units must be > 0, got %d", d.Name, d.Units)
	}
	if err := d.Activation.Validate(); err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	if len(in) == 0 {
		return nil, errors.Errorf("dense %q: expected input shape (None, ..., features), got %v", d.Name, in)
	}
	if err := d.weightOpts().validate(); err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	var err error
	last := in[len(in)-1]
	if d.kernel, d.bias, err = d.weightOpts().newWeights(b, []int{last, d.Units}, d.Units, d.NoBias); err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	// On (None, steps..., features) the layer applies to the last axis, as
	// Keras's Dense does: (None, steps..., Units).
	d.lead = append(Shape(nil), in[:len(in)-1]...)
	return append(d.lead.Clone(), d.Units), nil
}

// Forward adds Activation(x·W + b) to the graph, and the regularizers'
// penalties to c's losses unless c.NoLosses.
func (d *Dense) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if d.kernel == nil {
		return nil, errors.Errorf("dense %q: forward before build", d.Name)
	}
	var bias *gorgonia.Node
	if d.bias != nil {
		bias = c.Node(d.bias)
	}
	if len(d.lead) > 0 {
		return d.forwardLastAxis(c, x, bias)
	}
	// One op, with its output and gradients in buffers it keeps.
	z, err := ops.Dense(x, c.Node(d.kernel), bias, c.NeedsGrad(x))
	if err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	out, err := applyActivation(c, d.Activation, z, "dense", d.Name)
	if err != nil {
		return nil, err
	}
	if err := d.weightOpts().addPenalties(c, c.Node(d.kernel), bias, out); err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	return out, nil
}

// forwardLastAxis applies the layer to the last axis of x, [batch,
// lead..., features]: as rows of [batch*lead, features], back to [batch,
// lead..., Units]. The lead axes may differ from those Build saw (a
// sequence of another length).
func (d *Dense) forwardLastAxis(c *Call, x *gorgonia.Node, bias *gorgonia.Node) (*gorgonia.Node, error) {
	if x.Dims() != len(d.lead)+2 {
		return nil, errors.Errorf("dense %q: built for input of %d axes, got a node of shape %v", d.Name, len(d.lead)+2, x.Shape())
	}
	lead := Shape(x.Shape()[1 : x.Dims()-1]).Clone()
	rows := c.Batch * lead.Size()
	flat, err := reshape(x, tensor.Shape{rows, x.Shape()[x.Dims()-1]}, "dense", d.Name)
	if err != nil {
		return nil, err
	}
	z, err := ops.Dense(flat, c.Node(d.kernel), bias, c.NeedsGrad(x))
	if err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	out, err := applyActivation(c, d.Activation, z, "dense", d.Name)
	if err != nil {
		return nil, err
	}
	if err := d.weightOpts().addPenalties(c, c.Node(d.kernel), bias, out); err != nil {
		return nil, errors.Wrapf(err, "dense %q", d.Name)
	}
	return reshape(out, append(lead.WithBatch(c.Batch), d.Units), "dense", d.Name)
}

// Weights returns W and, unless NoBias, b.
func (d *Dense) Weights() []*Weight {
	if d.kernel == nil {
		return nil
	}
	if d.bias == nil {
		return []*Weight{d.kernel}
	}
	return []*Weight{d.kernel, d.bias}
}

// applyActivation applies a to z and, for softmax and sigmoid, records z as
// the logits of the result so that losses can use them.
func applyActivation(c *Call, a Activator, z *gorgonia.Node, kind, name string) (*gorgonia.Node, error) {
	out, err := a.Apply(z)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	if a == Softmax || a == Sigmoid {
		c.MarkLogits(out, z, a)
	}
	return out, nil
}
