// Command custom_cli is the profundo command with a layer kind of one's
// own: every subcommand (train, evaluate, predict, serve, tune) builds and
// loads models that use it. The whole program is the layer and a main of a
// few lines that hands its kind to cli.Main.
//
//	go build -o myprofundo ./examples/custom_cli
//	./myprofundo train --model examples/custom_cli/model.json --out scaled
//	./myprofundo evaluate --model scaled
//	./myprofundo serve --model scaled --addr 127.0.0.1:8080
//
// The stock profundo command refuses the saved model: it does not know the
// kind "scale".
package main

import (
	"os"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/cli"
	"github.com/profundo/profundo/layers"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Options{Layers: func(kind string) (layers.Layer, bool) {
		if kind == "scale" {
			return &Scale{}, true
		}
		return nil, false
	}}))
}

// Scale multiplies each feature by a learned factor, y = x * w, [batch, n]
// -> [batch, n]. Its exported fields are its configuration: a model spec
// writes it as {"kind": "scale", "config": {"init": 0.5}}.
type Scale struct {
	Name string  `json:"name,omitempty"`
	Init float64 `json:"init,omitempty"` // the factors' first value; 0 means 1

	w *layers.Weight
}

func (l *Scale) Kind() string             { return "scale" }
func (l *Scale) LayerName() string        { return l.Name }
func (l *Scale) SetLayerName(name string) { l.Name = name }

// Weights lists the weight Build made: "<layer>/factors".
func (l *Scale) Weights() []*layers.Weight {
	if l.w == nil {
		return nil
	}
	return []*layers.Weight{l.w}
}

// Build makes one factor per feature.
func (l *Scale) Build(b *layers.Builder, in layers.Shape) (layers.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("scale %q: takes [batch, features], got %v", l.Name, in.WithBatch(-1))
	}
	init := l.Init
	if init == 0 {
		init = 1
	}
	var err error
	l.w, err = b.NewWeight("factors", []int{in[0]}, layers.Constant{Value: init})
	return in.Clone(), err
}

// Forward multiplies x by the factors, broadcast over the batch.
func (l *Scale) Forward(c *layers.Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.BroadcastHadamardProd(x, c.Node(l.w), nil, []byte{0})
}
