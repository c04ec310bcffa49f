package layers

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fusedRun is what one graph of a recurrent layer gave: its output, its
// final states and the gradients of a cost with respect to the input, the
// initial states and the weights.
type fusedRun struct {
	out    []float64
	states [][]float64
	grads  map[string][]float64 // by node name
}

type fusedCase struct {
	name                 string
	layer                func() Layer // a fresh, unbuilt layer
	mask, initial, drop  bool
	bidirectional        bool
	steps, batch, states int
}

// runRecurrentGraph builds l (unrolled or fused), runs a training graph of
// it over fixed float64 data once and returns what it gave.
func runRecurrentGraph(t *testing.T, tc fusedCase, unrolled bool) fusedRun {
	t.Helper()
	const features, units = 3, 4
	l := tc.layer()
	setUnrolled := func(l Layer) {
		switch r := l.(type) {
		case *LSTM:
			r.unrolledOnly = unrolled
		case *GRU:
			r.unrolledOnly = unrolled
		case *SimpleRNN:
			r.unrolledOnly = unrolled
		}
	}
	setUnrolled(l)
	if b, ok := l.(*Bidirectional); ok {
		setUnrolled(b.Layer)
	}
	if _, err := l.Build(&Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(3)), Name: l.LayerName()}, Shape{tc.steps, features}); err != nil {
		t.Fatal(err)
	}
	c := NewCall(tensor.Float64, tc.batch, true)
	c.InputGrads = true
	rng := rand.New(rand.NewSource(7))
	node := func(name string, shape ...int) *gorgonia.Node {
		v := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
		for i := range v.Data().([]float64) {
			v.Data().([]float64)[i] = 2*rng.Float64() - 1
		}
		return gorgonia.NewTensor(c.Graph, tensor.Float64, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(v))
	}
	x := node("x", tc.batch, tc.steps, features)
	wrt := gorgonia.Nodes{x}
	if tc.mask {
		m := make([]float64, tc.batch*tc.steps)
		for b := 0; b < tc.batch; b++ {
			// sample b has its first b%3 steps and, from sample 1 on,
			// its last step padded; sample 0 is whole.
			for s := 0; s < tc.steps; s++ {
				m[b*tc.steps+s] = 1
				if s < b%3 || (b > 0 && s == tc.steps-1) {
					m[b*tc.steps+s] = 0
				}
			}
		}
		mn := gorgonia.NewTensor(c.Graph, tensor.Float64, 2, gorgonia.WithShape(tc.batch, tc.steps), gorgonia.WithName("mask"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(tc.batch, tc.steps), tensor.WithBacking(m))))
		if err := c.SetMask(x, mn); err != nil {
			t.Fatal(err)
		}
	}
	var (
		out    *gorgonia.Node
		states []*gorgonia.Node
		err    error
	)
	if tc.bidirectional {
		out, err = l.Forward(c, x)
	} else {
		var initial []*gorgonia.Node
		if tc.initial {
			for k := 0; k < tc.states; k++ {
				initial = append(initial, node(fmt.Sprintf("h0_%d", k), tc.batch, units))
			}
			wrt = append(wrt, initial...)
		}
		out, states, err = l.(recurrentLayer).ForwardWithState(c, x, initial)
	}
	if err != nil {
		t.Fatal(err)
	}
	r := node("R", out.Shape()...)
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(out, r))))
	for k, s := range states {
		q := node(fmt.Sprintf("Q%d", k), s.Shape()...)
		cost = gorgonia.Must(gorgonia.Add(cost, gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(s, q))))))
	}
	wrt = append(wrt, c.Learnables()...)
	if _, err := gorgonia.Grad(cost, wrt...); err != nil {
		t.Fatal(err)
	}
	var outV gorgonia.Value
	gorgonia.Read(out, &outV)
	stateV := make([]gorgonia.Value, len(states))
	for k := range states {
		gorgonia.Read(states[k], &stateV[k])
	}
	m := gorgonia.NewTapeMachine(c.Graph, gorgonia.BindDualValues(wrt...))
	defer m.Close()
	feedRNG := rand.New(rand.NewSource(11))
	for _, f := range c.Feeds() {
		f.Fill(feedRNG, f.Value)
	}
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	res := fusedRun{grads: map[string][]float64{}}
	res.out = append(res.out, outV.Data().([]float64)...)
	for _, v := range stateV {
		res.states = append(res.states, append([]float64(nil), v.Data().([]float64)...))
	}
	for _, n := range wrt {
		g, err := n.Grad()
		if err != nil {
			t.Fatalf("gradient of %s: %v", n.Name(), err)
		}
		res.grads[n.Name()] = append([]float64(nil), g.Data().([]float64)...)
	}
	return res
}

