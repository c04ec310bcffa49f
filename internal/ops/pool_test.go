package ops_test

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

type poolFunc func(x *gorgonia.Node, pool, strides [2]int, pads [4]int) (*gorgonia.Node, error)

// poolCase is one pooling configuration over an input [n, h, w, c].
type poolCase struct {
	name    string
	shape   [4]int
	pool    [2]int
	strides [2]int
	pads    [4]int
}

func same(h, w int, pool, strides [2]int) [4]int { return ops.SamePoolPadding(h, w, pool, strides) }

func poolCases() []poolCase {
	return []poolCase{
		{"pool 2 stride 2", [4]int{2, 6, 6, 3}, [2]int{2, 2}, [2]int{2, 2}, [4]int{}},
		{"pool 3 stride 1 same", [4]int{2, 5, 7, 4}, [2]int{3, 3}, [2]int{1, 1}, same(5, 7, [2]int{3, 3}, [2]int{1, 1})},
		{"odd sizes valid", [4]int{3, 7, 5, 2}, [2]int{2, 2}, [2]int{2, 2}, [4]int{}},
		{"odd sizes same", [4]int{3, 7, 5, 2}, [2]int{2, 2}, [2]int{2, 2}, same(7, 5, [2]int{2, 2}, [2]int{2, 2})},
		{"stride 3 pool 2", [4]int{2, 8, 7, 3}, [2]int{2, 2}, [2]int{3, 3}, [4]int{}},
		{"pool 3 stride 2 overlapping", [4]int{2, 7, 7, 2}, [2]int{3, 3}, [2]int{2, 2}, [4]int{}},
		{"rectangular same", [4]int{1, 6, 9, 5}, [2]int{2, 3}, [2]int{1, 2}, same(6, 9, [2]int{2, 3}, [2]int{1, 2})},
		{"pool 4 stride 3 same", [4]int{2, 7, 8, 1}, [2]int{4, 4}, [2]int{3, 3}, same(7, 8, [2]int{4, 4}, [2]int{3, 3})},
		{"window is the image", [4]int{2, 3, 4, 3}, [2]int{3, 4}, [2]int{3, 4}, [4]int{}},
		{"asymmetric pads", [4]int{1, 5, 5, 2}, [2]int{3, 3}, [2]int{2, 2}, [4]int{2, 0, 0, 1}},
	}
}

func (pc poolCase) out() (oh, ow int) {
	oh = (pc.shape[1]+pc.pads[0]+pc.pads[1]-pc.pool[0])/pc.strides[0] + 1
	ow = (pc.shape[2]+pc.pads[2]+pc.pads[3]-pc.pool[1])/pc.strides[1] + 1
	return oh, ow
}

// refPool is the naive pooling: the outputs, and for each output the flat
// indices into x of the cells it reads, in scan order.
func refPool(pc poolCase, x []float64, avg bool) (y []float64, cells [][]int) {
	n, h, w, c := pc.shape[0], pc.shape[1], pc.shape[2], pc.shape[3]
	oh, ow := pc.out()
	for b := 0; b < n; b++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				for k := 0; k < c; k++ {
					best, sum := math.Inf(-1), 0.0
					var idx []int
					for di := 0; di < pc.pool[0]; di++ {
						for dj := 0; dj < pc.pool[1]; dj++ {
							r, s := i*pc.strides[0]-pc.pads[0]+di, j*pc.strides[1]-pc.pads[2]+dj
							if r < 0 || r >= h || s < 0 || s >= w {
								continue // padding
							}
							p := ((b*h+r)*w+s)*c + k
							idx = append(idx, p)
							sum += x[p]
							best = math.Max(best, x[p])
						}
					}
					if avg {
						y = append(y, sum/float64(len(idx)))
					} else {
						y = append(y, best)
					}
					cells = append(cells, idx)
				}
			}
		}
	}
	return y, cells
}

