package models

import (
	"bytes"
	"encoding/json"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/safetensors"
	"github.com/profundo/profundo/layers"
)

// functionalJSON is model.json of a functional model.
type functionalJSON struct {
	Format        string             `json:"format"`
	FormatVersion int                `json:"format_version"`
	Class         string             `json:"class"`
	DType         string             `json:"dtype"`
	Seed          int64              `json:"seed"`
	Graph         *graphJSON         `json:"graph"`
	Compile       *compileJSON       `json:"compile,omitempty"`
	ClassNames    []string           `json:"class_names,omitempty"`
	Metrics       map[string]float64 `json:"metrics,omitempty"`
	Notes         map[string]string  `json:"notes,omitempty"`
	Provenance    *Provenance        `json:"provenance,omitempty"`
	Weights       *filesJSON         `json:"weights"`
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
}

type nodeJSON struct {
	Layer  int   `json:"layer"`
	Inputs []int `json:"inputs"`
	Output int   `json:"output,omitempty"`
}

const functionalClass = "functional"

// Save writes the model to path as Sequential's Save does (a directory,
// or a zip when path ends in ".zip"; atomic writes): model.json holds the
// graph (inputs, layers, nodes, outputs, nested models), the compile
// settings and the frozen layers; weights.safetensors the weights, a
// nested model's under "<model>/". LoadFunctional reads it.
func (f *Functional) Save(path string) error {
	files, err := f.encode()
	if err != nil {
		return errors.Wrapf(err, "save %s", path)
	}
	return writeModelFiles(path, files)
}

func (f *Functional) encode() (map[string][]byte, error) {
	if !f.built {
		return nil, errors.New("the model is not built: compile it first")
	}
	g, err := f.graphSpec()
	if err != nil {
		return nil, err
	}
	doc := functionalJSON{
		Format: formatName, FormatVersion: formatVersion, Class: functionalClass,
		DType: f.dtype.String(), Seed: f.cfg.Seed, Graph: g,
		ClassNames: f.ClassNames, Metrics: f.scores, Notes: f.Notes, Provenance: provenance(""),
	}
	if f.compiled {
		if doc.Compile, err = compileSpec(f.cfg); err != nil {
			return nil, errors.Wrap(err, "compile settings")
		}
	}
	var ts []safetensors.Tensor
	for _, nw := range f.namedWeights() {
		ts = append(ts, safetensors.Tensor{Name: nw.key, Value: nw.w.Value})
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, map[string]string{"format": "profundo"}); err != nil {
		return nil, errors.Wrap(err, "weights")
	}
	doc.Weights = &filesJSON{WeightsSHA256: sha(buf.Bytes())}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, errors.Wrap(err, "model.json")
	}
	return map[string][]byte{weightsFile: buf.Bytes(), modelFile: append(js, '\n')}, nil
}

