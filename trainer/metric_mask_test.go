package trainer

import (
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

// maskedSteps keeps each unmasked step as a row, with its sample's weight
// or its own.
func TestMaskedSteps(t *testing.T) {
	mask := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 1, 0, 1, 0, 0}))
	y := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0, 1, 2, 3, 4, 5}))
	out := tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking([]float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
	for name, tt := range map[string]struct {
		w     *tensor.Dense
		wantW []float32
	}{
		"none":     {},
		"per row":  {tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{2, 5})), []float32{2, 2, 5}},
		"per step": {tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6})), []float32{1, 2, 4}},
	} {
		ys, outs, ws, kept, err := maskedSteps(mask, y, out, tt.w)
		if err != nil || kept != 3 {
			t.Fatalf("%s: kept %d, %v; want 3", name, kept, err)
		}
		if !ys.Shape().Eq(tensor.Shape{3, 1}) || !reflect.DeepEqual(ys.Data(), []float32{0, 1, 3}) {
			t.Errorf("%s: targets %v %v, want (3, 1) [0 1 3]", name, ys.Shape(), ys.Data())
		}
		if !outs.Shape().Eq(tensor.Shape{3, 2}) || !reflect.DeepEqual(outs.Data(), []float32{0, 1, 2, 3, 6, 7}) {
			t.Errorf("%s: outputs %v %v, want (3, 2) [0 1 2 3 6 7]", name, outs.Shape(), outs.Data())
		}
		if tt.w == nil && ws != nil || tt.w != nil && !reflect.DeepEqual(ws.Data(), tt.wantW) {
			t.Errorf("%s: weights %v, want %v", name, ws, tt.wantW)
		}
	}
	none := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6)))
	if _, _, _, kept, err := maskedSteps(none, y, out, nil); err != nil || kept != 0 {
		t.Errorf("every step masked: kept %d, %v; want 0", kept, err)
	}
	if _, _, _, _, err := maskedSteps(mask, tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(make([]float32, 8))), out, nil); err == nil {
		t.Error("targets of 4 steps for a mask of 3: no error")
	}
}
