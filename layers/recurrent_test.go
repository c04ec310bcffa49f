package layers_test

import (
	"encoding/json"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/layers"
)

// stateful is what the three recurrent layers have beyond Layer.
type stateful interface {
	layers.Layer
	ForwardWithState(c *layers.Call, x *gorgonia.Node, initial []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error)
}

// rnnOptions configures the layers recurrentKinds makes.
type rnnOptions struct {
	units                     int
	returnSequences, goBack   bool
	dropout, recurrentDropout float64
}

// recurrentKinds lists the recurrent layers, their number of states and
// how to make one.
func recurrentKinds() []struct {
	kind   string
	states int
	make   func(o rnnOptions) stateful
} {
	return []struct {
		kind   string
		states int
		make   func(o rnnOptions) stateful
	}{
		{"simple_rnn", 1, func(o rnnOptions) stateful {
			return &layers.SimpleRNN{Units: o.units, ReturnSequences: o.returnSequences, GoBackwards: o.goBack, Dropout: o.dropout, RecurrentDropout: o.recurrentDropout}
		}},
		{"lstm", 2, func(o rnnOptions) stateful {
			return &layers.LSTM{Units: o.units, ReturnSequences: o.returnSequences, GoBackwards: o.goBack, Dropout: o.dropout, RecurrentDropout: o.recurrentDropout}
		}},
		{"gru", 1, func(o rnnOptions) stateful {
			return &layers.GRU{Units: o.units, ReturnSequences: o.returnSequences, GoBackwards: o.goBack, Dropout: o.dropout, RecurrentDropout: o.recurrentDropout}
		}},
	}
}

// rnnSample returns sample b of x, [batch, steps, features], steps
// [from, to).
func rnnSample(x []float64, steps, features, b, from, to int) []float64 {
	return append([]float64(nil), x[(b*steps+from)*features:(b*steps+to)*features]...)
}

// TestRecurrentMasks runs a padded batch, one sample whole, one padded at
// the end and one at the start, and checks that each sample's final
// states are those of its valid steps run on their own, that padded steps
// repeat the previous output, and that the output carries the mask.
func TestRecurrentMasks(t *testing.T) {
	const steps, features, units = 5, 3, 4
	x := rnnRandom(3, 3*steps*features)
	mask := []float64{
		1, 1, 1, 1, 1,
		1, 1, 1, 0, 0,
		0, 0, 1, 1, 1,
	}
	valid := [][2]int{{0, 5}, {0, 3}, {2, 5}}
	for _, k := range recurrentKinds() {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(k.kind+"/"+dt.String(), func(t *testing.T) {
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				l := k.make(rnnOptions{units: units, returnSequences: true})
				rnnBuild(t, l, layers.Shape{steps, features}, dt, 1)
				c := layers.NewCall(dt, 3, false)
				xn := rnnNode(c, "x", tensor.Shape{3, steps, features}, x)
				mn := rnnNode(c, "mask", tensor.Shape{3, steps}, mask)
				if err := c.SetMask(xn, mn); err != nil {
					t.Fatal(err)
				}
				out, states, err := l.ForwardWithState(c, xn, nil)
				if err != nil {
					t.Fatal(err)
				}
				if m, ok := c.MaskOf(out); !ok || m != mn {
					t.Error("the output does not carry the input's mask")
				}
				got := rnnRun(t, c, append([]*gorgonia.Node{out}, states...)...)
				seq := got[0]
				for b, v := range valid {
					n := v[1] - v[0]
					alone := k.make(rnnOptions{units: units})
					rnnBuild(t, alone, layers.Shape{n, features}, dt, 1)
					ca := layers.NewCall(dt, 1, false)
					xa := rnnNode(ca, "x", tensor.Shape{1, n, features}, rnnSample(x, steps, features, b, v[0], v[1]))
					_, want, err := alone.ForwardWithState(ca, xa, nil)
					if err != nil {
						t.Fatal(err)
					}
					wantVals := rnnRun(t, ca, want...)
					for s := range want {
						rnnClose(t, "final state", got[1+s][b*units:(b+1)*units], wantVals[s], tol)
					}
					// Padded steps repeat the previous output: zeros before
					// the first valid step, the last valid one after.
					for st := 0; st < steps; st++ {
						row := seq[(b*steps+st)*units : (b*steps+st+1)*units]
						switch {
						case st < v[0]:
							rnnClose(t, "output before the first valid step", row, make([]float64, units), 0)
						case st >= v[1]:
							last := seq[(b*steps+v[1]-1)*units : (b*steps+v[1])*units]
							rnnClose(t, "output after the last valid step", row, last, 0)
						}
					}
				}
			})
		}
	}
}

