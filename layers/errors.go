package layers

import "github.com/pkg/errors"

// errorf wraps err with the layer's kind and name: `dense "hidden": ...`.
func errorf(kind, name string, err error) error {
	return errors.Wrapf(err, "%s %q", kind, name)
}
