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