// TestRecurrentMaskGradient checks the gradient of a masked graph
// against finite differences, with respect to the input, the weights and
// initial states.
func TestRecurrentMaskGradient(t *testing.T) {
	const steps, features, units, batch = 4, 2, 3, 3
	mask := []float64{1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0}
	for _, k := range recurrentKinds() {
		for _, seqs := range []bool{false, true} {
			name := k.kind
			if seqs {
				name += "/sequences"
			}
			t.Run(name, func(t *testing.T) {
				l := k.make(rnnOptions{units: units, returnSequences: seqs})
				rnnBuild(t, l, layers.Shape{steps, features}, tensor.Float64, 2)
				c := layers.NewCall(tensor.Float64, batch, true)
				c.InputGrads = true // the input's gradient is checked too
				xn := rnnNode(c, "x", tensor.Shape{batch, steps, features}, rnnRandom(4, batch*steps*features))
				if err := c.SetMask(xn, rnnNode(c, "mask", tensor.Shape{batch, steps}, mask)); err != nil {
					t.Fatal(err)
				}
				var initial []*gorgonia.Node
				for s := 0; s < k.states; s++ {
					initial = append(initial, rnnNode(c, "h0_"+string(rune('a'+s)), tensor.Shape{batch, units}, rnnRandom(int64(5+s), batch*units)))
				}
				out, states, err := l.ForwardWithState(c, xn, initial)
				if err != nil {
					t.Fatal(err)
				}
				// cost = sum(out ⊙ R) + sum of the squares of the last state
				r := rnnNode(c, "R", out.Shape(), rnnRandom(6, out.Shape().TotalSize()))
				cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(out, r))))
				last := states[len(states)-1]
				cost = gorgonia.Must(gorgonia.Add(cost, gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Square(last))))))
				wrt := append(gorgonia.Nodes{xn}, initial...)
				wrt = append(wrt, c.Learnables()...)
				if err := gradcheck.Graph(cost, wrt, gradcheck.Options{}); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestRecurrentGoBackwards checks that going backwards over x is going
// forwards over x reversed in time, outputs in the order processed.
func TestRecurrentGoBackwards(t *testing.T) {
	const steps, features, units, batch = 4, 3, 2, 2
	x := rnnRandom(8, batch*steps*features)
	rev := make([]float64, len(x))
	for b := 0; b < batch; b++ {
		for s := 0; s < steps; s++ {
			copy(rev[(b*steps+s)*features:(b*steps+s+1)*features], x[(b*steps+steps-1-s)*features:(b*steps+steps-s)*features])
		}
	}
	for _, k := range recurrentKinds() {
		t.Run(k.kind, func(t *testing.T) {
			run := func(back bool, x []float64) [][]float64 {
				l := k.make(rnnOptions{units: units, returnSequences: true, goBack: back})
				rnnBuild(t, l, layers.Shape{steps, features}, tensor.Float64, 3)
				c := layers.NewCall(tensor.Float64, batch, false)
				out, states, err := l.ForwardWithState(c, rnnNode(c, "x", tensor.Shape{batch, steps, features}, x), nil)
				if err != nil {
					t.Fatal(err)
				}
				return rnnRun(t, c, append([]*gorgonia.Node{out}, states...)...)
			}
			back, fwd := run(true, x), run(false, rev)
			for i := range back {
				rnnClose(t, "backwards vs forwards on the reversed input", back[i], fwd[i], 1e-12)
			}
			same := run(false, x)
			if reflect.DeepEqual(same[0], back[0]) {
				t.Error("going backwards gives the same output as going forwards")
			}
		})
	}
}

