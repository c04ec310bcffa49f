package layers_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// testdata/rnn_torch.json is written by testdata/gen_rnn_torch.py: PyTorch's
// nn.RNN (tanh), nn.LSTM and nn.GRU (and bidirectional LSTM and GRU), in
// float64, with their weights, inputs and outputs.
//
// Torch's weights map to Keras's layout, which is Profundo's:
//
//   - torch's weight_ih_l0 is [gates*units, features], Keras's kernel
//     [features, gates*units]: transposed, block by block; weight_hh_l0
//     likewise gives the recurrent kernel.
//   - gate order: torch's LSTM blocks i, f, g, o are Keras's i, f, c, o;
//     torch's GRU blocks r, z, n are Keras's blocks 1, 0, 2 (Keras's z, r,
//     h are torch's blocks 1, 0, 2).
//   - biases: torch has bias_ih and bias_hh. For SimpleRNN and LSTM they
//     are added into Keras's one bias; for GRU, whose reset gate multiplies
//     h·U_h + r_h (Keras's reset_after=True, torch's only variant), they are
//     the bias's rows 0 and 1.
type torchRNNFixture struct {
	Features int                   `json:"features"`
	Units    int                   `json:"units"`
	Steps    int                   `json:"steps"`
	Batch    int                   `json:"batch"`
	X        []float64             `json:"x"`
	RNN      torchRNNCase          `json:"rnn"`
	LSTM     torchRNNCase          `json:"lstm"`
	GRU      torchRNNCase          `json:"gru"`
	BiLSTM   torchBidirectionalRNN `json:"bilstm"`
	BiGRU    torchBidirectionalRNN `json:"bigru"`
}

type torchWeights struct {
	WeightIH []float64 `json:"weight_ih"`
	WeightHH []float64 `json:"weight_hh"`
	BiasIH   []float64 `json:"bias_ih"`
	BiasHH   []float64 `json:"bias_hh"`
}

type torchRNNCase struct {
	torchWeights
	Out     []float64 `json:"out"`
	HN      []float64 `json:"h_n"`
	CN      []float64 `json:"c_n"`
	H0      []float64 `json:"h0"`
	C0      []float64 `json:"c0"`
	OutInit []float64 `json:"out_init"`
	HNInit  []float64 `json:"h_n_init"`
	CNInit  []float64 `json:"c_n_init"`
}

type torchBidirectionalRNN struct {
	Forward  torchWeights `json:"forward"`
	Backward torchWeights `json:"backward"`
	Out      []float64    `json:"out"`
}

func loadTorchRNN(t *testing.T) *torchRNNFixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "rnn_torch.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f torchRNNFixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// torchToKeras maps torch's weights of a layer with the given Keras gate
// order (perm[k] is the torch block of Keras gate k) to Keras's kernel,
// recurrent kernel and bias; splitBias keeps torch's two biases as the
// rows of a [2, gates*units] bias (GRU).
func torchToKeras(w torchWeights, features, units int, perm []int, splitBias bool) (kernel, rec, bias []float64) {
	g := len(perm)
	width := g * units
	kernel = make([]float64, features*width)
	rec = make([]float64, units*width)
	if splitBias {
		bias = make([]float64, 2*width)
	} else {
		bias = make([]float64, width)
	}
	for k, tk := range perm {
		for j := 0; j < units; j++ {
			col, row := k*units+j, tk*units+j // Keras column, torch row
			for f := 0; f < features; f++ {
				kernel[f*width+col] = w.WeightIH[row*features+f]
			}
			for i := 0; i < units; i++ {
				rec[i*width+col] = w.WeightHH[row*units+i]
			}
			if splitBias {
				bias[col], bias[width+col] = w.BiasIH[row], w.BiasHH[row]
			} else {
				bias[col] = w.BiasIH[row] + w.BiasHH[row]
			}
		}
	}
	return kernel, rec, bias
}

// setTorchWeights writes torch's weights into the recurrent layer weights
// ws whose names start with prefix.
func setTorchWeights(t *testing.T, ws []*layers.Weight, prefix string, w torchWeights, f *torchRNNFixture, kind string) {
	t.Helper()
	perm, split := []int{0}, false
	switch kind {
	case "lstm":
		perm = []int{0, 1, 2, 3}
	case "gru":
		perm, split = []int{1, 0, 2}, true
	}
	kernel, rec, bias := torchToKeras(w, f.Features, f.Units, perm, split)
	byName := rnnWeights(t, ws, prefix)
	rnnSetWeight(t, byName["kernel"], kernel)
	rnnSetWeight(t, byName["recurrent_kernel"], rec)
	rnnSetWeight(t, byName["bias"], bias)
}