// refGrad is the naive gradient of the pooling with respect to x for the
// output gradient dy: max pooling sends it to the first maximum in scan
// order, average pooling spreads it evenly.
func refGrad(x, dy []float64, cells [][]int, avg bool) []float64 {
	dx := make([]float64, len(x))
	for o, idx := range cells {
		if avg {
			for _, p := range idx {
				dx[p] += dy[o] / float64(len(idx))
			}
			continue
		}
		arg := idx[0]
		for _, p := range idx[1:] {
			if x[p] > x[arg] {
				arg = p
			}
		}
		dx[arg] += dy[o]
	}
	return dx
}

func randFloats(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func denseOf(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i := range v {
			f[i] = float32(v[i])
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// setValues writes v into t's values in place.
func setValues(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	}
}

func floatsOf(t *testing.T, v gorgonia.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i := range d {
			out[i] = float64(d[i])
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	t.Fatalf("value of type %T", v.Data())
	return nil
}

// poolGraph is x -> pool -> sum(out * R) with the gradient of x.
type poolGraph struct {
	x, out, dx *gorgonia.Node
	m          gorgonia.VM
}

func newPoolGraph(t testing.TB, f poolFunc, pc poolCase, dt tensor.Dtype, x, r []float64) *poolGraph {
	t.Helper()
	g := gorgonia.NewGraph()
	shape := pc.shape[:]
	xn := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(shape...), gorgonia.WithName("x"), gorgonia.WithValue(denseOf(dt, shape, x)))
	out, err := f(xn, pc.pool, pc.strides, pc.pads)
	if err != nil {
		t.Fatal(err)
	}
	rn := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(out.Shape()...), gorgonia.WithName("r"), gorgonia.WithValue(denseOf(dt, out.Shape(), r)))
	p, err := gorgonia.HadamardProd(out, rn)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := gorgonia.Sum(p)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := gorgonia.Grad(cost, xn)
	if err != nil {
		t.Fatal(err)
	}
	return &poolGraph{x: xn, out: out, dx: grads[0], m: gorgonia.NewTapeMachine(g)}
}

// run runs the graph and returns copies of the output and of x's gradient.
func (pg *poolGraph) run(t testing.TB) (y, dx []float64) {
	t.Helper()
	pg.m.Reset()
	if err := pg.m.RunAll(); err != nil {
		t.Fatal(err)
	}
	tt, _ := t.(*testing.T)
	if tt == nil {
		return nil, nil
	}
	return floatsOf(tt, pg.out.Value()), floatsOf(tt, pg.dx.Value())
}

func closeTo(a, b []float64, tol float64) (int, bool) {
	if len(a) != len(b) {
		return -1, false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
			return i, false
		}
	}
	return 0, true
}

var poolKinds = []struct {
	name string
	f    poolFunc
	avg  bool
}{{"max", ops.MaxPool2D, false}, {"avg", ops.AvgPool2D, true}}