// TestRecurrentDropoutFeeds checks the dropout masks: absent from
// inference graphs, two feeds in training graphs (the inputs' one the same
// at every step), and with masks of ones the training graph computes what
// the inference graph does.
func TestRecurrentDropoutFeeds(t *testing.T) {
	const steps, features, units, batch = 3, 4, 5, 2
	x := rnnRandom(10, batch*steps*features)
	for _, k := range recurrentKinds() {
		t.Run(k.kind, func(t *testing.T) {
			l := k.make(rnnOptions{units: units, dropout: 0.5, recurrentDropout: 0.25})
			rnnBuild(t, l, layers.Shape{steps, features}, tensor.Float64, 4)
			inf := layers.NewCall(tensor.Float64, batch, false)
			outInf, err := l.Forward(inf, rnnNode(inf, "x", tensor.Shape{batch, steps, features}, x))
			if err != nil {
				t.Fatal(err)
			}
			if n := len(inf.Feeds()); n != 0 {
				t.Fatalf("the inference graph has %d feeds, want none", n)
			}
			want := rnnRun(t, inf, outInf)[0]

			tr := layers.NewCall(tensor.Float64, batch, true)
			outTr, err := l.Forward(tr, rnnNode(tr, "x", tensor.Shape{batch, steps, features}, x))
			if err != nil {
				t.Fatal(err)
			}
			feeds := tr.Feeds()
			if len(feeds) != 2 {
				t.Fatalf("the training graph has %d feeds, want 2", len(feeds))
			}
			in, rec := feeds[0], feeds[1]
			if in.Node.Name() != l.LayerName()+"/dropout_mask" || !in.Value.Shape().Eq(tensor.Shape{batch, steps, features}) {
				t.Errorf("input mask %q %v, want %q (2, 3, 4)", in.Node.Name(), in.Value.Shape(), l.LayerName()+"/dropout_mask")
			}
			if rec.Node.Name() != l.LayerName()+"/recurrent_dropout_mask" || !rec.Value.Shape().Eq(tensor.Shape{batch, units}) {
				t.Errorf("recurrent mask %q %v, want %q (2, 5)", rec.Node.Name(), rec.Value.Shape(), l.LayerName()+"/recurrent_dropout_mask")
			}
			got := rnnRun(t, tr, outTr)[0] // fills the feeds from a seeded source
			m := in.Value.Data().([]float64)
			zeros := 0
			for b := 0; b < batch; b++ {
				for s := 1; s < steps; s++ {
					for f := 0; f < features; f++ {
						if m[(b*steps+s)*features+f] != m[b*steps*features+f] {
							t.Fatalf("the input mask differs between steps 0 and %d", s)
						}
					}
				}
			}
			for _, v := range append(append([]float64(nil), m...), rec.Value.Data().([]float64)...) {
				switch v {
				case 0:
					zeros++
				case 2, 1 / 0.75:
				default:
					t.Fatalf("mask value %v, want 0, 2 or 4/3", v)
				}
			}
			if zeros == 0 || reflect.DeepEqual(got, want) {
				t.Error("dropout dropped nothing")
			}
			// With masks of ones, training computes what inference does.
			for _, f := range feeds {
				for i := range f.Value.Data().([]float64) {
					f.Value.Data().([]float64)[i] = 1
				}
			}
			vals := make([]gorgonia.Value, 1)
			gorgonia.Read(outTr, &vals[0])
			m2 := gorgonia.NewTapeMachine(tr.Graph)
			defer m2.Close()
			if err := m2.RunAll(); err != nil {
				t.Fatal(err)
			}
			rnnClose(t, "training output with masks of ones", rnnFloats(vals[0]), want, 1e-12)

			// No rates, no feeds.
			plain := k.make(rnnOptions{units: units})
			rnnBuild(t, plain, layers.Shape{steps, features}, tensor.Float64, 4)
			c := layers.NewCall(tensor.Float64, batch, true)
			if _, err := plain.Forward(c, rnnNode(c, "x", tensor.Shape{batch, steps, features}, x)); err != nil {
				t.Fatal(err)
			}
			if n := len(c.Feeds()); n != 0 {
				t.Errorf("a training graph without dropout has %d feeds", n)
			}
		})
	}
}

