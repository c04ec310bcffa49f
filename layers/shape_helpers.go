package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// checkImage checks that in is a per-sample image shape (height, width,
// channels) with every dimension > 0; the error names the layer.
func checkImage(kind, name string, in Shape) error {
	if len(in) != 3 {
		return errors.Errorf("%s %q: expected input shape (None, height, width, channels), got %v", kind, name, in)
	}
	for _, d := range in {
		if d <= 0 {
			return errors.Errorf("%s %q: input shape %v has a dimension <= 0", kind, name, in)
		}
	}
	return nil
}

// checkBuiltInput checks that node x is [batch, in...], the input Build saw; the
// error names the layer.
func checkBuiltInput(kind, name string, c *Call, x *gorgonia.Node, in Shape) error {
	if want := in.WithBatch(c.Batch); !x.Shape().Eq(want) || x.Dims() != len(want) {
		return errors.Errorf("%s %q: built for input %v, got a node of shape %v", kind, name, want, x.Shape())
	}
	return nil
}

// checkSequenceInput checks that node x is [batch, steps, in[1:]...]: the
// input Build saw, at any sequence length (steps > 0), as a model takes
// sequences of another length than it was built for. It returns the
// number of steps; the error names the layer.
func checkSequenceInput(kind, name string, c *Call, x *gorgonia.Node, in Shape) (int, error) {
	s := x.Shape()
	if len(in) == 0 || x.Dims() != len(in)+1 || s[0] != c.Batch || s[1] <= 0 || !Shape(s[2:]).Equal(in[1:]) {
		want := in.WithBatch(c.Batch)
		return 0, errors.Errorf("%s %q: built for input %v, got a node of shape %v", kind, name, want, s)
	}
	return s[1], nil
}
