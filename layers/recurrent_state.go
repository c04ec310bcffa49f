package layers

import (
	"fmt"
	"sync"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// keptStates are the states a stateful recurrent layer carries from one
// batch to the next, one set per dtype and batch size (each graph has
// one batch size; Keras's stateful layers fix it).
type keptStates struct {
	mu sync.Mutex
	by map[keptKey][]*tensor.Dense
}

type keptKey struct {
	dt    tensor.Dtype
	batch int
}

// get returns the n kept states [batch, units] for dt and batch, zeros
// the first time.
func (k *keptStates) get(dt tensor.Dtype, batch, units, n int) []*tensor.Dense {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.by == nil {
		k.by = map[keptKey][]*tensor.Dense{}
	}
	key := keptKey{dt, batch}
	ts, ok := k.by[key]
	if !ok {
		for i := 0; i < n; i++ {
			ts = append(ts, tensor.New(tensor.Of(dt), tensor.WithShape(batch, units)))
		}
		k.by[key] = ts
	}
	return ts
}

// reset zeros every kept state.
func (k *keptStates) reset() {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, ts := range k.by {
		for _, t := range ts {
			t.Zero()
		}
	}
}

// keptNodes returns input nodes over the kept states of r for c's batch,
// and the states themselves, which the fused op overwrites with the final
// states of each run.
func (r recurrence) keptNodes(c *Call) ([]*gorgonia.Node, []*tensor.Dense) {
	ts := r.kept.get(c.DType, c.Batch, r.units, r.states)
	nodes := make([]*gorgonia.Node, len(ts))
	for k, t := range ts {
		// A header of the node's own over the kept values (see Call.Node).
		view := tensor.New(tensor.WithShape(c.Batch, r.units), tensor.WithBacking(t.Data()))
		nodes[k] = gorgonia.NewTensor(c.Graph, c.DType, 2, gorgonia.WithShape(c.Batch, r.units),
			gorgonia.WithName(c.uniqueName(fmt.Sprintf("%s/state_%d", r.name, k))), gorgonia.WithValue(view))
	}
	return nodes, ts
}
