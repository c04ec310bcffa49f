package parity

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
)

// maskedLossCase is one case of testdata/masked_loss.json, written by
// gen_masked_loss.py: Keras 3's masked mean squared error of
// Embedding(MaskZero) -> LSTM(ReturnSequences), computed in numpy.
type maskedLossCase struct {
	Case
	N          int     `json:"n"`
	Steps      int     `json:"steps"`
	Vocab      int     `json:"vocab"`
	Dim        int     `json:"dim"`
	Units      int     `json:"units"`
	IDs        Values  `json:"ids"`
	Embeddings Values  `json:"embeddings"`
	Kernel     Values  `json:"kernel"`
	Rec        Values  `json:"recurrent_kernel"`
	Bias       Values  `json:"bias"`
	Y          Values  `json:"y"`
	Loss       float64 `json:"loss"`
	LossEvery  float64 `json:"loss_every_step"`
}

// TestMaskedLossMatchesKeras evaluates the model of each case with the
// case's weights and compares its loss with Keras's, in which the padded
// steps do not count.
func TestMaskedLossMatchesKeras(t *testing.T) {
	cases, err := Load[maskedLossCase](filepath.Join("testdata", "masked_loss.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			defer c.Explain(t)
			dt, err := c.Dtype()
			if err != nil {
				t.Fatal(err)
			}
			m := models.NewSequential(
				&layers.Input{Shape: layers.Shape{c.Steps}},
				&layers.Embedding{InputDim: c.Vocab, OutputDim: c.Dim, MaskZero: true},
				&layers.LSTM{Units: c.Units, ReturnSequences: true},
			)
			if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, DType: dt, Seed: 1}); err != nil {
				t.Fatal(err)
			}
			if err := m.Build(nil); err != nil {
				t.Fatal(err)
			}
			from := map[string]Values{"embeddings": c.Embeddings, "kernel": c.Kernel, "recurrent_kernel": c.Rec, "bias": c.Bias}
			set := 0
			for _, w := range m.Weights() {
				v, ok := from[w.Name[strings.LastIndex(w.Name, "/")+1:]]
				if !ok || len(v) != w.Value.Shape().TotalSize() {
					t.Fatalf("weight %s %v: no value of that size in the case", w.Name, w.Value.Shape())
				}
				src := v.Tensor(dt, w.Value.Shape()...)
				switch d := w.Value.Data().(type) {
				case []float64:
					copy(d, src.Data().([]float64))
				case []float32:
					copy(d, src.Data().([]float32))
				}
				set++
			}
			if set != 4 {
				t.Fatalf("set %d weights, want 4", set)
			}
			x := c.IDs.Tensor(dt, c.N, c.Steps)
			y := c.Y.Tensor(dt, c.N, c.Steps, c.Units)
			logs, err := m.Evaluate(context.Background(), x, y)
			if err != nil {
				t.Fatal(err)
			}
			got := logs["loss"]
			if math.Abs(got-c.Loss) > c.ATol+c.RTol*math.Abs(c.Loss) {
				t.Errorf("loss %.17g, Keras gives %.17g (averaged over every step it would be %.17g)", got, c.Loss, c.LossEvery)
			}
			if math.Abs(c.Loss-c.LossEvery) < 1e-3 {
				t.Errorf("the case cannot tell masking from none: %v and %v", c.Loss, c.LossEvery)
			}
		})
	}
}
