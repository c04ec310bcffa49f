package models

import (
	"encoding/json"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/layers"
)

// functionalJSON is model.json of a model saved as its graph.
type functionalJSON struct {
	Format        string     `json:"format"`
	FormatVersion int        `json:"format_version"`
	Class         string     `json:"class"`
	Graph         *graphJSON `json:"graph"`
	savedMeta
}

// graphJSON is a functional model's graph. Nodes are numbered inputs
// first, then the nodes in order, each after its inputs.
type graphJSON struct {
	Name    string      `json:"name,omitempty"`
	Inputs  []inputJSON `json:"inputs"`
	Layers  []ownerJSON `json:"layers"`
	Nodes   []nodeJSON  `json:"nodes"`
	Outputs []int       `json:"outputs"`
	Frozen  []int       `json:"frozen,omitempty"`
}

type inputJSON struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// ownerJSON is a layer, a merger, or a nested model (functional or
// sequential).
type ownerJSON struct {
	Kind       string          `json:"kind"`
	Config     json.RawMessage `json:"config,omitempty"`
	Model      *graphJSON      `json:"model,omitempty"`
	Sequential *sequentialJSON `json:"sequential,omitempty"`
}

type sequentialJSON struct {
	Name       string        `json:"name,omitempty"`
	InputShape []int         `json:"input_shape"`
	Layers     []layers.Spec `json:"layers"`
	Frozen     []int         `json:"frozen,omitempty"`
}

type nodeJSON struct {
	Layer  int   `json:"layer"`
	Inputs []int `json:"inputs"`
	Output int   `json:"output,omitempty"`
}

const functionalClass = "functional"

// graphSpec describes the model's graph.
func (f *Functional) graphSpec() (*graphJSON, error) {
	g := &graphJSON{Name: f.Name}
	ids := map[*Node]int{}
	for i, in := range f.inputs {
		ids[in] = i
		g.Inputs = append(g.Inputs, inputJSON{Name: in.name, Shape: f.declaredShape(i)})
	}
	owners := map[any]int{}
	for i, o := range f.owners {
		owners[o] = i
		var spec ownerJSON
		switch v := o.(type) {
		case *Functional:
			if sd, ok := v.sequentialDoc(savedMeta{}); ok {
				spec = ownerJSON{Kind: "sequential", Sequential: &sequentialJSON{Name: v.Name, InputShape: sd.InputShape, Layers: sd.Layers, Frozen: sd.Frozen}}
				break
			}
			inner, err := v.graphSpec()
			if err != nil {
				return nil, errors.Wrapf(err, "model %q", v.displayName())
			}
			spec = ownerJSON{Kind: functionalClass, Model: inner}
		case layers.Layer:
			ls, err := layers.Marshal(v)
			if err != nil {
				return nil, err
			}
			spec = ownerJSON{Kind: ls.Kind, Config: ls.Config}
		case layers.Merger:
			ls, err := layers.MarshalMerger(v)
			if err != nil {
				return nil, err
			}
			spec = ownerJSON{Kind: ls.Kind, Config: ls.Config}
		}
		if f.frozen[o] {
			g.Frozen = append(g.Frozen, i)
		}
		g.Layers = append(g.Layers, spec)
	}
	for i, n := range f.nodes {
		ids[n] = len(f.inputs) + i
		nj := nodeJSON{Layer: owners[n.owner()], Output: n.out}
		for _, in := range n.inputs {
			nj.Inputs = append(nj.Inputs, ids[in])
		}
		g.Nodes = append(g.Nodes, nj)
	}
	for _, o := range f.outputs {
		g.Outputs = append(g.Outputs, ids[o])
	}
	return g, nil
}

// fromGraphSpec makes the (unbuilt) model a graph spec describes.
func fromGraphSpec(g *graphJSON, opt LoadOptions) (*Functional, error) {
	if g == nil {
		return nil, errors.New("no graph")
	}
	owners := make([]any, len(g.Layers))
	for i, s := range g.Layers {
		var err error
		switch {
		case s.Kind == functionalClass:
			if owners[i], err = fromGraphSpec(s.Model, opt); err != nil {
				return nil, errors.Wrapf(err, "layer %d: nested model", i)
			}
		case s.Kind == "sequential":
			if s.Sequential == nil {
				return nil, errors.Errorf("layer %d: a sequential layer without its layers", i)
			}
			seq, err := sequentialOf(s.Sequential.Layers, s.Sequential.Frozen, opt)
			if err != nil {
				return nil, errors.Wrapf(err, "layer %d: nested sequential model", i)
			}
			seq.Name = s.Sequential.Name
			if len(s.Sequential.InputShape) > 0 {
				if err := seq.define(s.Sequential.InputShape); err != nil {
					return nil, errors.Wrapf(err, "layer %d: nested sequential model", i)
				}
			}
			owners[i] = &seq.Functional
		default:
			spec := layers.Spec{Kind: s.Kind, Config: s.Config}
			if m, err := layers.NewMerger(s.Kind); err == nil && m != nil {
				if owners[i], err = layers.UnmarshalMerger(spec); err != nil {
					return nil, errors.Wrapf(err, "layer %d", i)
				}
			} else if owners[i], err = unmarshalLayer(spec, opt); err != nil {
				return nil, errors.Wrapf(err, "layer %d", i)
			}
		}
	}
	nodes := make([]*Node, 0, len(g.Inputs)+len(g.Nodes))
	var inputs []*Node
	for _, in := range g.Inputs {
		n := Input(in.Name, in.Shape...)
		inputs = append(inputs, n)
		nodes = append(nodes, n)
	}
	for i, nj := range g.Nodes {
		if nj.Layer < 0 || nj.Layer >= len(owners) {
			return nil, errors.Errorf("node %d: layer %d of %d", i, nj.Layer, len(owners))
		}
		var ins []*Node
		for _, id := range nj.Inputs {
			if id < 0 || id >= len(nodes) {
				return nil, errors.Errorf("node %d: input %d is not an earlier node", i, id)
			}
			ins = append(ins, nodes[id])
		}
		var n *Node
		switch o := owners[nj.Layer].(type) {
		case *Functional:
			outs := o.Call(ins...)
			if nj.Output < 0 || nj.Output >= len(outs) {
				return nil, errors.Errorf("node %d: output %d of a model of %d", i, nj.Output, len(outs))
			}
			n = outs[nj.Output]
		case layers.Layer:
			if len(ins) != 1 {
				return nil, errors.Errorf("node %d: layer %q takes 1 input, got %d", i, o.LayerName(), len(ins))
			}
			n = Apply(o, ins[0])
		case layers.Merger:
			n = Merge(o, ins...)
		}
		nodes = append(nodes, n)
	}
	var outputs []*Node
	for _, id := range g.Outputs {
		if id < 0 || id >= len(nodes) {
			return nil, errors.Errorf("output node %d of %d", id, len(nodes))
		}
		outputs = append(outputs, nodes[id])
	}
	f, err := NewFunctional(inputs, outputs)
	if err != nil {
		return nil, err
	}
	f.Name = g.Name
	for _, i := range g.Frozen {
		if i < 0 || i >= len(owners) {
			return nil, errors.Errorf("frozen layer %d of %d", i, len(owners))
		}
		if err := f.Freeze(owners[i]); err != nil {
			return nil, err
		}
	}
	return f, nil
}