func TestRecurrentBuildErrors(t *testing.T) {
	in := layers.Shape{5, 3}
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  string
	}{
		{"lstm rank 1", &layers.LSTM{Name: "l", Units: 2}, layers.Shape{5}, `lstm "l": expected input shape (None, steps, features), got (None, 5)`},
		{"gru rank 3", &layers.GRU{Name: "g", Units: 2}, layers.Shape{5, 3, 2}, `gru "g": expected input shape (None, steps, features), got (None, 5, 3, 2)`},
		{"simple_rnn rank 1", &layers.SimpleRNN{Name: "s", Units: 2}, layers.Shape{3}, `simple_rnn "s": expected input shape (None, steps, features), got (None, 3)`},
		{"zero steps", &layers.LSTM{Name: "l", Units: 2}, layers.Shape{0, 3}, `lstm "l": input shape (None, 0, 3) has a dimension <= 0`},
		{"lstm units", &layers.LSTM{Name: "l", Units: -3}, in, `lstm "l": units must be > 0, got -3`},
		{"gru units", &layers.GRU{Name: "g"}, in, `gru "g": units must be > 0, got 0`},
		{"simple_rnn units", &layers.SimpleRNN{Name: "s"}, in, `simple_rnn "s": units must be > 0, got 0`},
		{"dropout 1", &layers.LSTM{Name: "l", Units: 2, Dropout: 1}, in, `lstm "l": dropout must be in [0, 1), got 1`},
		{"dropout negative", &layers.GRU{Name: "g", Units: 2, Dropout: -0.1}, in, `gru "g": dropout must be in [0, 1), got -0.1`},
		{"dropout NaN", &layers.SimpleRNN{Name: "s", Units: 2, Dropout: math.NaN()}, in, `simple_rnn "s": dropout must be in [0, 1), got NaN`},
		{"recurrent dropout", &layers.LSTM{Name: "l", Units: 2, RecurrentDropout: 1.5}, in, `lstm "l": recurrent_dropout must be in [0, 1), got 1.5`},
		{"activation", &layers.LSTM{Name: "l", Units: 2, Activation: "relu6"}, in, `lstm "l": activation: unknown activation "relu6"`},
		{"recurrent activation", &layers.GRU{Name: "g", Units: 2, RecurrentActivation: "hard_sigmoid"}, in, `gru "g": recurrent_activation: unknown activation "hard_sigmoid"`},
		{"simple_rnn activation", &layers.SimpleRNN{Name: "s", Units: 2, Activation: "tanhh"}, in, `simple_rnn "s": activation: unknown activation "tanhh"`},
		{"bad initializer", &layers.LSTM{Name: "l", Units: 2, BiasInitializer: layers.RandomUniform{Min: 1, Max: 0}}, in, `lstm "l": l/bias: initialize`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.layer.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: tt.layer.LayerName()}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRecurrentForwardErrors(t *testing.T) {
	for _, k := range recurrentKinds() {
		t.Run(k.kind, func(t *testing.T) {
			l := k.make(rnnOptions{units: 2})
			l.SetLayerName("r")
			c := layers.NewCall(tensor.Float64, 2, false)
			x := rnnNode(c, "x", tensor.Shape{2, 5, 3}, make([]float64, 30))
			if _, err := l.Forward(c, x); err == nil || !strings.Contains(err.Error(), k.kind+` "r": forward before build`) {
				t.Errorf("forward before build: error %v", err)
			}
			rnnBuild(t, l, layers.Shape{5, 3}, tensor.Float64, 1)
			// Another length is fine (a model takes sequences of any
			// length); other features are not.
			wide := rnnNode(c, "wide", tensor.Shape{2, 4, 4}, make([]float64, 32))
			if _, err := l.Forward(c, wide); err == nil || !strings.Contains(err.Error(), k.kind+` "r": built for input (2, 5, 3), got a node of shape (2, 4, 4)`) {
				t.Errorf("wrong features: error %v", err)
			}
			h := rnnNode(c, "h", tensor.Shape{2, 2}, make([]float64, 4))
			h3 := rnnNode(c, "h3", tensor.Shape{2, 3}, make([]float64, 6))
			tooMany := make([]*gorgonia.Node, k.states+1)
			for i := range tooMany {
				tooMany[i] = h
			}
			if _, _, err := l.ForwardWithState(c, x, tooMany); err == nil || !strings.Contains(err.Error(), "initial states, want") {
				t.Errorf("too many initial states: error %v", err)
			}
			bad := []*gorgonia.Node{h3, h}[:k.states]
			if _, _, err := l.ForwardWithState(c, x, bad); err == nil || !strings.Contains(err.Error(), "initial state 0 is float64 (2, 3), want float64 (2, 2)") {
				t.Errorf("initial state of the wrong shape: error %v", err)
			}
			// A mask that does not fit x is refused when it is set.
			if err := c.SetMask(x, rnnNode(c, "m", tensor.Shape{2, 4}, make([]float64, 8))); err == nil {
				t.Error("SetMask took a [2, 4] mask for a [2, 5, 3] input")
			}
		})
	}
}

func TestRecurrentSpecRoundTrip(t *testing.T) {
	ls := []layers.Layer{
		&layers.SimpleRNN{Name: "s", Units: 8, Activation: layers.ReLU, ReturnSequences: true, GoBackwards: true, Dropout: 0.1, RecurrentDropout: 0.2, NoBias: true},
		&layers.LSTM{Name: "l", Units: 16, RecurrentActivation: layers.Sigmoid, NoUnitForgetBias: true, KernelInitializer: layers.HeNormal{}, RecurrentInitializer: layers.Orthogonal{Gain: 2}, BiasInitializer: layers.Constant{Value: 0.5}},
		&layers.GRU{Name: "g", Units: 4, Activation: layers.Tanh, Dropout: 0.3},
		&layers.Bidirectional{Name: "b", Layer: &layers.LSTM{Units: 3, ReturnSequences: true}, MergeMode: layers.MergeSum},
		&layers.Bidirectional{Name: "b2", Layer: &layers.GRU{Name: "inner", Units: 3, RecurrentInitializer: layers.GlorotUniform{}}},
	}
	for _, l := range ls {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		var back layers.Spec
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		got, err := layers.Unmarshal(back, nil)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("round trip of %s gave %#v, want %#v", js, got, l)
		}
	}
}

