package layers

import (
	"slices"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// normAxes resolves Keras axis values (the batch is axis 0, negative
// values count from the end) for a per-sample shape in: the sorted
// per-sample axes (0 for the first axis after the batch). nil means [-1].
func normAxes(what string, in Shape, axes []int) ([]int, error) {
	if len(axes) == 0 {
		axes = []int{-1}
	}
	rank := len(in) + 1 // with the batch
	out := make([]int, 0, len(axes))
	for _, a := range axes {
		full := a
		if full < 0 {
			full += rank
		}
		if full <= 0 || full >= rank {
			if full == 0 {
				return nil, errors.Errorf("%s: axis %d is the batch axis; the axes must be among 1..%d (or -1..-%d)", what, a, rank-1, rank-1)
			}
			return nil, errors.Errorf("%s: axis %d is out of range for input shape %v (axes 1..%d or -1..-%d)", what, a, in, rank-1, rank-1)
		}
		if slices.Contains(out, full-1) {
			return nil, errors.Errorf("%s: axis %d is given twice in %v", what, a, axes)
		}
		out = append(out, full-1)
	}
	slices.Sort(out)
	return out, nil
}

// toEnd is the permutation of a [batch, in...] tensor that moves the
// per-sample axes to its end, in their order, and keeps the others in
// theirs; and the per-sample shape after it.
func toEnd(in Shape, axes []int) (perm []int, moved Shape) {
	perm = []int{0}
	for i := range in {
		if !slices.Contains(axes, i) {
			perm = append(perm, i+1)
		}
	}
	for _, a := range axes {
		perm = append(perm, a+1)
	}
	for _, p := range perm[1:] {
		moved = append(moved, in[p-1])
	}
	return perm, moved
}

// inverse is the permutation that undoes perm.
func inverse(perm []int) []int {
	inv := make([]int, len(perm))
	for i, a := range perm {
		inv[a] = i
	}
	return inv
}

// permuteIf permutes x unless perm is the identity.
func permuteIf(x *gorgonia.Node, perm []int) (*gorgonia.Node, error) {
	if ops.IsIdentity(perm) {
		return x, nil
	}
	return ops.Permute(x, perm)
}
