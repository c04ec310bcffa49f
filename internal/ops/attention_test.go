package ops_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

// refAttention computes multi-head attention by its definition, one score
// at a time, in float64: q [b, tq, h·dk], k [b, tk, h·dk], v [b, tk, h·dv].
func refAttention(q, k, v, mask []float64, b, tq, tk, h, dk, dv int, causal bool) []float64 {
	out := make([]float64, b*tq*h*dv)
	scale := 1 / math.Sqrt(float64(dk))
	for n := 0; n < b; n++ {
		for hd := 0; hd < h; hd++ {
			for i := 0; i < tq; i++ {
				s := make([]float64, tk)
				mx := math.Inf(-1)
				for j := 0; j < tk; j++ {
					for d := 0; d < dk; d++ {
						s[j] += q[(n*tq+i)*h*dk+hd*dk+d] * k[(n*tk+j)*h*dk+hd*dk+d]
					}
					s[j] *= scale
					if (mask != nil && mask[(n*tq+i)*tk+j] == 0) || (causal && j > i) {
						s[j] += ops.MaskedScore
					}
					mx = math.Max(mx, s[j])
				}
				var sum float64
				for j := range s {
					s[j] = math.Exp(s[j] - mx)
					sum += s[j]
				}
				for j := range s {
					for d := 0; d < dv; d++ {
						out[(n*tq+i)*h*dv+hd*dv+d] += s[j] / sum * v[(n*tk+j)*h*dv+hd*dv+d]
					}
				}
			}
		}
	}
	return out
}

type attnCase struct {
	name                 string
	b, tq, tk, h, dk, dv int
	mask, causal         bool
}

var attnCases = []attnCase{
	{"one head", 2, 3, 3, 1, 4, 4, false, false},
	{"two heads", 2, 4, 5, 2, 3, 2, false, false},
	{"causal", 2, 5, 5, 2, 3, 3, false, true},
	{"padding mask", 2, 4, 6, 3, 2, 2, true, false},
	{"mask and causal", 1, 6, 6, 2, 4, 3, true, true},
}

// padMask masks the last j keys of sample n (n+1 of them), never all.
func padMask(b, tq, tk int) []float64 {
	m := make([]float64, b*tq*tk)
	for n := 0; n < b; n++ {
		for i := 0; i < tq; i++ {
			for j := 0; j < tk; j++ {
				if j < tk-1-n%(tk-1) {
					m[(n*tq+i)*tk+j] = 1
				}
			}
		}
	}
	return m
}

func TestAttentionValues(t *testing.T) {
	for _, tc := range attnCases {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(tc.name+" "+dt.String(), func(t *testing.T) {
				rng := rand.New(rand.NewSource(3))
				q := randSlice(rng, tc.b*tc.tq*tc.h*tc.dk)
				k := randSlice(rng, tc.b*tc.tk*tc.h*tc.dk)
				v := randSlice(rng, tc.b*tc.tk*tc.h*tc.dv)
				var m []float64
				if tc.mask {
					m = padMask(tc.b, tc.tq, tc.tk)
				}
				want := refAttention(q, k, v, m, tc.b, tc.tq, tc.tk, tc.h, tc.dk, tc.dv, tc.causal)
				g := gorgonia.NewGraph()
				qn := gorgonia.NodeFromAny(g, toDtype(q, dt, tc.b, tc.tq, tc.h*tc.dk), gorgonia.WithName("q"))
				kn := gorgonia.NodeFromAny(g, toDtype(k, dt, tc.b, tc.tk, tc.h*tc.dk), gorgonia.WithName("k"))
				vn := gorgonia.NodeFromAny(g, toDtype(v, dt, tc.b, tc.tk, tc.h*tc.dv), gorgonia.WithName("v"))
				var mn *gorgonia.Node
				if m != nil {
					mn = gorgonia.NodeFromAny(g, toDtype(m, dt, tc.b, tc.tq, tc.tk), gorgonia.WithName("m"))
				}
				y, err := ops.Attention(qn, kn, vn, ops.AttentionParams{Heads: tc.h, Causal: tc.causal, Mask: mn})
				if err != nil {
					t.Fatal(err)
				}
				sc, err := ops.AttentionScores(y)
				if err != nil {
					t.Fatal(err)
				}
				vm := gorgonia.NewTapeMachine(g)
				defer vm.Close()
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				for run := 0; run < 2; run++ {
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}
					close(t, "out", float64s(t, y.Value()), want, tol)
					// Every row of probabilities sums to 1 and is 0 where masked.
					p := float64s(t, sc.Value())
					if got := sc.Shape(); !got.Eq(tensor.Shape{tc.b, tc.h, tc.tq, tc.tk}) {
						t.Fatalf("scores shape %v", got)
					}
					for r := 0; r < len(p)/tc.tk; r++ {
						var s float64
						n, i := r/(tc.h*tc.tq), r%tc.tq
						for j := 0; j < tc.tk; j++ {
							s += p[r*tc.tk+j]
							masked := (m != nil && m[(n*tc.tq+i)*tc.tk+j] == 0) || (tc.causal && j > i)
							if masked && p[r*tc.tk+j] != 0 {
								t.Fatalf("row %d: masked key %d has probability %v", r, j, p[r*tc.tk+j])
							}
						}
						if math.Abs(s-1) > tol*10 {
							t.Fatalf("row %d sums to %v", r, s)
						}
					}
					vm.Reset()
				}
			})
		}
	}
}

