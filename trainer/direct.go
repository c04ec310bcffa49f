package trainer

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// direct runs a prediction graph's ops in order on the calling goroutine.
//
// Gorgonia's tape machine starts a goroutine, locks the OS thread and
// talks over channels on every run: for a one-row prediction of a small
// network that costs as much as the arithmetic. A prediction graph has no
// gradients to track, so its ops can simply be called in topological
// order, each on its inputs' values, keeping each output (and handing it
// back to ops that can reuse it) for the next run.
type direct struct {
	nodes []*gorgonia.Node // every node, each after its inputs
	args  [][]int          // for each node, its inputs' indices in nodes
	vals  []gorgonia.Value // each node's value in the last run
	outs  map[*gorgonia.Node]int
	bind  bool // bind each computed value to its node (a training graph)
}

func newDirect(g *gorgonia.ExprGraph) (*direct, error) {
	sorted, err := gorgonia.Sort(g)
	if err != nil {
		return nil, err
	}
	// Sort puts the roots first; run the leaves first.
	n := len(sorted)
	d := &direct{nodes: make([]*gorgonia.Node, n), args: make([][]int, n), vals: make([]gorgonia.Value, n), outs: map[*gorgonia.Node]int{}}
	for i, node := range sorted {
		d.nodes[n-1-i] = node
	}
	for i, node := range d.nodes {
		d.outs[node] = i
	}
	for i, node := range d.nodes {
		kids := g.From(node.ID())
		for kids.Next() {
			k, ok := kids.Node().(*gorgonia.Node)
			if !ok {
				return nil, errors.Errorf("node %q has an input that is not a Gorgonia node", node.Name())
			}
			j, ok := d.outs[k]
			if !ok || j >= i {
				return nil, errors.Errorf("node %q: input %q does not come before it", node.Name(), k.Name())
			}
			d.args[i] = append(d.args[i], j)
		}
	}
	return d, nil
}

// run computes every node.
func (d *direct) run() error {
	var in []gorgonia.Value
	for i, node := range d.nodes {
		op := node.Op()
		if op == nil || len(d.args[i]) == 0 {
			// An input, a weight or a constant: its bound value.
			v := node.Value()
			if v == nil {
				return errors.Errorf("input %q has no value", node.Name())
			}
			d.vals[i] = v
			continue
		}
		in = in[:0]
		for _, j := range d.args[i] {
			in = append(in, d.vals[j])
		}
		var v gorgonia.Value
		var err error
		if pre, ok := op.(gorgonia.UsePreallocDoer); ok && d.vals[i] != nil && reusable(d.vals[i], in) {
			v, err = pre.UsePreallocDo(d.vals[i], in...)
		} else {
			v, err = op.Do(in...)
		}
		if err != nil {
			return errors.Wrapf(err, "%v (node %q)", op, node.Name())
		}
		d.vals[i] = v
		if d.bind {
			if err := gorgonia.UnsafeLet(node, v); err != nil {
				return errors.Wrapf(err, "%v (node %q)", op, node.Name())
			}
		}
	}
	return nil
}

// reusable reports whether last, an op's output of the last run, may be
// written again: it must not be the memory of one of the op's inputs (a
// reshape's view, say).
func reusable(last gorgonia.Value, in []gorgonia.Value) bool {
	lt, ok := last.(*tensor.Dense)
	if !ok {
		return false
	}
	for _, v := range in {
		if t, ok := v.(*tensor.Dense); ok && t.Uintptr() == lt.Uintptr() {
			return false
		}
	}
	return true
}

// value returns n's value of the last run.
func (d *direct) value(n *gorgonia.Node) (gorgonia.Value, bool) {
	i, ok := d.outs[n]
	if !ok || d.vals[i] == nil {
		return nil, false
	}
	return d.vals[i], true
}