// TestPoolAgainstReference runs each op in a graph three times: twice on
// the same input (the buffers are reused, so the values must not change)
// and once on new values written into the input.
func TestPoolAgainstReference(t *testing.T) {
	for _, kind := range poolKinds {
		for _, pc := range poolCases() {
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				t.Run(fmt.Sprintf("%s/%s/%v", kind.name, pc.name, dt), func(t *testing.T) {
					rng := rand.New(rand.NewSource(7))
					size := pc.shape[0] * pc.shape[1] * pc.shape[2] * pc.shape[3]
					x := randFloats(rng, size)
					oh, ow := pc.out()
					r := randFloats(rng, pc.shape[0]*oh*ow*pc.shape[3])
					pg := newPoolGraph(t, kind.f, pc, dt, x, r)
					defer pg.m.Close()
					if want := (tensor.Shape{pc.shape[0], oh, ow, pc.shape[3]}); !pg.out.Shape().Eq(want) {
						t.Fatalf("output shape %v, want %v", pg.out.Shape(), want)
					}
					tol := 1e-12
					if dt == tensor.Float32 {
						tol = 1e-5
					}
					check := func(run string, x []float64) (y, dx []float64) {
						y, dx = pg.run(t)
						wantY, cells := refPool(pc, x, kind.avg)
						if i, ok := closeTo(y, wantY, tol); !ok {
							t.Fatalf("%s: output %d = %v, want %v", run, i, y[i], wantY[i])
						}
						wantDx := refGrad(x, r, cells, kind.avg)
						if i, ok := closeTo(dx, wantDx, tol); !ok {
							t.Fatalf("%s: gradient %d = %v, want %v", run, i, dx[i], wantDx[i])
						}
						return y, dx
					}
					y1, dx1 := check("first run", x)
					y2, dx2 := check("second run", x)
					if i, ok := closeTo(y2, y1, 0); !ok {
						t.Errorf("second run: output %d changed from %v to %v", i, y1[i], y2[i])
					}
					if i, ok := closeTo(dx2, dx1, 0); !ok {
						t.Errorf("second run: gradient %d changed from %v to %v", i, dx1[i], dx2[i])
					}
					x2 := randFloats(rng, size)
					setValues(pg.x.Value().(*tensor.Dense), x2)
					check("new input", x2)
				})
			}
		}
	}
}