func TestAttentionGradCheck(t *testing.T) {
	for _, tc := range attnCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(5))
			inputs := []*tensor.Dense{
				toDtype(randSlice(rng, tc.b*tc.tq*tc.h*tc.dk), tensor.Float64, tc.b, tc.tq, tc.h*tc.dk),
				toDtype(randSlice(rng, tc.b*tc.tk*tc.h*tc.dk), tensor.Float64, tc.b, tc.tk, tc.h*tc.dk),
				toDtype(randSlice(rng, tc.b*tc.tk*tc.h*tc.dv), tensor.Float64, tc.b, tc.tk, tc.h*tc.dv),
			}
			r := toDtype(randSlice(rng, tc.b*tc.tq*tc.h*tc.dv), tensor.Float64, tc.b, tc.tq, tc.h*tc.dv)
			err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				var mn *gorgonia.Node
				if tc.mask {
					mn = gorgonia.NodeFromAny(g, toDtype(padMask(tc.b, tc.tq, tc.tk), tensor.Float64, tc.b, tc.tq, tc.tk), gorgonia.WithName("m"))
				}
				y, err := ops.Attention(in[0], in[1], in[2], ops.AttentionParams{Heads: tc.h, Causal: tc.causal, Mask: mn, Grads: [3]bool{true, true, true}})
				if err != nil {
					return nil, err
				}
				rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
				return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
			}, inputs, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Self-attention: one node is the query, the key and the value, so its