func TestRecurrentLayersMatchPyTorch(t *testing.T) {
	f := loadTorchRNN(t)
	in := layers.Shape{f.Steps, f.Features}
	state := tensor.Shape{f.Batch, f.Units}
	tests := []struct {
		kind  string
		layer func() layers.Layer
		ref   torchRNNCase
	}{
		{"simple_rnn", func() layers.Layer { return &layers.SimpleRNN{Units: f.Units, ReturnSequences: true} }, f.RNN},
		{"lstm", func() layers.Layer { return &layers.LSTM{Units: f.Units, ReturnSequences: true} }, f.LSTM},
		{"gru", func() layers.Layer { return &layers.GRU{Units: f.Units, ReturnSequences: true} }, f.GRU},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			tol := 1e-5
			if dt == tensor.Float32 {
				tol = 1e-4
			}
			for _, fromStates := range []bool{false, true} {
				name := tt.kind + "/" + dt.String()
				if fromStates {
					name += "/initial states"
				}
				t.Run(name, func(t *testing.T) {
					l := tt.layer()
					rnnBuild(t, l, in, dt, 1)
					setTorchWeights(t, l.Weights(), l.LayerName()+"/", tt.ref.torchWeights, f, tt.kind)
					c := layers.NewCall(dt, f.Batch, false)
					x := rnnNode(c, "x", in.WithBatch(f.Batch), f.X)
					wantOut, wantStates := tt.ref.Out, [][]float64{tt.ref.HN}
					if tt.kind == "lstm" {
						wantStates = append(wantStates, tt.ref.CN)
					}
					var initial []*gorgonia.Node
					if fromStates {
						initial = []*gorgonia.Node{rnnNode(c, "h0", state, tt.ref.H0)}
						wantOut, wantStates = tt.ref.OutInit, [][]float64{tt.ref.HNInit}
						if tt.kind == "lstm" {
							initial = append(initial, rnnNode(c, "c0", state, tt.ref.C0))
							wantStates = append(wantStates, tt.ref.CNInit)
						}
					}
					out, states, err := l.(interface {
						ForwardWithState(*layers.Call, *gorgonia.Node, []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error)
					}).ForwardWithState(c, x, initial)
					if err != nil {
						t.Fatal(err)
					}
					if len(states) != len(wantStates) {
						t.Fatalf("%d final states, want %d", len(states), len(wantStates))
					}
					got := rnnRun(t, c, append([]*gorgonia.Node{out}, states...)...)
					rnnClose(t, "output", got[0], wantOut, tol)
					for i, w := range wantStates {
						rnnClose(t, "final state", got[1+i], w, tol)
					}
				})
			}
		}
	}
}

func TestBidirectionalMatchesPyTorch(t *testing.T) {
	f := loadTorchRNN(t)
	in := layers.Shape{f.Steps, f.Features}
	tests := []struct {
		kind  string
		inner func() layers.Layer
		ref   torchBidirectionalRNN
	}{
		{"lstm", func() layers.Layer { return &layers.LSTM{Units: f.Units, ReturnSequences: true} }, f.BiLSTM},
		{"gru", func() layers.Layer { return &layers.GRU{Units: f.Units, ReturnSequences: true} }, f.BiGRU},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(tt.kind+"/"+dt.String(), func(t *testing.T) {
				tol := 1e-5
				if dt == tensor.Float32 {
					tol = 1e-4
				}
				l := &layers.Bidirectional{Name: "bidi", Layer: tt.inner()}
				if got := rnnBuild(t, l, in, dt, 1); !got.Equal(layers.Shape{f.Steps, 2 * f.Units}) {
					t.Fatalf("output shape %v", got)
				}
				setTorchWeights(t, l.Weights(), "bidi/forward_"+tt.kind+"/", tt.ref.Forward, f, tt.kind)
				setTorchWeights(t, l.Weights(), "bidi/backward_"+tt.kind+"/", tt.ref.Backward, f, tt.kind)
				c := layers.NewCall(dt, f.Batch, false)
				x := rnnNode(c, "x", in.WithBatch(f.Batch), f.X)
				out, err := l.Forward(c, x)
				if err != nil {
					t.Fatal(err)
				}
				rnnClose(t, "output", rnnRun(t, c, out)[0], tt.ref.Out, tol)
			})
		}
	}
}