func TestPoolGradcheck(t *testing.T) {
	for _, kind := range poolKinds {
		for _, pc := range poolCases() {
			t.Run(kind.name+"/"+pc.name, func(t *testing.T) {
				rng := rand.New(rand.NewSource(3))
				x := denseOf(tensor.Float64, pc.shape[:], randFloats(rng, pc.shape[0]*pc.shape[1]*pc.shape[2]*pc.shape[3]))
				oh, ow := pc.out()
				r := denseOf(tensor.Float64, []int{pc.shape[0], oh, ow, pc.shape[3]}, randFloats(rng, pc.shape[0]*oh*ow*pc.shape[3]))
				err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
					out, err := kind.f(in[0], pc.pool, pc.strides, pc.pads)
					if err != nil {
						return nil, err
					}
					p, err := gorgonia.HadamardProd(out, gorgonia.NewConstant(r))
					if err != nil {
						return nil, err
					}
					return gorgonia.Sum(p)
				}, []*tensor.Dense{x}, gradcheck.Options{})
				if err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// Ties go to the first cell in scan order: with every value equal, each
// window's gradient lands on its top-left input cell.
func TestMaxPoolTiesGoToTheFirstCell(t *testing.T) {
	pc := poolCase{"ties", [4]int{1, 4, 4, 2}, [2]int{2, 2}, [2]int{1, 1}, [4]int{}}
	x := make([]float64, 32)
	for i := range x {
		x[i] = 1
	}
	x[(1*4+2)*2+1] = 5 // channel 1 has a clear winner at (1, 2)
	r := make([]float64, 18)
	for i := range r {
		r[i] = 1
	}
	pg := newPoolGraph(t, ops.MaxPool2D, pc, tensor.Float32, x, r)
	defer pg.m.Close()
	_, dx := pg.run(t)
	for h := 0; h < 4; h++ {
		for w := 0; w < 4; w++ {
			want0 := 0.0
			if h < 3 && w < 3 {
				want0 = 1 // the top-left cell of the window starting here
			}
			if got := dx[(h*4+w)*2]; got != want0 {
				t.Errorf("channel 0 gradient at (%d, %d) = %v, want %v", h, w, got, want0)
			}
		}
	}
	// (1, 2) is in the windows starting at rows 0-1 and columns 1-2: four.
	if got := dx[(1*4+2)*2+1]; got != 4 {
		t.Errorf("channel 1 gradient at the maximum = %v, want 4", got)
	}
}

// Padding cells never win: with every input negative, "same" padding must
// not produce the padding's zero.
func TestMaxPoolPaddingNeverWins(t *testing.T) {
	pc := poolCase{"negative", [4]int{2, 5, 5, 3}, [2]int{3, 3}, [2]int{2, 2}, same(5, 5, [2]int{3, 3}, [2]int{2, 2})}
	rng := rand.New(rand.NewSource(1))
	x := make([]float64, 150)
	for i := range x {
		x[i] = -1 - rng.Float64()
	}
	oh, ow := pc.out()
	pg := newPoolGraph(t, ops.MaxPool2D, pc, tensor.Float64, x, make([]float64, 2*oh*ow*3))
	defer pg.m.Close()
	y, _ := pg.run(t)
	for i, v := range y {
		if v >= -1 {
			t.Fatalf("output %d = %v: a padding cell won", i, v)
		}
	}
}

// The batch is split over goroutines when the work is large; the values
// must not depend on the split.
func TestPoolSplitDoesNotChangeResults(t *testing.T) {
	pc := poolCase{"large", [4]int{7, 32, 32, 16}, [2]int{3, 3}, [2]int{2, 2}, same(32, 32, [2]int{3, 3}, [2]int{2, 2})}
	rng := rand.New(rand.NewSource(5))
	x := randFloats(rng, 7*32*32*16)
	oh, ow := pc.out()
	r := randFloats(rng, 7*oh*ow*16)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, kind := range poolKinds {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			var ys, dxs [][]float64
			for _, procs := range []int{1, 3} {
				runtime.GOMAXPROCS(procs)
				pg := newPoolGraph(t, kind.f, pc, dt, x, r)
				y, dx := pg.run(t)
				pg.m.Close()
				ys, dxs = append(ys, y), append(dxs, dx)
			}
			if i, ok := closeTo(ys[1], ys[0], 0); !ok {
				t.Errorf("%s %v: output %d is %v on 1 goroutine, %v on 3", kind.name, dt, i, ys[0][i], ys[1][i])
			}
			if i, ok := closeTo(dxs[1], dxs[0], 0); !ok {
				t.Errorf("%s %v: gradient %d is %v on 1 goroutine, %v on 3", kind.name, dt, i, dxs[0][i], dxs[1][i])
			}
			wantY, cells := refPool(pc, x, kind.avg)
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			if i, ok := closeTo(ys[1], wantY, tol); !ok {
				t.Errorf("%s %v: output %d = %v, want %v", kind.name, dt, i, ys[1][i], wantY[i])
			}
			wantDx := refGrad(x, r, cells, kind.avg)
			if i, ok := closeTo(dxs[1], wantDx, tol); !ok {
				t.Errorf("%s %v: gradient %d = %v, want %v", kind.name, dt, i, dxs[1][i], wantDx[i])
			}
		}
	}
}

func TestSamePoolPadding(t *testing.T) {
	tests := []struct {
		h, w          int
		pool, strides [2]int
		want          [4]int
	}{
		{4, 4, [2]int{2, 2}, [2]int{2, 2}, [4]int{0, 0, 0, 0}},
		{5, 5, [2]int{2, 2}, [2]int{2, 2}, [4]int{0, 1, 0, 1}},
		{5, 7, [2]int{3, 3}, [2]int{1, 1}, [4]int{1, 1, 1, 1}},
		{6, 6, [2]int{3, 3}, [2]int{2, 2}, [4]int{0, 1, 0, 1}},
		{7, 8, [2]int{4, 4}, [2]int{3, 3}, [4]int{1, 2, 1, 1}},
		{1, 1, [2]int{3, 3}, [2]int{3, 3}, [4]int{1, 1, 1, 1}},
		{9, 9, [2]int{2, 2}, [2]int{4, 4}, [4]int{0, 1, 0, 1}},
		{8, 8, [2]int{2, 2}, [2]int{4, 4}, [4]int{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		if got := ops.SamePoolPadding(tt.h, tt.w, tt.pool, tt.strides); got != tt.want {
			t.Errorf("SamePoolPadding(%d, %d, %v, %v) = %v, want %v", tt.h, tt.w, tt.pool, tt.strides, got, tt.want)
		}
	}
}

func TestPoolErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x4 := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(2, 4, 4, 3), gorgonia.WithName("x4"))
	x3 := gorgonia.NewTensor(g, tensor.Float32, 3, gorgonia.WithShape(4, 4, 3), gorgonia.WithName("x3"))
	xi := gorgonia.NewTensor(g, tensor.Int, 4, gorgonia.WithShape(2, 4, 4, 3), gorgonia.WithName("xi"))
	p2 := [2]int{2, 2}
	tests := []struct {
		name    string
		x       *gorgonia.Node
		pool    [2]int
		strides [2]int
		pads    [4]int
		want    string
	}{
		{"nil input", nil, p2, p2, [4]int{}, "input node is nil"},
		{"rank 3", x3, p2, p2, [4]int{}, "input must be [batch, height, width, channels], got shape (4, 4, 3)"},
		{"int dtype", xi, p2, p2, [4]int{}, "dtype must be float32 or float64, got int"},
		{"pool 0", x4, [2]int{0, 2}, p2, [4]int{}, "pool must be > 0, got [0 2]"},
		{"stride -1", x4, p2, [2]int{2, -1}, [4]int{}, "strides must be > 0, got [2 -1]"},
		{"negative pad", x4, p2, p2, [4]int{0, -1, 0, 0}, "padding must be >= 0"},
		{"pad as large as the pool", x4, p2, p2, [4]int{0, 0, 2, 0}, "padding [0 0 2 0] must be smaller than the pool [2 2]"},
		{"window larger than the input", x4, [2]int{5, 2}, p2, [4]int{}, "pool [5 2] is larger than the padded input (4, 4)"},
	}
	for _, kind := range poolKinds {
		for _, tt := range tests {
			_, err := kind.f(tt.x, tt.pool, tt.strides, tt.pads)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s %s: error %v, want one containing %q", kind.name, tt.name, err, tt.want)
			}
		}
	}
}

// Do returns errors, never panics, on inputs it cannot take, and the
// gradient op refuses to run before its forward op.
func TestPoolDoErrors(t *testing.T) {
	for _, kind := range poolKinds {
		g := gorgonia.NewGraph()
		x := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(1, 4, 4, 2), gorgonia.WithName("x"))
		out, err := kind.f(x, [2]int{2, 2}, [2]int{2, 2}, [4]int{})
		if err != nil {
			t.Fatal(err)
		}
		cost, err := gorgonia.Sum(out)
		if err != nil {
			t.Fatal(err)
		}
		grads, err := gorgonia.Grad(cost, x)
		if err != nil {
			t.Fatal(err)
		}
		dy := tensor.New(tensor.WithShape(1, 2, 2, 2), tensor.WithBacking(make([]float64, 8)))
		if _, err := grads[0].Op().Do(dy); err == nil || !strings.Contains(err.Error(), "runs before its forward pass") {
			t.Errorf("%s: gradient before forward: error %v", kind.name, err)
		}
		fwd := out.Op()
		for name, vals := range map[string][]gorgonia.Value{
			"no inputs":  nil,
			"two inputs": {dy, dy},
			"wrong size": {tensor.New(tensor.WithShape(1, 3, 4, 2), tensor.WithBacking(make([]float64, 24)))},
			"int tensor": {tensor.New(tensor.WithShape(1, 4, 4, 2), tensor.WithBacking(make([]int, 32)))},
			"scalar":     {gorgonia.NewF64(1)},
		} {
			if _, err := fwd.Do(vals...); err == nil {
				t.Errorf("%s: forward on %s: no error", kind.name, name)
			}
		}
		x32 := tensor.New(tensor.WithShape(1, 4, 4, 2), tensor.WithBacking(make([]float32, 32)))
		if _, err := fwd.Do(x32); err != nil {
			t.Fatal(err)
		}
		if _, err := grads[0].Op().Do(dy); err == nil || !strings.Contains(err.Error(), "the forward pass ran in float32") {
			t.Errorf("%s: float64 gradient after a float32 forward pass: error %v", kind.name, err)
		}
	}
}