// gradient is the sum of the three.
func TestAttentionSelfGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	x := toDtype(randSlice(rng, 2*4*6), tensor.Float64, 2, 4, 6)
	r := toDtype(randSlice(rng, 2*4*6), tensor.Float64, 2, 4, 6)
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.Attention(in[0], in[0], in[0], ops.AttentionParams{Heads: 2, Causal: true, Grads: [3]bool{true, true, true}})
		if err != nil {
			return nil, err
		}
		rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
		return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
	}, []*tensor.Dense{x}, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAttentionErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	n := func(name string, dt tensor.Dtype, shape ...int) *gorgonia.Node {
		return gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name))
	}
	q := n("q", tensor.Float64, 2, 3, 4)
	k := n("k", tensor.Float64, 2, 5, 4)
	v := n("v", tensor.Float64, 2, 5, 6)
	for _, tc := range []struct {
		name       string
		q, k, v, m *gorgonia.Node
		heads      int
		want       string
	}{
		{"nil", nil, k, v, nil, 1, "nil query"},
		{"heads", q, k, v, nil, 0, "heads must be > 0, got 0"},
		{"heads divide", q, k, v, nil, 3, "3 heads do not divide"},
		{"key width", q, n("k3", tensor.Float64, 2, 5, 3), v, nil, 1, "do not fit"},
		{"value length", q, k, n("v4", tensor.Float64, 2, 4, 6), nil, 1, "do not fit"},
		{"rank", n("q2", tensor.Float64, 6, 4), k, v, nil, 1, "must be [batch, steps, features]"},
		{"dtype", n("qf", tensor.Float32, 2, 3, 4), k, v, nil, 1, "dtypes"},
		{"mask shape", q, k, v, n("m", tensor.Float64, 2, 3, 4), 1, "mask (2, 3, 4) float64, want (2, 3, 5)"},
	} {
		if _, err := ops.Attention(tc.q, tc.k, tc.v, ops.AttentionParams{Heads: tc.heads, Mask: tc.m}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// With dropout on the probabilities, the output is (P∘D)·V, and the
// gradients go through D.
func TestAttentionDropout(t *testing.T) {
	const b, tq, tk, h, d = 2, 3, 4, 2, 3
	rng := rand.New(rand.NewSource(9))
	drop := make([]float64, b*h*tq*tk)
	for i := range drop {
		if rng.Float64() < 0.7 {
			drop[i] = 1 / 0.7
		}
	}
	inputs := []*tensor.Dense{
		toDtype(randSlice(rng, b*tq*h*d), tensor.Float64, b, tq, h*d),
		toDtype(randSlice(rng, b*tk*h*d), tensor.Float64, b, tk, h*d),
		toDtype(randSlice(rng, b*tk*h*d), tensor.Float64, b, tk, h*d),
	}
	r := toDtype(randSlice(rng, b*tq*h*d), tensor.Float64, b, tq, h*d)
	build := func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		dn := gorgonia.NodeFromAny(g, toDtype(drop, tensor.Float64, b, h, tq, tk), gorgonia.WithName("drop"))
		y, err := ops.Attention(in[0], in[1], in[2], ops.AttentionParams{Heads: h, Dropout: dn, Grads: [3]bool{true, true, true}})
		if err != nil {
			return nil, err
		}
		rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
		return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
	}
	if err := gradcheck.Check(build, inputs, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
	// The output is the probabilities times the dropout, times V.
	g := gorgonia.NewGraph()
	in := []*gorgonia.Node{
		gorgonia.NodeFromAny(g, inputs[0], gorgonia.WithName("q")),
		gorgonia.NodeFromAny(g, inputs[1], gorgonia.WithName("k")),
		gorgonia.NodeFromAny(g, inputs[2], gorgonia.WithName("v")),
	}
	dn := gorgonia.NodeFromAny(g, toDtype(drop, tensor.Float64, b, h, tq, tk), gorgonia.WithName("drop"))
	y, err := ops.Attention(in[0], in[1], in[2], ops.AttentionParams{Heads: h, Dropout: dn})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ops.AttentionScores(y)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	p, v, out := float64s(t, sc.Value()), inputs[2].Data().([]float64), float64s(t, y.Value())
	want := make([]float64, len(out))
	for n := 0; n < b; n++ {
		for hd := 0; hd < h; hd++ {
			for i := 0; i < tq; i++ {
				for j := 0; j < tk; j++ {
					pij := p[((n*h+hd)*tq+i)*tk+j] * drop[((n*h+hd)*tq+i)*tk+j]
					for c := 0; c < d; c++ {
						want[(n*tq+i)*h*d+hd*d+c] += pij * v[(n*tk+j)*h*d+hd*d+c]
					}
				}
			}
		}
	}
	close(t, "out", out, want, 1e-12)
}

// Query and key masks mask as their outer product does as a full mask.
func TestAttentionQueryKeyMasks(t *testing.T) {
	const b, tq, tk, h, d = 2, 3, 4, 2, 2
	rng := rand.New(rand.NewSource(11))
	qm := []float64{1, 1, 0, 1, 0, 1}
	km := []float64{1, 1, 1, 0, 1, 0, 1, 1}
	full := make([]float64, b*tq*tk)
	for n := 0; n < b; n++ {
		for i := 0; i < tq; i++ {
			for j := 0; j < tk; j++ {
				full[(n*tq+i)*tk+j] = qm[n*tq+i] * km[n*tk+j]
			}
		}
	}
	q, k, v := randSlice(rng, b*tq*h*d), randSlice(rng, b*tk*h*d), randSlice(rng, b*tk*h*d)
	run := func(split bool) []float64 {
		g := gorgonia.NewGraph()
		p := ops.AttentionParams{Heads: h, Causal: true}
		if split {
			p.QueryMask = gorgonia.NodeFromAny(g, toDtype(qm, tensor.Float64, b, tq), gorgonia.WithName("qm"))
			p.KeyMask = gorgonia.NodeFromAny(g, toDtype(km, tensor.Float64, b, tk), gorgonia.WithName("km"))
		} else {
			p.Mask = gorgonia.NodeFromAny(g, toDtype(full, tensor.Float64, b, tq, tk), gorgonia.WithName("m"))
		}
		y, err := ops.Attention(
			gorgonia.NodeFromAny(g, toDtype(q, tensor.Float64, b, tq, h*d), gorgonia.WithName("q")),
			gorgonia.NodeFromAny(g, toDtype(k, tensor.Float64, b, tk, h*d), gorgonia.WithName("k")),
			gorgonia.NodeFromAny(g, toDtype(v, tensor.Float64, b, tk, h*d), gorgonia.WithName("v")), p)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return float64s(t, y.Value())
	}
	want := refAttention(q, k, v, full, b, tq, tk, h, d, d, true)
	close(t, "full mask", run(false), want, 1e-12)
	close(t, "query and key masks", run(true), want, 1e-12)
}

// A key mask that ends in padding: the keys after the last kept one take
// no work, and the values and gradients are those of the full mask.
func TestAttentionKeyMaskTail(t *testing.T) {
	const b, tq, tk, h, d = 2, 3, 5, 2, 2
	km := []float64{1, 1, 1, 0, 0, 1, 0, 1, 1, 0}
	full := make([]float64, b*tq*tk)
	for n := 0; n < b; n++ {
		for i := 0; i < tq; i++ {
			copy(full[(n*tq+i)*tk:], km[n*tk:(n+1)*tk])
		}
	}
	rng := rand.New(rand.NewSource(12))
	q, k, v := randSlice(rng, b*tq*h*d), randSlice(rng, b*tk*h*d), randSlice(rng, b*tk*h*d)
	want := refAttention(q, k, v, full, b, tq, tk, h, d, d, false)
	inputs := []*tensor.Dense{
		toDtype(q, tensor.Float64, b, tq, h*d), toDtype(k, tensor.Float64, b, tk, h*d), toDtype(v, tensor.Float64, b, tk, h*d),
	}
	r := toDtype(randSlice(rng, b*tq*h*d), tensor.Float64, b, tq, h*d)
	build := func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		kn := gorgonia.NodeFromAny(g, toDtype(km, tensor.Float64, b, tk), gorgonia.WithName("km"))
		y, err := ops.Attention(in[0], in[1], in[2], ops.AttentionParams{Heads: h, KeyMask: kn, Grads: [3]bool{true, true, true}})
		if err != nil {
			return nil, err
		}
		rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
		return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
	}
	if err := gradcheck.Check(build, inputs, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
	g := gorgonia.NewGraph()
	in := []*gorgonia.Node{
		gorgonia.NodeFromAny(g, inputs[0], gorgonia.WithName("q")),
		gorgonia.NodeFromAny(g, inputs[1], gorgonia.WithName("k")),
		gorgonia.NodeFromAny(g, inputs[2], gorgonia.WithName("v")),
	}
	// The output alone: an elementwise op after it may work in place.
	kn := gorgonia.NodeFromAny(g, toDtype(km, tensor.Float64, b, tk), gorgonia.WithName("km"))
	out, err := ops.Attention(in[0], in[1], in[2], ops.AttentionParams{Heads: h, KeyMask: kn})
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	close(t, "out", float64s(t, out.Value()), want, 1e-12)
}