// graphSpec describes the model's graph.
func (f *Functional) graphSpec() (*graphJSON, error) {
	g := &graphJSON{Name: f.Name}
	ids := map[*Node]int{}
	for i, in := range f.inputs {
		ids[in] = i
		g.Inputs = append(g.Inputs, inputJSON{Name: in.name, Shape: in.shape.Clone()})
	}
	owners := map[any]int{}
	for i, o := range f.owners {
		owners[o] = i
		var spec ownerJSON
		switch v := o.(type) {
		case *Functional:
			inner, err := v.graphSpec()
			if err != nil {
				return nil, errors.Wrapf(err, "model %q", v.displayName())
			}
			spec = ownerJSON{Kind: functionalClass, Model: inner}
		case *nestedSequential:
			sj := &sequentialJSON{Name: v.s.Name, InputShape: v.s.in.Clone()}
			for _, l := range v.s.layers {
				ls, err := layers.Marshal(l)
				if err != nil {
					return nil, err
				}
				sj.Layers = append(sj.Layers, ls)
			}
			spec = ownerJSON{Kind: "sequential", Sequential: sj}
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
			seq := &Sequential{Name: s.Sequential.Name, in: layers.Shape(s.Sequential.InputShape).Clone()}
			for j, ls := range s.Sequential.Layers {
				l, err := layers.Unmarshal(ls, opt.Layers)
				if err != nil {
					return nil, errors.Wrapf(err, "layer %d: sequential layer %d", i, j)
				}
				seq.layers = append(seq.layers, l)
			}
			owners[i] = seq.AsLayer()
		default:
			spec := layers.Spec{Kind: s.Kind, Config: s.Config}
			if m, err := layers.NewMerger(s.Kind); err == nil && m != nil {
				if owners[i], err = layers.UnmarshalMerger(spec); err != nil {
					return nil, errors.Wrapf(err, "layer %d", i)
				}
			} else if owners[i], err = layers.Unmarshal(spec, opt.Layers); err != nil {
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

// LoadFunctional reads a functional model Save wrote, a directory or a
// zip: built, with its weights, compiled when it was. A corrupt or
// foreign file is an error saying what is wrong.
func LoadFunctional(path string) (*Functional, error) {
	return LoadFunctionalWith(path, LoadOptions{})
}

// LoadFunctionalWith is LoadFunctional with options.
func LoadFunctionalWith(path string, opt LoadOptions) (*Functional, error) {
	files, err := readFiles(path)
	if err != nil {
		return nil, errors.Wrapf(err, "load %s", path)
	}
	f, err := decodeFunctional(files, opt)
	if err != nil {
		return nil, errors.Wrapf(err, "load %s", path)
	}
	return f, nil
}

func decodeFunctional(files map[string][]byte, opt LoadOptions) (*Functional, error) {
	js, ok := files[modelFile]
	if !ok {
		return nil, errors.Errorf("no %s", modelFile)
	}
	var doc functionalJSON
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, errors.Wrapf(err, "%s (a functional model's)", modelFile)
	}
	if doc.Format != formatName || doc.FormatVersion != formatVersion || doc.Class != functionalClass {
		return nil, errors.Errorf("%s: format %q version %d class %q, want %q version %d class %q", modelFile, doc.Format, doc.FormatVersion, doc.Class, formatName, formatVersion, functionalClass)
	}
	if doc.Weights == nil {
		return nil, errors.Errorf("%s: no weights record", modelFile)
	}
	f, err := fromGraphSpec(doc.Graph, opt)
	if err != nil {
		return nil, errors.Wrap(err, modelFile)
	}
	f.ClassNames, f.Notes, f.scores = doc.ClassNames, doc.Notes, doc.Metrics
	var dt tensor.Dtype
	switch doc.DType {
	case "float32":
		dt = tensor.Float32
	case "float64":
		dt = tensor.Float64
	default:
		return nil, errors.Errorf("%s: dtype %q is not float32 or float64", modelFile, doc.DType)
	}
	if doc.Compile != nil {
		cfg, err := doc.Compile.config()
		if err != nil {
			return nil, err
		}
		cfg.Seed, cfg.DType = doc.Seed, dt
		if err := f.Compile(cfg); err != nil {
			return nil, err
		}
	} else {
		f.cfg.Seed, f.cfg.DType = doc.Seed, dt
		if err := f.build(rand.New(rand.NewSource(doc.Seed)), dt); err != nil {
			return nil, err
		}
	}
	wdata, ok := files[weightsFile]
	if !ok {
		return nil, errors.Errorf("no %s", weightsFile)
	}
	if got := sha(wdata); got != doc.Weights.WeightsSHA256 {
		return nil, errors.Errorf("%s has SHA-256 %s, %s expects %s: the save was cut short or the files come from different saves", weightsFile, got, modelFile, doc.Weights.WeightsSHA256)
	}
	wf, err := safetensors.Read(wdata)
	if err != nil {
		return nil, errors.Wrap(err, weightsFile)
	}
	nws := f.namedWeights()
	if len(wf.Tensors) != len(nws) {
		return nil, errors.Errorf("%s holds %d tensors, the architecture has %d weights", weightsFile, len(wf.Tensors), len(nws))
	}
	for _, nw := range nws {
		t, ok := wf.Get(nw.key)
		if !ok {
			return nil, errors.Errorf("%s: no tensor %q", weightsFile, nw.key)
		}
		if err := copyInto(nw.w.Value, t, nw.key); err != nil {
			return nil, errors.Wrap(err, weightsFile)
		}
	}
	return f, nil
}