// Two pooling nodes on the same input stay two nodes: Gorgonia merges nodes
// that hash alike, and each op owns its buffers.
func TestPoolNodesAreNotMerged(t *testing.T) {
	for _, kind := range poolKinds {
		g := gorgonia.NewGraph()
		x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(1, 4, 4, 1), gorgonia.WithName("x"))
		a, err := kind.f(x, [2]int{2, 2}, [2]int{2, 2}, [4]int{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := kind.f(x, [2]int{2, 2}, [2]int{2, 2}, [4]int{})
		if err != nil {
			t.Fatal(err)
		}
		if a == b || a.Hashcode() == b.Hashcode() {
			t.Errorf("%s: two pooling nodes on one input were merged", kind.name)
		}
	}
}

// On valid padding Gorgonia's own MaxPool2D, channels first, agrees with
// ours on the transposed input.
func TestMaxPoolMatchesGorgonia(t *testing.T) {
	const n, h, w, c = 2, 7, 6, 3
	rng := rand.New(rand.NewSource(9))
	x := randFloats(rng, n*h*w*c)
	pc := poolCase{"gorgonia", [4]int{n, h, w, c}, [2]int{2, 2}, [2]int{2, 2}, [4]int{}}
	want, _ := refPool(pc, x, false)
	nchw := make([]float64, len(x))
	for b := 0; b < n; b++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				for k := 0; k < c; k++ {
					nchw[((b*c+k)*h+i)*w+j] = x[((b*h+i)*w+j)*c+k]
				}
			}
		}
	}
	g := gorgonia.NewGraph()
	xn := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(n, c, h, w), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(n, c, h, w), tensor.WithBacking(nchw))))
	out, err := gorgonia.MaxPool2D(xn, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := out.Value().Data().([]float64)
	oh, ow := pc.out()
	for b := 0; b < n; b++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				for k := 0; k < c; k++ {
					if g, w := got[((b*c+k)*oh+i)*ow+j], want[((b*oh+i)*ow+j)*c+k]; g != w {
						t.Fatalf("(%d, %d, %d, %d): gorgonia %v, ours %v", b, i, j, k, g, w)
					}
				}
			}
		}
	}
}

