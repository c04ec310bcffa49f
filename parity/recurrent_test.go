package parity

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// recurrentFixture is testdata/recurrent.json, written by gen_recurrent.py:
// PyTorch's RNN, LSTM and GRU cells (and Keras's GRU with
// reset_after=False, in torch operations) with Keras's masking, weights in
// Keras's layout, outputs, final states and gradients.
type recurrentFixture struct {
	Batch    int             `json:"batch"`
	Features int             `json:"features"`
	Units    int             `json:"units"`
	Cases    []recurrentCase `json:"cases"`
}

type recurrentCase struct {
	Cell   string    `json:"cell"`
	Steps  int       `json:"steps"`
	Masked bool      `json:"masked"`
	DType  string    `json:"dtype"`
	Kernel []float64 `json:"kernel"`
	Rec    []float64 `json:"recurrent_kernel"`
	Bias   []float64 `json:"bias"`
	X      []float64 `json:"x"`
	Mask   []float64 `json:"mask"`
	H0     []float64 `json:"h0"`
	C0     []float64 `json:"c0"`
	R      []float64 `json:"r"`
	Q      []float64 `json:"q"`
	QC     []float64 `json:"q_c"`
	Out    []float64 `json:"out"`
	HN     []float64 `json:"h_n"`
	CN     []float64 `json:"c_n"`
	DX     []float64 `json:"d_x"`
	DH0    []float64 `json:"d_h0"`
	DC0    []float64 `json:"d_c0"`
	DK     []float64 `json:"d_kernel"`
	DRec   []float64 `json:"d_recurrent_kernel"`
	DBias  []float64 `json:"d_bias"`
}

// TestRecurrentMatchesPyTorch runs Profundo's SimpleRNN, LSTM and GRU
// (ReturnSequences, from the fixture's initial states, with its mask) on
// every case of testdata/recurrent.json and compares the outputs, the
// final states and the gradients of the same cost with respect to the
// input, the initial states and the weights. Tolerances, relative to the
// largest magnitude of each tensor (at least 1): 1e-13 in float64, 1e-5 in
// float32.
func TestRecurrentMatchesPyTorch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "recurrent.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f recurrentFixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 48 {
		t.Fatalf("fixture has %d cases, want 48", len(f.Cases))
	}
	for _, tc := range f.Cases {
		name := fmt.Sprintf("%s/T%d/masked=%v/%s", tc.Cell, tc.Steps, tc.Masked, tc.DType)
		t.Run(name, func(t *testing.T) { recurrentParityCase(t, f, tc) })
	}
}

