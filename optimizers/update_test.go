package optimizers_test

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// A reference is an optimizer's Keras update rule written out plainly for
// one weight element: step applies gradient g at step t (from 1) with
// learning rate lr to w and its state s, and returns the new weight.
type reference struct {
	slots int
	init  float64 // initial state value
	step  func(w, g, lr float64, t int, s []float64) float64
}

func refSGD(momentum float64, nesterov bool) reference {
	return reference{slots: 1, step: func(w, g, lr float64, _ int, s []float64) float64 {
		if momentum == 0 {
			return w - lr*g
		}
		s[0] = momentum*s[0] - lr*g
		if nesterov {
			return w + momentum*s[0] - lr*g
		}
		return w + s[0]
	}}
}

func refAdam(b1, b2, eps, wd float64) reference {
	return reference{slots: 2, step: func(w, g, lr float64, t int, s []float64) float64 {
		w -= lr * wd * w
		s[0] = b1*s[0] + (1-b1)*g
		s[1] = b2*s[1] + (1-b2)*g*g
		alpha := lr * math.Sqrt(1-math.Pow(b2, float64(t))) / (1 - math.Pow(b1, float64(t)))
		return w - alpha*s[0]/(math.Sqrt(s[1])+eps)
	}}
}

func refRMSProp(rho, eps, momentum float64) reference {
	return reference{slots: 2, step: func(w, g, lr float64, _ int, s []float64) float64 {
		s[0] = rho*s[0] + (1-rho)*g*g
		inc := lr * g / math.Sqrt(s[0]+eps)
		if momentum > 0 {
			s[1] = momentum*s[1] + inc
			inc = s[1]
		}
		return w - inc
	}}
}

func refAdaGrad(init, eps float64) reference {
	return reference{slots: 1, init: init, step: func(w, g, lr float64, _ int, s []float64) float64 {
		s[0] += g * g
		return w - lr*g/math.Sqrt(s[0]+eps)
	}}
}

// The weights and gradients of the update tests: two parameters, three
// steps. Every update is elementwise, so the reference runs on the
// concatenation of both parameters.
var (
	w0     = [][]float64{{0.5, -1.5, 2}, {0.1, -0.2, 0.3, 0.7}}
	shapes = [][]int{{3}, {2, 2}}
	grads  = [][][]float64{ // [step][param]
		{{0.1, -0.4, 1.5}, {2, -0.05, 0, 0.3}},
		{{-0.2, -0.3, 1}, {1.5, 0.1, -0.6, 0.3}},
		{{0.05, 0.2, -2}, {-1, 0.2, 0.4, 0.3}},
	}
)