var benchShapes = [][4]int{{128, 26, 26, 32}, {128, 11, 11, 64}}

// BenchmarkMaxPool2D times one forward and one backward pass of a 2x2,
// stride 2 max pooling, calling the ops' Do as a tape machine does:
// Profundo's NHWC ops against Gorgonia's NCHW MaxPool2D on the transposed
// shape.
func BenchmarkMaxPool2D(b *testing.B) {
	for _, s := range benchShapes {
		n, h, w, c := s[0], s[1], s[2], s[3]
		b.Run(fmt.Sprintf("profundo/%dx%dx%dx%d", n, h, w, c), func(b *testing.B) {
			g := gorgonia.NewGraph()
			x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(n, h, w, c), gorgonia.WithName("x"))
			out, err := ops.MaxPool2D(x, [2]int{2, 2}, [2]int{2, 2}, [4]int{})
			if err != nil {
				b.Fatal(err)
			}
			benchOps(b, x, out, false)
		})
		b.Run(fmt.Sprintf("gorgonia/%dx%dx%dx%d", n, c, h, w), func(b *testing.B) {
			g := gorgonia.NewGraph()
			x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(n, c, h, w), gorgonia.WithName("x"))
			out, err := gorgonia.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
			if err != nil {
				b.Fatal(err)
			}
			benchOps(b, x, out, true)
		})
	}
}

