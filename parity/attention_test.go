package parity

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// attentionCase is one case of testdata/attention.json, written by
// gen_attention.py from PyTorch's nn.MultiheadAttention.
type attentionCase struct {
	Name                        string
	DType                       string
	Batch, Tq, Tk, Embed, Heads int
	Causal, Self                bool
	KeyMask                     []float64 `json:"key_mask"`
	Query, Value                []float64
	InProjWeight                []float64 `json:"in_proj_weight"`
	InProjBias                  []float64 `json:"in_proj_bias"`
	OutProjWeight               []float64 `json:"out_proj_weight"`
	OutProjBias                 []float64 `json:"out_proj_bias"`
	Output, Scores              []float64
}

// attnTransposed returns the transpose of the rows×cols matrix m.
func attnTransposed(m []float64, rows, cols int) []float64 {
	out := make([]float64, len(m))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = m[r*cols+c]
		}
	}
	return out
}

func attnDense(dt tensor.Dtype, v []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

func attnFloats(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	}
	return nil
}

// TestMultiHeadAttentionMatchesTorch runs MultiHeadAttention with PyTorch's
// weights, converted, on PyTorch's inputs and masks, and compares the
// outputs and the attention probabilities: to float64 rounding in float64.
func TestMultiHeadAttentionMatchesTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/attention.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []attentionCase }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, tc := range doc.Cases {
		t.Run(tc.Name+"_"+tc.DType, func(t *testing.T) {
			dt, tol := tensor.Float64, 1e-12
			if tc.DType == "float32" {
				dt, tol = tensor.Float32, 2e-5
			}
			E := tc.Embed
			mha := &layers.MultiHeadAttention{Name: "mha", NumHeads: tc.Heads, KeyDim: E / tc.Heads, UseCausalMask: tc.Causal}
			b := &layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(1)), Name: "mha"}
			if _, err := mha.BuildMerge(b, []layers.Shape{{tc.Tq, E}, {tc.Tk, E}}); err != nil {
				t.Fatal(err)
			}
			// PyTorch computes x·Wᵀ + b with W = in_proj_weight's thirds and
			// out_proj.weight; Keras's kernels are the transposes.
			third := E * E
			values := [][]float64{
				attnTransposed(tc.InProjWeight[:third], E, E), tc.InProjBias[:E],
				attnTransposed(tc.InProjWeight[third:2*third], E, E), tc.InProjBias[E : 2*E],
				attnTransposed(tc.InProjWeight[2*third:], E, E), tc.InProjBias[2*E:],
				attnTransposed(tc.OutProjWeight, E, E), tc.OutProjBias,
			}
			ws := mha.Weights()
			if len(ws) != len(values) {
				t.Fatalf("%d weights, want %d", len(ws), len(values))
			}
			for i, w := range ws {
				if w.Params() != len(values[i]) {
					t.Fatalf("weight %s has %d values, torch's %d", w.Name, w.Params(), len(values[i]))
				}
				src := attnDense(dt, values[i], w.Value.Shape()...)
				if err := tensor.Copy(w.Value, src); err != nil {
					t.Fatal(err)
				}
			}
			c := layers.NewCall(dt, tc.Batch, false)
			q := gorgonia.NewTensor(c.Graph, dt, 3, gorgonia.WithShape(tc.Batch, tc.Tq, E), gorgonia.WithName("query"),
				gorgonia.WithValue(attnDense(dt, tc.Query, tc.Batch, tc.Tq, E)))
			v := gorgonia.NewTensor(c.Graph, dt, 3, gorgonia.WithShape(tc.Batch, tc.Tk, E), gorgonia.WithName("value"),
				gorgonia.WithValue(attnDense(dt, tc.Value, tc.Batch, tc.Tk, E)))
			m := gorgonia.NewTensor(c.Graph, dt, 2, gorgonia.WithShape(tc.Batch, tc.Tk), gorgonia.WithName("key_mask"),
				gorgonia.WithValue(attnDense(dt, tc.KeyMask, tc.Batch, tc.Tk)))
			// The padding mask is the value's (PyTorch's key_padding_mask);
			// PyTorch masks no queries, so the query carries none.
			if err := c.SetMask(v, m); err != nil {
				t.Fatal(err)
			}
			out, scores, err := mha.Attend(c, q, v, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(c.Graph)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			for _, cmp := range []struct {
				what      string
				got, want []float64
			}{{"output", attnFloats(out.Value()), tc.Output}, {"scores", attnFloats(scores.Value()), tc.Scores}} {
				if len(cmp.got) != len(cmp.want) {
					t.Fatalf("%s: %d values, torch %d", cmp.what, len(cmp.got), len(cmp.want))
				}
				worst := 0.0
				for i := range cmp.want {
					worst = math.Max(worst, math.Abs(cmp.got[i]-cmp.want[i]))
				}
				t.Logf("%s: largest difference from torch %.3g", cmp.what, worst)
				if worst > tol {
					t.Errorf("%s: largest difference from torch %.3g, want <= %.0g", cmp.what, worst, tol)
				}
			}
		})
	}
}
