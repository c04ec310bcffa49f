package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// TimeDistributed applies Layer to every time step, Keras's
// TimeDistributed: [batch, steps, in...] -> [batch, steps, out...], where
// Layer maps (in...) to (out...). The steps are folded into the batch (a
// copy to [batch*steps, in...]), Layer runs once on them with Call.Batch
// set to batch*steps, and the result is unfolded; so every step shares
// Layer's weights.
//
// Layer's weights are this layer's weights. Layer is built under the name
// "<time_distributed>/<layer>", so its weights are named
// "<time_distributed>/<layer>/<weight>" (say "time_distributed/dense/kernel"):
// unique within a model, since layer names are, and stable, since both names
// are saved. An unnamed Layer is named after its kind when built.
//
// A mask on the input (Call.SetMask) is passed on to the output. Layer's
// activity regularizer, if any, divides by batch*steps, the batch it sees.
// In a saved model Layer is a nested spec ({"kind": ..., "config": ...}), so
// it must be a kind New knows.
type TimeDistributed struct {
	// Name is the layer's name; empty means the model names it
	// time_distributed, time_distributed_1...
	Name string `json:"name,omitempty"`
	// Layer is applied to every step; it is required.
	Layer Layer `json:"layer,omitempty"`

	in, innerOut Shape
}

var _ Layer = (*TimeDistributed)(nil)

// Kind is "time_distributed".
func (t *TimeDistributed) Kind() string { return "time_distributed" }

// LayerName is the layer's name.
func (t *TimeDistributed) LayerName() string { return t.Name }

// SetLayerName sets the layer's name.
func (t *TimeDistributed) SetLayerName(name string) { t.Name = name }

// Build builds Layer for the shape of one step, in[1:], and returns
// (steps, Layer's output...).
func (t *TimeDistributed) Build(b *Builder, in Shape) (Shape, error) {
	if t.Layer == nil {
		return nil, errors.Errorf("time_distributed %q: no layer to apply", t.Name)
	}
	if len(in) < 2 {
		return nil, errors.Errorf("time_distributed %q: expected input shape (None, steps, ...), got %v", t.Name, in)
	}
	for _, d := range in {
		if d <= 0 {
			return nil, errors.Errorf("time_distributed %q: input shape %v has a dimension <= 0", t.Name, in)
		}
	}
	if t.Layer.LayerName() == "" {
		t.Layer.SetLayerName(t.Layer.Kind())
	}
	inner := &Builder{DType: b.DType, RNG: b.RNG, Name: b.Name + "/" + t.Layer.LayerName()}
	out, err := t.Layer.Build(inner, in[1:].Clone())
	if err != nil {
		return nil, errors.Wrapf(err, "time_distributed %q", t.Name)
	}
	t.in, t.innerOut = in.Clone(), out.Clone()
	return append(Shape{in[0]}, out...), nil
}

// Forward applies Layer to every step of x, [batch, steps, in...].
func (t *TimeDistributed) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if t.in == nil {
		return nil, errors.Errorf("time_distributed %q: forward before build", t.Name)
	}
	steps, err := checkSequenceInput("time_distributed", t.Name, c, x, t.in)
	if err != nil {
		return nil, err
	}
	batch := c.Batch
	folded, err := ops.CopyReshape(x, t.in[1:].WithBatch(batch*steps))
	if err != nil {
		return nil, errors.Wrapf(err, "time_distributed %q: fold the steps", t.Name)
	}
	y, err := t.forwardInner(c, folded, batch*steps)
	if err != nil {
		return nil, errors.Wrapf(err, "time_distributed %q", t.Name)
	}
	if want := t.innerOut.WithBatch(batch * steps); !y.Shape().Eq(want) || y.Dims() != len(want) {
		return nil, errors.Errorf("time_distributed %q: %s %q gives %v, want %v", t.Name, t.Layer.Kind(), t.Layer.LayerName(), y.Shape(), want)
	}
	full := append(tensor.Shape{batch, steps}, t.innerOut...)
	out, err := ops.CopyReshape(y, full)
	if err != nil {
		return nil, errors.Wrapf(err, "time_distributed %q: unfold the steps", t.Name)
	}
	if m, ok := c.MaskOf(x); ok {
		if err := c.SetMask(out, m); err != nil {
			return nil, errors.Wrapf(err, "time_distributed %q", t.Name)
		}
	}
	return out, nil
}

// forwardInner runs Layer's Forward with c.Batch set to batch, restoring
// it after.
func (t *TimeDistributed) forwardInner(c *Call, x *gorgonia.Node, batch int) (*gorgonia.Node, error) {
	saved := c.Batch
	c.Batch = batch
	defer func() { c.Batch = saved }()
	return t.Layer.Forward(c, x)
}

// Weights returns Layer's weights; nil before Build.
func (t *TimeDistributed) Weights() []*Weight {
	if t.in == nil || t.Layer == nil {
		return nil
	}
	return t.Layer.Weights()
}

// timeDistributedJSON is how TimeDistributed is saved: Layer as a spec.
type timeDistributedJSON struct {
	Name  string `json:"name,omitempty"`
	Layer *Spec  `json:"layer,omitempty"`
}

// MarshalJSON writes the name and Layer's spec.
func (t *TimeDistributed) MarshalJSON() ([]byte, error) {
	j := timeDistributedJSON{Name: t.Name}
	if t.Layer != nil {
		s, err := Marshal(t.Layer)
		if err != nil {
			return nil, errors.Wrapf(err, "time_distributed %q", t.Name)
		}
		j.Layer = &s
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *TimeDistributed) UnmarshalJSON(data []byte) error {
	var j timeDistributedJSON
	if err := decodeStrict(data, &j); err != nil {
		return err
	}
	t.Name, t.Layer = j.Name, nil
	if j.Layer != nil {
		l, err := Unmarshal(*j.Layer, nil)
		if err != nil {
			return errors.Wrapf(err, "time_distributed %q: layer", t.Name)
		}
		t.Layer = l
	}
	return nil
}