// benchOps differentiates sum(out) and times out's op and x's gradient op.
// Gorgonia's gradient op takes (x, out, dy), ours takes dy.
func benchOps(b *testing.B, x, out *gorgonia.Node, gorgoniaOp bool) {
	cost, err := gorgonia.Sum(out)
	if err != nil {
		b.Fatal(err)
	}
	grads, err := gorgonia.Grad(cost, x)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	xv := denseOf(tensor.Float32, x.Shape(), randFloats(rng, x.Shape().TotalSize()))
	dy := denseOf(tensor.Float32, out.Shape(), randFloats(rng, out.Shape().TotalSize()))
	fwd, bwd := out.Op(), grads[0].Op()
	step := func() {
		y, err := fwd.Do(xv)
		if err != nil {
			b.Fatal(err)
		}
		if gorgoniaOp {
			_, err = bwd.Do(xv, y, dy)
		} else {
			_, err = bwd.Do(dy)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(x.Shape()[0]*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkMaxPool2DGraph times a tape machine running x -> max pool ->
// sum and its gradient, so it includes the machine and the sum.
func BenchmarkMaxPool2DGraph(b *testing.B) {
	for _, s := range benchShapes {
		n, h, w, c := s[0], s[1], s[2], s[3]
		b.Run(fmt.Sprintf("profundo/%dx%dx%dx%d", n, h, w, c), func(b *testing.B) {
			benchGraph(b, []int{n, h, w, c}, func(x *gorgonia.Node) (*gorgonia.Node, error) {
				return ops.MaxPool2D(x, [2]int{2, 2}, [2]int{2, 2}, [4]int{})
			})
		})
		b.Run(fmt.Sprintf("gorgonia/%dx%dx%dx%d", n, c, h, w), func(b *testing.B) {
			benchGraph(b, []int{n, c, h, w}, func(x *gorgonia.Node) (*gorgonia.Node, error) {
				return gorgonia.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
			})
		})
	}
}

func benchGraph(b *testing.B, shape []int, pool func(*gorgonia.Node) (*gorgonia.Node, error)) {
	g := gorgonia.NewGraph()
	rng := rand.New(rand.NewSource(1))
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(shape...), gorgonia.WithName("x"),
		gorgonia.WithValue(denseOf(tensor.Float32, shape, randFloats(rng, tensor.Shape(shape).TotalSize()))))
	out, err := pool(x)
	if err != nil {
		b.Fatal(err)
	}
	cost, err := gorgonia.Sum(out)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := gorgonia.Grad(cost, x); err != nil {
		b.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Reset()
		if err := m.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(shape[0]*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkAvgPool2D times one forward and one backward pass of a 2x2,
// stride 2 average pooling.
func BenchmarkAvgPool2D(b *testing.B) {
	for _, s := range benchShapes {
		n, h, w, c := s[0], s[1], s[2], s[3]
		b.Run(fmt.Sprintf("%dx%dx%dx%d", n, h, w, c), func(b *testing.B) {
			g := gorgonia.NewGraph()
			x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(n, h, w, c), gorgonia.WithName("x"))
			out, err := ops.AvgPool2D(x, [2]int{2, 2}, [2]int{2, 2}, [4]int{})
			if err != nil {
				b.Fatal(err)
			}
			benchOps(b, x, out, false)
		})
	}
}

// A NaN makes its window's output NaN; the gradient goes to the largest
// cell scanned before it, or to the NaN when it is first.
func TestMaxPoolNaN(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		x    []float64
		want int
	}{{[]float64{1, 5, nan, 7}, 1}, {[]float64{nan, 5, 2, 7}, 0}} {
		pc := poolCase{"nan", [4]int{1, 1, 4, 1}, [2]int{1, 4}, [2]int{1, 4}, [4]int{}}
		pg := newPoolGraph(t, ops.MaxPool2D, pc, tensor.Float64, tt.x, []float64{1})
		y, dx := pg.run(t)
		pg.m.Close()
		if !math.IsNaN(y[0]) {
			t.Errorf("max of %v = %v, want NaN", tt.x, y[0])
		}
		for i, g := range dx {
			want := 0.0
			if i == tt.want {
				want = 1
			}
			if g != want {
				t.Errorf("max of %v: gradient %v, want 1 at %d only", tt.x, dx, tt.want)
				break
			}
		}
	}
}
