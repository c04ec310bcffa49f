package layers

import (
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestRecurrentRefusesABadMask checks the layers' own check of the mask,
// which SetMask already makes (so the mask is put in place by hand).
func TestRecurrentRefusesABadMask(t *testing.T) {
	tests := []struct {
		name  string
		shape tensor.Shape
		dt    tensor.Dtype
		want  string
	}{
		{"steps", tensor.Shape{2, 4}, tensor.Float64, `lstm "l": mask has shape (2, 4), want [2, 5] (batch, steps)`},
		{"rank", tensor.Shape{2, 5, 1}, tensor.Float64, `lstm "l": mask has shape (2, 5, 1), want [2, 5] (batch, steps)`},
		{"dtype", tensor.Shape{2, 5}, tensor.Float32, `lstm "l": mask is float32 in a float64 graph`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &LSTM{Name: "l", Units: 3}
			if _, err := l.Build(&Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "l"}, Shape{5, 2}); err != nil {
				t.Fatal(err)
			}
			c := NewCall(tensor.Float64, 2, false)
			x := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(2, 5, 2), gorgonia.WithName("x"))
			c.masks[x] = gorgonia.NewTensor(c.Graph, tt.dt, len(tt.shape), gorgonia.WithShape(tt.shape...), gorgonia.WithName("mask"))
			if _, err := l.Forward(c, x); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