func TestUpdates(t *testing.T) {
	tests := []struct {
		name string
		opt  optimizers.Optimizer
		lr   float64 // the learning rate the solver must start with
		ref  reference
	}{
		// The zero values must mean Keras's defaults, written out here.
		{"sgd defaults", optimizers.SGD{}, 0.01, refSGD(0, false)},
		{"sgd lr", optimizers.SGD{LearningRate: 0.3}, 0.3, refSGD(0, false)},
		{"sgd momentum", optimizers.SGD{Momentum: 0.9}, 0.01, refSGD(0.9, false)},
		{"sgd nesterov", optimizers.SGD{LearningRate: 0.05, Momentum: 0.5, Nesterov: true}, 0.05, refSGD(0.5, true)},
		{"sgd nesterov without momentum", optimizers.SGD{Nesterov: true}, 0.01, refSGD(0, false)},
		{"adam defaults", optimizers.Adam{}, 0.001, refAdam(0.9, 0.999, 1e-7, 0)},
		{"adam lr", optimizers.Adam{LearningRate: 0.02}, 0.02, refAdam(0.9, 0.999, 1e-7, 0)},
		{"adam betas epsilon", optimizers.Adam{Beta1: 0.5, Beta2: 0.8, Epsilon: 0.1}, 0.001, refAdam(0.5, 0.8, 0.1, 0)},
		{"adamw defaults", optimizers.AdamW{}, 0.001, refAdam(0.9, 0.999, 1e-7, 0.004)},
		{"adamw lr decay", optimizers.AdamW{LearningRate: 0.05, WeightDecay: 0.5, Beta1: 0.7}, 0.05, refAdam(0.7, 0.999, 1e-7, 0.5)},
		{"rmsprop defaults", optimizers.RMSProp{}, 0.001, refRMSProp(0.9, 1e-7, 0)},
		{"rmsprop lr rho", optimizers.RMSProp{LearningRate: 0.01, Rho: 0.5, Epsilon: 1e-3}, 0.01, refRMSProp(0.5, 1e-3, 0)},
		{"rmsprop momentum", optimizers.RMSProp{Momentum: 0.9}, 0.001, refRMSProp(0.9, 1e-7, 0.9)},
		{"adagrad defaults", optimizers.AdaGrad{}, 0.001, refAdaGrad(0.1, 1e-7)},
		{"adagrad lr accumulator", optimizers.AdaGrad{LearningRate: 0.2, InitialAccumulator: 0.5, Epsilon: 1e-3}, 0.2, refAdaGrad(0.5, 1e-3)},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s %v", tc.name, dt), func(t *testing.T) {
				s, err := tc.opt.NewSolver()
				if err != nil {
					t.Fatalf("NewSolver: %v", err)
				}
				if got := s.LearningRate(); got != tc.lr {
					t.Fatalf("LearningRate() = %v, want %v", got, tc.lr)
				}
				ps := []*param{
					newParam("a", dt, shapes[0], w0[0]),
					newParam("b", dt, shapes[1], w0[1]),
				}
				// The reference, on the concatenated elements.
				want := append(append([]float64(nil), w0[0]...), w0[1]...)
				state := make([][]float64, len(want))
				for i := range state {
					state[i] = make([]float64, tc.ref.slots)
					for k := range state[i] {
						state[i][k] = tc.ref.init
					}
				}
				lr := tc.lr
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				for step, gs := range grads {
					if step == 2 {
						// A schedule changes the rate; the moments stay.
						lr *= 3
						s.SetLearningRate(lr)
						if s.LearningRate() != lr {
							t.Fatalf("LearningRate() after SetLearningRate(%v) = %v", lr, s.LearningRate())
						}
					}
					flat := append(append([]float64(nil), gs[0]...), gs[1]...)
					for i := range want {
						want[i] = tc.ref.step(want[i], flat[i], lr, step+1, state[i])
					}
					ps[0].setGrad(gs[0])
					ps[1].setGrad(gs[1])
					if err := s.Step(vgs(ps...)); err != nil {
						t.Fatalf("step %d: %v", step+1, err)
					}
					got := append(values(ps[0].w), values(ps[1].w)...)
					for i := range want {
						if d := math.Abs(got[i] - want[i]); d > tol*math.Max(1, math.Abs(want[i])) || math.IsNaN(got[i]) {
							t.Errorf("step %d: weight %d = %.15g, want %.15g", step+1, i, got[i], want[i])
						}
					}
					for _, p := range ps {
						for i, g := range values(p.g) {
							if g != 0 {
								t.Fatalf("step %d: gradient %s[%d] = %v after Step, want 0", step+1, p.name, i, g)
							}
						}
					}
				}
			})
		}
	}
}

// TestKerasDocExamples replays the examples in Keras's docstrings, where
// the loss is w^2/2 and so the gradient is w.
func TestKerasDocExamples(t *testing.T) {
	tests := []struct {
		name  string
		opt   optimizers.Optimizer
		w0    float64
		wants []float64 // the weight after each step
	}{
		{"sgd", optimizers.SGD{LearningRate: 0.1}, 1, []float64{0.9, 0.81}},
		{"sgd momentum", optimizers.SGD{LearningRate: 0.1, Momentum: 0.9}, 1, []float64{0.9, 0.72}},
		{"rmsprop", optimizers.RMSProp{LearningRate: 0.1}, 10, []float64{9.683772}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.opt.NewSolver()
			if err != nil {
				t.Fatal(err)
			}
			p := newParam("w", tensor.Float64, []int{1}, []float64{tc.w0})
			for i, want := range tc.wants {
				p.setGrad(values(p.w))
				if err := s.Step(vgs(p)); err != nil {
					t.Fatal(err)
				}
				if got := values(p.w)[0]; math.Abs(got-want) > 1e-6 {
					t.Errorf("step %d: w = %.7f, want %.7f", i+1, got, want)
				}
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name  string
		clip  optimizers.Clip
		grads [][]float64
		want  [][]float64 // the gradients the update used
	}{
		{"off", optimizers.Clip{}, [][]float64{{3, 4}, {0, 12}}, [][]float64{{3, 4}, {0, 12}}},
		{"norm clips each tensor", optimizers.Clip{Norm: 1}, [][]float64{{3, 4}, {0.3, 0.4}}, [][]float64{{0.6, 0.8}, {0.3, 0.4}}},
		{"norm above", optimizers.Clip{Norm: 10}, [][]float64{{3, 4}, {0, 12}}, [][]float64{{3, 4}, {0, 10}}},
		{"global norm", optimizers.Clip{GlobalNorm: 6.5}, [][]float64{{3, 4}, {0, 12}}, [][]float64{{1.5, 2}, {0, 6}}},
		{"global norm above", optimizers.Clip{GlobalNorm: 13}, [][]float64{{3, 4}, {0, 12}}, [][]float64{{3, 4}, {0, 12}}},
		{"value", optimizers.Clip{Value: 1}, [][]float64{{-3, 0.2}, {5, -1}}, [][]float64{{-1, 0.2}, {1, -1}}},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s %v", tc.name, dt), func(t *testing.T) {
				// SGD with learning rate 1 subtracts the clipped gradient.
				s, err := optimizers.SGD{LearningRate: 1, Clip: tc.clip}.NewSolver()
				if err != nil {
					t.Fatal(err)
				}
				ps := []*param{newParam("a", dt, []int{2}, []float64{0, 0}), newParam("b", dt, []int{2}, []float64{0, 0})}
				for i, p := range ps {
					p.setGrad(tc.grads[i])
				}
				if err := s.Step(vgs(ps...)); err != nil {
					t.Fatal(err)
				}
				for i, p := range ps {
					for j, w := range values(p.w) {
						if math.Abs(-w-tc.want[i][j]) > 1e-6 {
							t.Errorf("param %d: clipped gradient[%d] = %v, want %v", i, j, -w, tc.want[i][j])
						}
					}
				}
			})
		}
	}
}