func recurrentParityCase(t *testing.T, f recurrentFixture, tc recurrentCase) {
	dt, tol := tensor.Float64, 1e-10
	if tc.DType == "float32" {
		dt, tol = tensor.Float32, 1e-5
	}
	var l interface {
		layers.Layer
		ForwardWithState(c *layers.Call, x *gorgonia.Node, initial []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error)
	}
	states := 1
	switch tc.Cell {
	case "simple_rnn":
		l = &layers.SimpleRNN{Name: "rnn", Units: f.Units, ReturnSequences: true}
	case "lstm":
		l, states = &layers.LSTM{Name: "rnn", Units: f.Units, ReturnSequences: true}, 2
	case "gru":
		l = &layers.GRU{Name: "rnn", Units: f.Units, ReturnSequences: true}
	case "gru_reset_before":
		l = &layers.GRU{Name: "rnn", Units: f.Units, ReturnSequences: true, NoResetAfter: true}
	default:
		t.Fatalf("unknown cell %q", tc.Cell)
	}
	if _, err := l.Build(&layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(1)), Name: "rnn"}, layers.Shape{tc.Steps, f.Features}); err != nil {
		t.Fatal(err)
	}
	ws := l.Weights()
	if len(ws) != 3 {
		t.Fatalf("%d weights, want 3", len(ws))
	}
	for i, v := range [][]float64{tc.Kernel, tc.Rec, tc.Bias} {
		recurrentSet(t, ws[i].Value, v)
	}
	c := layers.NewCall(dt, f.Batch, true)
	c.InputGrads = true
	node := func(name string, v []float64, shape ...int) *gorgonia.Node {
		val := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		recurrentSet(t, val, v)
		return gorgonia.NewTensor(c.Graph, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(val))
	}
	x := node("x", tc.X, f.Batch, tc.Steps, f.Features)
	if tc.Masked {
		if err := c.SetMask(x, node("mask", tc.Mask, f.Batch, tc.Steps)); err != nil {
			t.Fatal(err)
		}
	}
	initial := []*gorgonia.Node{node("h0", tc.H0, f.Batch, f.Units)}
	if states == 2 {
		initial = append(initial, node("c0", tc.C0, f.Batch, f.Units))
	}
	out, st, err := l.ForwardWithState(c, x, initial)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(out, node("R", tc.R, f.Batch, tc.Steps, f.Units)))))
	qs := [][]float64{tc.Q, tc.QC}
	for k := range st {
		q := node(fmt.Sprintf("Q%d", k), qs[k], f.Batch, f.Units)
		cost = gorgonia.Must(gorgonia.Add(cost, gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(st[k], q))))))
	}
	wrt := append(gorgonia.Nodes{x}, initial...)
	weightNodes := make([]*gorgonia.Node, len(ws))
	for i, w := range ws {
		n, ok := c.Lookup(w)
		if !ok {
			t.Fatalf("weight %s is not in the graph", w.Name)
		}
		weightNodes[i] = n
	}
	wrt = append(wrt, weightNodes...)
	if _, err := gorgonia.Grad(cost, wrt...); err != nil {
		t.Fatal(err)
	}
	var outV gorgonia.Value
	gorgonia.Read(out, &outV)
	stV := make([]gorgonia.Value, len(st))
	for k := range st {
		gorgonia.Read(st[k], &stV[k])
	}
	m := gorgonia.NewTapeMachine(c.Graph, gorgonia.BindDualValues(wrt...))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	recurrentClose(t, "output", outV, tc.Out, tol)
	recurrentClose(t, "h_n", stV[0], tc.HN, tol)
	if states == 2 {
		recurrentClose(t, "c_n", stV[1], tc.CN, tol)
	}
	wants := [][]float64{tc.DX, tc.DH0}
	names := []string{"d_x", "d_h0"}
	if states == 2 {
		wants, names = append(wants, tc.DC0), append(names, "d_c0")
	}
	wants = append(wants, tc.DK, tc.DRec, tc.DBias)
	names = append(names, "d_kernel", "d_recurrent_kernel", "d_bias")
	for i, n := range wrt {
		g, err := n.Grad()
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		recurrentClose(t, names[i], g, wants[i], tol)
	}
}

// recurrentSet copies v into t, float32 or float64.
func recurrentSet(t *testing.T, dst *tensor.Dense, v []float64) {
	t.Helper()
	if dst.Shape().TotalSize() != len(v) {
		t.Fatalf("%d values for a tensor of shape %v", len(v), dst.Shape())
	}
	switch d := dst.Data().(type) {
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	case []float64:
		copy(d, v)
	}
}

// recurrentClose fails unless got agrees with want within tol relative to
// want's largest magnitude (at least 1).
func recurrentClose(t *testing.T, what string, got gorgonia.Value, want []float64, tol float64) {
	t.Helper()
	var g []float64
	switch d := got.Data().(type) {
	case []float32:
		for _, v := range d {
			g = append(g, float64(v))
		}
	case []float64:
		g = d
	}
	if len(g) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(g), len(want))
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range g {
		if d := math.Abs(g[i] - want[i]); !(d <= tol*scale) {
			t.Fatalf("%s[%d] = %.10g, PyTorch %.10g (difference %g, tolerance %g)", what, i, g[i], want[i], d, tol*scale)
		}
	}
}