// TestFusedMatchesUnrolled checks that the fused recurrent ops give the
// outputs, final states and gradients (input, initial states, weights) of
// the unrolled layers to float64 rounding, for every cell and option the
// layers have.
func TestFusedMatchesUnrolled(t *testing.T) {
	var cases []fusedCase
	kinds := []struct {
		name   string
		states int
		make   func(seq, back bool, drop float64) Layer
	}{
		{"simple_rnn", 1, func(seq, back bool, drop float64) Layer {
			return &SimpleRNN{Name: "l", Units: 4, ReturnSequences: seq, GoBackwards: back, RecurrentDropout: drop, Dropout: drop}
		}},
		{"simple_rnn_relu", 1, func(seq, back bool, drop float64) Layer {
			return &SimpleRNN{Name: "l", Units: 4, Activation: ReLU, ReturnSequences: seq, GoBackwards: back, RecurrentDropout: drop}
		}},
		{"lstm", 2, func(seq, back bool, drop float64) Layer {
			return &LSTM{Name: "l", Units: 4, ReturnSequences: seq, GoBackwards: back, RecurrentDropout: drop, Dropout: drop}
		}},
		{"gru", 1, func(seq, back bool, drop float64) Layer {
			return &GRU{Name: "l", Units: 4, ReturnSequences: seq, GoBackwards: back, RecurrentDropout: drop, Dropout: drop, BiasInitializer: RandomUniform{Min: -0.5, Max: 0.5}}
		}},
		{"gru_reset_before", 1, func(seq, back bool, drop float64) Layer {
			return &GRU{Name: "l", Units: 4, NoResetAfter: true, ReturnSequences: seq, GoBackwards: back, RecurrentDropout: drop, Dropout: drop, BiasInitializer: RandomUniform{Min: -0.5, Max: 0.5}}
		}},
	}
	for _, k := range kinds {
		for _, steps := range []int{1, 5} {
			for _, seq := range []bool{false, true} {
				for _, back := range []bool{false, true} {
					for _, opts := range []struct{ mask, initial, drop bool }{{false, false, false}, {true, true, false}, {true, false, true}} {
						k, seq, back := k, seq, back
						drop := 0.0
						if opts.drop {
							drop = 0.3
						}
						cases = append(cases, fusedCase{
							name:  fmt.Sprintf("%s/T%d/seq=%v/back=%v/mask=%v/init=%v/drop=%v", k.name, steps, seq, back, opts.mask, opts.initial, opts.drop),
							layer: func() Layer { return k.make(seq, back, drop) },
							mask:  opts.mask, initial: opts.initial, drop: opts.drop,
							steps: steps, batch: 5, states: k.states,
						})
					}
				}
			}
			k := k
			for _, seq := range []bool{false, true} {
				seq := seq
				cases = append(cases, fusedCase{
					name:  fmt.Sprintf("bidirectional_%s/T%d/seq=%v/mask", k.name, steps, seq),
					layer: func() Layer { return &Bidirectional{Name: "bi", Layer: k.make(seq, false, 0)} },
					mask:  true, bidirectional: true, steps: steps, batch: 5,
				})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := runRecurrentGraph(t, tc, true)
			f := runRecurrentGraph(t, tc, false)
			fusedClose(t, "output", f.out, u.out)
			if len(f.states) != len(u.states) {
				t.Fatalf("%d states, unrolled %d", len(f.states), len(u.states))
			}
			for k := range f.states {
				fusedClose(t, fmt.Sprintf("state %d", k), f.states[k], u.states[k])
			}
			if len(f.grads) != len(u.grads) {
				t.Fatalf("%d gradients, unrolled %d", len(f.grads), len(u.grads))
			}
			for name, g := range f.grads {
				fusedClose(t, "gradient of "+name, g, u.grads[name])
			}
		})
	}
}

// fusedClose fails unless got and want agree to float64 rounding: within
// 1e-12 relative to the largest magnitude of want (and at least 1e-14).
func fusedClose(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); d > 1e-12*scale || math.IsNaN(got[i]) {
			t.Fatalf("%s[%d] = %.17g, unrolled %.17g (difference %g)", what, i, got[i], want[i], d)
		}
	}
}
