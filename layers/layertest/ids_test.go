package layertest_test

import (
	"strings"
	"testing"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

// TestCheckIDs checks Options.IDs: the input is integer ids in [0, IDs),
// which an Embedding of that vocabulary accepts and a smaller one does not.
func TestCheckIDs(t *testing.T) {
	tests := []struct {
		name    string
		layer   layers.Layer
		in      layers.Shape
		want    layers.Shape
		opt     layertest.Options
		wantErr string // substring of one reported error; "" means none
	}{
		{"ids in the vocabulary", &layers.Embedding{InputDim: 5, OutputDim: 2}, layers.Shape{20}, layers.Shape{20, 2},
			layertest.Options{IDs: 5, Training: true}, ""},
		{"ids beyond the vocabulary", &layers.Embedding{InputDim: 5, OutputDim: 2}, layers.Shape{20}, layers.Shape{20, 2},
			layertest.Options{IDs: 6}, "is outside the vocabulary of 5"},
		{"normal values are not ids", &layers.Embedding{InputDim: 5, OutputDim: 2}, layers.Shape{20}, layers.Shape{20, 2},
			layertest.Options{}, "is not an integer"},
		{"ids into a layer without weights", &layers.Flatten{}, layers.Shape{2, 3}, layers.Shape{6},
			layertest.Options{IDs: 4, Training: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			layertest.Check(r, tt.layer, tt.in, tt.want, tt.opt)
			if tt.wantErr == "" {
				for _, e := range r.errs {
					t.Errorf("unexpected error: %s", e)
				}
				return
			}
			for _, e := range r.errs {
				if strings.Contains(e, tt.wantErr) {
					return
				}
			}
			t.Errorf("no reported error contains %q; got %q", tt.wantErr, r.errs)
		})
	}
}