// TestClipEveryOptimizer shows that clipping applies before each
// optimizer's own update: a gradient clipped by norm steps exactly like the
// pre-scaled gradient without clipping.
func TestClipEveryOptimizer(t *testing.T) {
	clip := optimizers.Clip{Norm: 0.5}
	tests := []struct{ clipped, plain optimizers.Optimizer }{
		{optimizers.SGD{Momentum: 0.9, Clip: clip}, optimizers.SGD{Momentum: 0.9}},
		{optimizers.Adam{Clip: clip}, optimizers.Adam{}},
		{optimizers.AdamW{Clip: clip}, optimizers.AdamW{}},
		{optimizers.RMSProp{Clip: clip}, optimizers.RMSProp{}},
		{optimizers.AdaGrad{Clip: clip}, optimizers.AdaGrad{}},
	}
	for _, tc := range tests {
		t.Run(tc.plain.Name(), func(t *testing.T) {
			a, err := tc.clipped.NewSolver()
			if err != nil {
				t.Fatal(err)
			}
			b, err := tc.plain.NewSolver()
			if err != nil {
				t.Fatal(err)
			}
			pa := newParam("w", tensor.Float64, []int{2}, []float64{1, -1})
			pb := newParam("w", tensor.Float64, []int{2}, []float64{1, -1})
			for step := 0; step < 2; step++ {
				pa.setGrad([]float64{3, 4})     // norm 5, clipped to 0.5
				pb.setGrad([]float64{0.3, 0.4}) // already 0.5
				if err := a.Step(vgs(pa)); err != nil {
					t.Fatal(err)
				}
				if err := b.Step(vgs(pb)); err != nil {
					t.Fatal(err)
				}
			}
			wa, wb := values(pa.w), values(pb.w)
			for i := range wa {
				if math.Abs(wa[i]-wb[i]) > 1e-12 {
					t.Errorf("clipped weights %v, pre-scaled weights %v", wa, wb)
					break
				}
			}
		})
	}
}

// TestUpdatesSplitOverCPUs checks that a large parameter, whose update is
// split over the CPUs, gets the same bits as with one CPU, for every
// optimizer, next to a small one that is not split.
func TestUpdatesSplitOverCPUs(t *testing.T) {
	const big = 1<<16 + 3
	rng := rand.New(rand.NewSource(1))
	w, gs := make([]float64, big), make([][]float64, 3)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	for s := range gs {
		gs[s] = make([]float64, big)
		for i := range gs[s] {
			gs[s][i] = rng.NormFloat64()
		}
	}
	for _, opt := range []optimizers.Optimizer{
		optimizers.SGD{Momentum: 0.9, Nesterov: true}, optimizers.SGD{Momentum: 0.5}, optimizers.SGD{},
		optimizers.Adam{}, optimizers.AdamW{}, optimizers.RMSProp{Momentum: 0.9}, optimizers.AdaGrad{},
		optimizers.Adam{Clip: optimizers.Clip{Value: 0.5}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			var runs [][]float64
			for _, procs := range []int{1, 3} {
				prev := runtime.GOMAXPROCS(procs)
				s, err := opt.NewSolver()
				if err != nil {
					t.Fatal(err)
				}
				ps := []*param{newParam("big", dt, []int{big}, w), newParam("small", dt, []int{3}, w[:3])}
				for _, g := range gs {
					ps[0].setGrad(g)
					ps[1].setGrad(g[:3])
					if err := s.Step(vgs(ps...)); err != nil {
						t.Fatal(err)
					}
				}
				runtime.GOMAXPROCS(prev)
				runs = append(runs, append(values(ps[0].w), values(ps[1].w)...))
			}
			for i := range runs[0] {
				if runs[0][i] != runs[1][i] || runs[0][i] == w[i%big] {
					t.Fatalf("%T %+v %v: weight %d is %v with 1 CPU, %v with 3 (it was %v)", opt, opt, dt, i, runs[0][i], runs[1][i], w[i%big])
				}
			}
		}
	}
}