func TestRecurrentSpecByHand(t *testing.T) {
	src := `{"kind": "bidirectional", "config": {"name": "enc", "merge_mode": "ave",
		"layer": {"kind": "lstm", "config": {"units": 32, "return_sequences": true, "go_backwards": false,
			"dropout": 0.2, "recurrent_dropout": 0.1, "no_unit_forget_bias": true, "recurrent_initializer": {"kind": "orthogonal"}}}}}`
	var spec layers.Spec
	if err := json.Unmarshal([]byte(src), &spec); err != nil {
		t.Fatal(err)
	}
	l, err := layers.Unmarshal(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := l.(*layers.Bidirectional)
	inner := b.Layer.(*layers.LSTM)
	want := &layers.LSTM{Units: 32, ReturnSequences: true, Dropout: 0.2, RecurrentDropout: 0.1, NoUnitForgetBias: true, RecurrentInitializer: layers.Orthogonal{}}
	if b.Name != "enc" || b.MergeMode != layers.MergeAve || !reflect.DeepEqual(inner, want) {
		t.Errorf("got %#v with %#v", b, inner)
	}
	for _, tt := range []struct{ src, want string }{
		{`{"kind": "lstm", "config": {"units": 3, "unit_forget_bias": true}}`, `unknown field "unit_forget_bias"`},
		{`{"kind": "gru", "config": {"units": 3, "reset_after": true}}`, `unknown field "reset_after"`},
		{`{"kind": "simple_rnn", "config": {"units": 3, "bias_initializer": {"kind": "fives"}}}`, `unknown initializer "fives"`},
		{`{"kind": "bidirectional", "config": {"layer": {"kind": "lstmm"}}}`, `unknown layer kind "lstmm"`},
		{`{"kind": "bidirectional", "config": {"layer": {"kind": "lstm"}, "merge": "sum"}}`, `unknown field "merge"`},
	} {
		var spec layers.Spec
		if err := json.Unmarshal([]byte(tt.src), &spec); err != nil {
			t.Fatal(err)
		}
		if _, err := layers.Unmarshal(spec, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.src, err, tt.want)
		}
	}
}
