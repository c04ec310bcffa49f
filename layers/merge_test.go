package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestMergersPassTheHarness(t *testing.T) {
	v := layers.Shape{4}
	tests := []struct {
		name string
		m    layers.Merger
		in   []layers.Shape
		want layers.Shape
		opt  layertest.Options
	}{
		{"add", &layers.Add{}, []layers.Shape{v, v, v}, v, layertest.Options{}},
		{"add two, training", &layers.Add{}, []layers.Shape{{2, 3}, {2, 3}}, layers.Shape{2, 3}, layertest.Options{Training: true}},
		{"subtract", &layers.Subtract{}, []layers.Shape{{2, 3}, {2, 3}}, layers.Shape{2, 3}, layertest.Options{Training: true}},
		{"subtract unit axis", &layers.Subtract{}, []layers.Shape{{1}, {1}}, layers.Shape{1}, layertest.Options{}},
		{"multiply", &layers.Multiply{}, []layers.Shape{v, v, v}, v, layertest.Options{}},
		{"multiply batch 1", &layers.Multiply{}, []layers.Shape{v, v}, v, layertest.Options{Batch: 1}},
		{"average", &layers.Average{}, []layers.Shape{{2, 2}, {2, 2}, {2, 2}}, layers.Shape{2, 2}, layertest.Options{Training: true}},
		{"average unit axis", &layers.Average{}, []layers.Shape{{1}, {1}, {1}}, layers.Shape{1}, layertest.Options{}},
		{"average batch 1", &layers.Average{}, []layers.Shape{v, v}, v, layertest.Options{Batch: 1}},
		{"maximum", &layers.Maximum{}, []layers.Shape{v, v, v}, v, layertest.Options{}},
		{"maximum 3d", &layers.Maximum{}, []layers.Shape{{2, 2, 2}, {2, 2, 2}}, layers.Shape{2, 2, 2}, layertest.Options{Training: true}},
		{"minimum", &layers.Minimum{}, []layers.Shape{{2, 2}, {2, 2}}, layers.Shape{2, 2}, layertest.Options{Training: true}},
		{"minimum three", &layers.Minimum{}, []layers.Shape{v, v, v}, v, layertest.Options{}},
		{"concatenate", &layers.Concatenate{}, []layers.Shape{{2}, {3}, {1}}, layers.Shape{6}, layertest.Options{}},
		{"concatenate axis -1", &layers.Concatenate{Axis: -1}, []layers.Shape{{2}, {2}}, layers.Shape{4}, layertest.Options{Training: true}},
		{"concatenate 3d axis 2", &layers.Concatenate{Axis: 2}, []layers.Shape{{2, 3}, {2, 1}}, layers.Shape{2, 4}, layertest.Options{Training: true}},
		{"concatenate images", &layers.Concatenate{}, []layers.Shape{{2, 2, 1}, {2, 2, 3}}, layers.Shape{2, 2, 4}, layertest.Options{}},
		{"sampling", &layers.Sampling{}, []layers.Shape{{3}, {3}}, layers.Shape{3}, layertest.Options{}},
		{"sampling kl, training", &layers.Sampling{KLWeight: 0.7}, []layers.Shape{{3}, {3}}, layers.Shape{3}, layertest.Options{Training: true}},
		{"sampling kl, inference", &layers.Sampling{KLWeight: 2}, []layers.Shape{{1}, {1}}, layers.Shape{1}, layertest.Options{Batch: 4}},
		{"sampling kl, batch 1", &layers.Sampling{KLWeight: 1}, []layers.Shape{{2}, {2}}, layers.Shape{2}, layertest.Options{Batch: 1, Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.CheckMerge(t, tt.m, tt.in, tt.want, tt.opt)
		})
	}
}

// mergeBuild names m after its kind when it has no name and builds it in
// dtype dt for inputs in.
func mergeBuild(t testing.TB, m layers.Merger, dt tensor.Dtype, in ...layers.Shape) layers.Shape {
	t.Helper()
	if m.LayerName() == "" {
		m.SetLayerName(m.Kind())
	}
	out, err := m.BuildMerge(&layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(1)), Name: m.LayerName()}, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mergeValues builds m for inputs of per-sample shape in[i] and values
// vals[i], runs it once on a graph of batch size batch and returns the
// output's shape and values.
func mergeValues(t testing.TB, m layers.Merger, dt tensor.Dtype, batch int, in []layers.Shape, vals [][]float64) (tensor.Shape, []float64) {
	t.Helper()
	mergeBuild(t, m, dt, in...)
	c := layers.NewCall(dt, batch, false)
	xs := make([]*gorgonia.Node, len(in))
	for i, s := range in {
		xs[i] = rnnNode(c, fmt.Sprintf("x%d", i), s.WithBatch(batch), vals[i])
	}
	out, err := m.ForwardMerge(c, xs)
	if err != nil {
		t.Fatal(err)
	}
	if out.Dtype() != dt {
		t.Fatalf("%s: output is %v, want %v", m.Kind(), out.Dtype(), dt)
	}
	return out.Shape(), rnnRun(t, c, out)[0]
}

func TestMergeValues(t *testing.T) {
	a := []float64{1, -2, 3, 0.5, 4, -1}
	b := []float64{2, 5, -1, 0.5, -3, 2}
	c := []float64{-1, 0, 2, 3, 1, -4}
	v := layers.Shape{3}
	tests := []struct {
		name  string
		m     layers.Merger
		in    []layers.Shape
		vals  [][]float64
		shape tensor.Shape
		want  []float64
	}{
		{"add", &layers.Add{}, []layers.Shape{v, v, v}, [][]float64{a, b, c}, tensor.Shape{2, 3}, []float64{2, 3, 4, 4, 2, -3}},
		{"subtract", &layers.Subtract{}, []layers.Shape{v, v}, [][]float64{a, b}, tensor.Shape{2, 3}, []float64{-1, -7, 4, 0, 7, -3}},
		{"multiply", &layers.Multiply{}, []layers.Shape{v, v, v}, [][]float64{a, b, c}, tensor.Shape{2, 3}, []float64{-2, 0, -6, 0.75, -12, 8}},
		{"average", &layers.Average{}, []layers.Shape{v, v, v}, [][]float64{a, b, c}, tensor.Shape{2, 3}, []float64{2.0 / 3, 1, 4.0 / 3, 4.0 / 3, 2.0 / 3, -1}},
		{"average of two", &layers.Average{}, []layers.Shape{v, v}, [][]float64{a, b}, tensor.Shape{2, 3}, []float64{1.5, 1.5, 1, 0.5, 0.5, 0.5}},
		{"maximum", &layers.Maximum{}, []layers.Shape{v, v, v}, [][]float64{a, b, c}, tensor.Shape{2, 3}, []float64{2, 5, 3, 3, 4, 2}},
		{"minimum", &layers.Minimum{}, []layers.Shape{v, v, v}, [][]float64{a, b, c}, tensor.Shape{2, 3}, []float64{-1, -2, -1, 0.5, -3, -4}},
		{"add unit axis", &layers.Add{}, []layers.Shape{{1}, {1}}, [][]float64{{1, 2}, {10, 20}}, tensor.Shape{2, 1}, []float64{11, 22}},
		{"average unit axis", &layers.Average{}, []layers.Shape{{1}, {1}}, [][]float64{{1, 2}, {3, 5}}, tensor.Shape{2, 1}, []float64{2, 3.5}},
		{"concatenate", &layers.Concatenate{}, []layers.Shape{v, {2}}, [][]float64{a, {7, 8, 9, 10}}, tensor.Shape{2, 5},
			[]float64{1, -2, 3, 7, 8, 0.5, 4, -1, 9, 10}},
		{"concatenate 3d", &layers.Concatenate{Axis: 2}, []layers.Shape{{2, 1}, {2, 2}}, [][]float64{{1, 2, 3, 4}, {10, 11, 12, 13, 14, 15, 16, 17}},
			tensor.Shape{2, 2, 3}, []float64{1, 10, 11, 2, 12, 13, 3, 14, 15, 4, 16, 17}},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s %v", tt.name, dt), func(t *testing.T) {
				// A fresh layer per dtype: a layer is built once.
				m := reflect.New(reflect.TypeOf(tt.m).Elem())
				m.Elem().Set(reflect.ValueOf(tt.m).Elem())
				shape, got := mergeValues(t, m.Interface().(layers.Merger), dt, 2, tt.in, tt.vals)
				if len(shape) != len(tt.shape) || !shape.Eq(tt.shape) {
					t.Fatalf("shape %v, want %v", shape, tt.shape)
				}
				rnnClose(t, tt.name, got, tt.want, 1e-6)
			})
		}
	}
}

func TestMergeBuildErrors(t *testing.T) {
	tests := []struct {
		name string
		m    layers.Merger
		in   []layers.Shape
		want string
	}{
		{"add one input", &layers.Add{Name: "sum"}, []layers.Shape{{3}}, `add "sum": needs at least 2 inputs, got 1`},
		{"add shapes differ", &layers.Add{Name: "add_1"}, []layers.Shape{{4}, {3}}, `add "add_1": input 1 has shape (None, 3), input 0 has (None, 4)`},
		{"add third differs", &layers.Add{Name: "s"}, []layers.Shape{{2}, {2}, {2, 1}}, `add "s": input 2 has shape (None, 2, 1), input 0 has (None, 2)`},
		{"add empty dimension", &layers.Add{Name: "s"}, []layers.Shape{{3}, {0}}, `add "s": input 1 has shape (None, 0), with a dimension <= 0`},
		{"subtract three inputs", &layers.Subtract{Name: "diff"}, []layers.Shape{{2}, {2}, {2}}, `subtract "diff": needs exactly 2 inputs, got 3`},
		{"subtract one input", &layers.Subtract{Name: "diff"}, []layers.Shape{{2}}, `subtract "diff": needs exactly 2 inputs, got 1`},
		{"subtract shapes differ", &layers.Subtract{Name: "diff"}, []layers.Shape{{2}, {3}}, `subtract "diff": input 1 has shape (None, 3), input 0 has (None, 2)`},
		{"multiply no inputs", &layers.Multiply{Name: "prod"}, nil, `multiply "prod": needs at least 2 inputs, got 0`},
		{"multiply shapes differ", &layers.Multiply{Name: "prod"}, []layers.Shape{{2, 2}, {4}}, `multiply "prod": input 1 has shape (None, 4), input 0 has (None, 2, 2)`},
		{"average one input", &layers.Average{Name: "mean"}, []layers.Shape{{2}}, `average "mean": needs at least 2 inputs, got 1`},
		{"average shapes differ", &layers.Average{Name: "mean"}, []layers.Shape{{2}, {2}, {5}}, `average "mean": input 2 has shape (None, 5)`},
		{"maximum one input", &layers.Maximum{Name: "hi"}, []layers.Shape{{2}}, `maximum "hi": needs at least 2 inputs, got 1`},
		{"maximum shapes differ", &layers.Maximum{Name: "hi"}, []layers.Shape{{2}, {1}}, `maximum "hi": input 1 has shape (None, 1), input 0 has (None, 2)`},
		{"minimum shapes differ", &layers.Minimum{Name: "lo"}, []layers.Shape{{2}, {1}}, `minimum "lo": input 1 has shape (None, 1), input 0 has (None, 2)`},
		{"concatenate one input", &layers.Concatenate{Name: "cat"}, []layers.Shape{{2}}, `concatenate "cat": needs at least 2 inputs, got 1`},
		{"concatenate middle axis", &layers.Concatenate{Name: "cat", Axis: 1}, []layers.Shape{{2, 3}, {2, 3}},
			`concatenate "cat": axis 1 is not supported: only the last axis is (-1, or 2 for inputs of shape (None, 2, 3))`},
		{"concatenate axis -2", &layers.Concatenate{Name: "cat", Axis: -2}, []layers.Shape{{2, 3}, {2, 3}}, `concatenate "cat": axis -2 is not supported`},
		{"concatenate axis beyond", &layers.Concatenate{Name: "cat", Axis: 2}, []layers.Shape{{3}, {3}}, `concatenate "cat": axis 2 is not supported`},
		{"concatenate other axis differs", &layers.Concatenate{Name: "cat"}, []layers.Shape{{2, 3}, {3, 3}},
			`concatenate "cat": input 1 has shape (None, 3, 3), input 0 has (None, 2, 3): they may differ only on the last axis`},
		{"concatenate ranks differ", &layers.Concatenate{Name: "cat"}, []layers.Shape{{2, 3}, {6}}, `concatenate "cat": input 1 has shape (None, 6), input 0 has (None, 2, 3)`},
		{"concatenate per-sample scalars", &layers.Concatenate{Name: "cat"}, []layers.Shape{{}, {}}, `concatenate "cat": inputs of shape (None) have no axis to join but the batch`},
		{"concatenate empty dimension", &layers.Concatenate{Name: "cat"}, []layers.Shape{{2}, {0}}, `concatenate "cat": input 1 has shape (None, 0), with a dimension <= 0`},
		{"sampling one input", &layers.Sampling{Name: "z"}, []layers.Shape{{2}}, `sampling "z": needs exactly 2 inputs (mean, log_var), got 1`},
		{"sampling three inputs", &layers.Sampling{Name: "z"}, []layers.Shape{{2}, {2}, {2}}, `sampling "z": needs exactly 2 inputs (mean, log_var), got 3`},
		{"sampling shapes differ", &layers.Sampling{Name: "z"}, []layers.Shape{{2}, {3}}, `sampling "z": input 1 (log_var) has shape (None, 3), input 0 (mean) has (None, 2)`},
		{"sampling negative kl weight", &layers.Sampling{Name: "z", KLWeight: -1}, []layers.Shape{{2}, {2}}, `sampling "z": kl_weight must be finite and >= 0, got -1`},
		{"sampling infinite kl weight", &layers.Sampling{Name: "z", KLWeight: math.Inf(1)}, []layers.Shape{{2}, {2}}, `sampling "z": kl_weight must be finite and >= 0, got +Inf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.m.BuildMerge(&layers.Builder{DType: tensor.Float32, Name: tt.m.LayerName()}, tt.in)
			wantError(t, err, tt.want)
		})
	}
}

func TestMergeForwardErrors(t *testing.T) {
	node := func(c *layers.Call, dt tensor.Dtype, name string, shape ...int) *gorgonia.Node {
		return gorgonia.NewTensor(c.Graph, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name))
	}
	t.Run("before build", func(t *testing.T) {
		c := layers.NewCall(tensor.Float32, 2, false)
		_, err := (&layers.Add{Name: "sum"}).ForwardMerge(c, []*gorgonia.Node{node(c, tensor.Float32, "a", 2, 3), node(c, tensor.Float32, "b", 2, 3)})
		wantError(t, err, `add "sum": forward before build`)
	})
	tests := []struct {
		name string
		m    layers.Merger
		xs   func(c *layers.Call) []*gorgonia.Node
		want string
	}{
		{"too few nodes", &layers.Add{Name: "sum"}, func(c *layers.Call) []*gorgonia.Node {
			return []*gorgonia.Node{node(c, tensor.Float32, "a", 2, 3)}
		}, `add "sum": built for 2 inputs, got 1`},
		{"nil node", &layers.Maximum{Name: "hi"}, func(c *layers.Call) []*gorgonia.Node {
			return []*gorgonia.Node{node(c, tensor.Float32, "a", 2, 3), nil}
		}, `maximum "hi": input 1 is nil`},
		{"node of another shape", &layers.Concatenate{Name: "cat"}, func(c *layers.Call) []*gorgonia.Node {
			return []*gorgonia.Node{node(c, tensor.Float32, "a", 2, 3), node(c, tensor.Float32, "b", 2, 4)}
		}, `concatenate "cat": input 1 was built for (2, 3), got a node of shape (2, 4)`},
		{"node without its unit axis", &layers.Subtract{Name: "diff"}, func(c *layers.Call) []*gorgonia.Node {
			return []*gorgonia.Node{node(c, tensor.Float32, "a", 2, 3), node(c, tensor.Float32, "b", 2, 3, 1)}
		}, `subtract "diff": input 1 was built for (2, 3), got a node of shape (2, 3, 1)`},
		{"node of another dtype", &layers.Sampling{Name: "z"}, func(c *layers.Call) []*gorgonia.Node {
			return []*gorgonia.Node{node(c, tensor.Float32, "a", 2, 3), node(c, tensor.Float64, "b", 2, 3)}
		}, `sampling "z": input 1 is float64 in a float32 graph`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mergeBuild(t, tt.m, tensor.Float32, layers.Shape{3}, layers.Shape{3})
			c := layers.NewCall(tensor.Float32, 2, false)
			_, err := tt.m.ForwardMerge(c, tt.xs(c))
			wantError(t, err, tt.want)
		})
	}
}

// TestMergeMasks checks that merged inputs keep their time-step masks:
// the product of the inputs' masks, and, for a Concatenate of
// [batch, steps] inputs, the masks joined, all valid for an input without
// one.
func TestMergeMasks(t *testing.T) {
	m1 := []float64{1, 1, 0, 1, 0, 0}
	m2 := []float64{1, 0, 0, 1, 1, 1}
	tests := []struct {
		name  string
		m     layers.Merger
		in    []layers.Shape
		masks [][]float64 // per input; nil for none
		want  []float64   // the output's mask; nil for none
	}{
		{"add both masked", &layers.Add{}, []layers.Shape{{3, 2}, {3, 2}}, [][]float64{m1, m2}, []float64{1, 0, 0, 1, 0, 0}},
		{"maximum one masked", &layers.Maximum{}, []layers.Shape{{3, 2}, {3, 2}}, [][]float64{nil, m2}, m2},
		{"average none masked", &layers.Average{}, []layers.Shape{{3, 2}, {3, 2}}, [][]float64{nil, nil}, nil},
		{"concatenate features", &layers.Concatenate{}, []layers.Shape{{3, 2}, {3, 1}}, [][]float64{m1, m2}, []float64{1, 0, 0, 1, 0, 0}},
		{"concatenate steps", &layers.Concatenate{}, []layers.Shape{{3}, {2}}, [][]float64{m1, nil}, []float64{1, 1, 0, 1, 1, 1, 0, 0, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mergeBuild(t, tt.m, tensor.Float64, tt.in...)
			c := layers.NewCall(tensor.Float64, 2, false)
			xs := make([]*gorgonia.Node, len(tt.in))
			for i, s := range tt.in {
				full := s.WithBatch(2)
				xs[i] = rnnNode(c, fmt.Sprintf("x%d", i), full, make([]float64, full.TotalSize()))
				if tt.masks[i] != nil {
					mask := rnnNode(c, fmt.Sprintf("mask%d", i), tensor.Shape{2, full[1]}, tt.masks[i])
					if err := c.SetMask(xs[i], mask); err != nil {
						t.Fatal(err)
					}
				}
			}
			out, err := tt.m.ForwardMerge(c, xs)
			if err != nil {
				t.Fatal(err)
			}
			mask, ok := c.MaskOf(out)
			if tt.want == nil {
				if ok {
					t.Fatalf("the output has a mask")
				}
				return
			}
			if !ok {
				t.Fatal("the output has no mask")
			}
			rnnClose(t, "mask", rnnRun(t, c, mask)[0], tt.want, 0)
		})
	}
}

func TestMergerSpecRoundTrip(t *testing.T) {
	tests := []struct {
		m    layers.Merger
		json string
	}{
		{&layers.Add{Name: "sum"}, `{"kind":"add","config":{"name":"sum"}}`},
		{&layers.Subtract{Name: "diff"}, `{"kind":"subtract","config":{"name":"diff"}}`},
		{&layers.Multiply{}, `{"kind":"multiply","config":{}}`},
		{&layers.Average{Name: "mean"}, `{"kind":"average","config":{"name":"mean"}}`},
		{&layers.Maximum{Name: "hi"}, `{"kind":"maximum","config":{"name":"hi"}}`},
		{&layers.Minimum{Name: "lo"}, `{"kind":"minimum","config":{"name":"lo"}}`},
		{&layers.Concatenate{Name: "cat", Axis: -1}, `{"kind":"concatenate","config":{"name":"cat","axis":-1}}`},
		{&layers.Concatenate{}, `{"kind":"concatenate","config":{"axis":0}}`},
		{&layers.Sampling{Name: "z", KLWeight: 0.5}, `{"kind":"sampling","config":{"name":"z","kl_weight":0.5}}`},
		{&layers.Sampling{}, `{"kind":"sampling","config":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			spec, err := layers.MarshalMerger(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(spec)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.json {
				t.Fatalf("spec %s, want %s", b, tt.json)
			}
			var back layers.Spec
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			got, err := layers.UnmarshalMerger(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.m) {
				t.Fatalf("round trip gives %#v, want %#v", got, tt.m)
			}
		})
	}
}

func TestMergerSpecErrors(t *testing.T) {
	_, err := layers.UnmarshalMerger(layers.Spec{Kind: "add", Config: json.RawMessage(`{"nmae":"x"}`)})
	wantError(t, err, `add: config: json: unknown field "nmae"`)
	_, err = layers.UnmarshalMerger(layers.Spec{Kind: "concatenate", Config: json.RawMessage(`{"axis":"last"}`)})
	wantError(t, err, "concatenate: config")
	_, err = layers.UnmarshalMerger(layers.Spec{Kind: "dense"})
	wantError(t, err, `unknown merge layer kind "dense" (known: add, additive_attention, attention, average, concatenate, maximum, minimum, multi_head_attention, multiply`)
	_, err = layers.NewMerger("")
	wantError(t, err, `unknown merge layer kind ""`)
	_, err = layers.MarshalMerger(nil)
	wantError(t, err, "merger is nil")
	m, err := layers.UnmarshalMerger(layers.Spec{Kind: "sampling"})
	if err != nil || !reflect.DeepEqual(m, &layers.Sampling{}) {
		t.Fatalf("a spec without config gives %#v, %v; want a zero Sampling", m, err)
	}
}

// TestMergerKinds checks that every kind makes a merger of that kind, and
// that no merger kind is also a layer kind (a model file names both).
func TestMergerKinds(t *testing.T) {
	layerKinds := map[string]bool{}
	for _, k := range layers.Kinds() {
		layerKinds[k] = true
	}
	for _, k := range layers.MergerKinds() {
		m, err := layers.NewMerger(k)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind() != k {
			t.Errorf("NewMerger(%q) has kind %q", k, m.Kind())
		}
		if m.Weights() != nil {
			t.Errorf("%s: weights %v, want none", k, m.Weights())
		}
		m.SetLayerName("named")
		if m.LayerName() != "named" {
			t.Errorf("%s: SetLayerName did not set the name", k)
		}
		if layerKinds[k] {
			t.Errorf("%q is both a layer and a merger kind", k)
		}
	}
}

// fakeMerger is a test-only merger, x0 + x1, broken in the ways CheckMerge
// must notice.
type fakeMerger struct {
	name        string
	badLoss     bool // add a loss whose gradient Gorgonia gets wrong
	alwaysLoss  bool // add a loss even when NoLosses
	dropUnitDim bool // return [batch] for inputs [batch, 1]
}

func (f *fakeMerger) Kind() string              { return "fake" }
func (f *fakeMerger) LayerName() string         { return f.name }
func (f *fakeMerger) SetLayerName(n string)     { f.name = n }
func (f *fakeMerger) Weights() []*layers.Weight { return nil }
func (f *fakeMerger) BuildMerge(_ *layers.Builder, in []layers.Shape) (layers.Shape, error) {
	return in[0].Clone(), nil
}

func (f *fakeMerger) ForwardMerge(c *layers.Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	out, err := gorgonia.Add(xs[0], xs[1])
	if err != nil {
		return nil, err
	}
	if f.dropUnitDim {
		if out, err = gorgonia.Sum(out, 1); err != nil {
			return nil, err
		}
	}
	if f.alwaysLoss || (f.badLoss && !c.NoLosses) {
		loss, err := gorgonia.Sum(xs[0])
		if f.badLoss {
			// InverseSqrt's gradient is wrong in Gorgonia v0.9.18 (see
			// internal/ops); x0² + 1 keeps it defined.
			sq := gorgonia.Must(gorgonia.Square(xs[0]))
			one := gorgonia.NewConstant(1.0)
			loss, err = gorgonia.Sum(gorgonia.Must(gorgonia.InverseSqrt(gorgonia.Must(gorgonia.Add(sq, one)))))
		}
		if err != nil {
			return nil, err
		}
		if err := c.AddLoss(loss); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func TestCheckMergeCatches(t *testing.T) {
	tests := []struct {
		name    string
		m       *fakeMerger
		in      []layers.Shape
		want    layers.Shape
		wantErr string // substring of one reported error; "" means none
	}{
		{"good merger", &fakeMerger{}, []layers.Shape{{3}, {3}}, layers.Shape{3}, ""},
		{"wrong output shape", &fakeMerger{}, []layers.Shape{{3}, {3}}, layers.Shape{4},
			`layer "layer": BuildMerge([(None, 3) (None, 3)]) returned output shape (None, 3), want (None, 4)`},
		{"a loss's gradient is checked", &fakeMerger{badLoss: true}, []layers.Shape{{3}, {3}}, layers.Shape{3},
			`layer "layer": gradient on the inference graph`},
		{"a loss in the prediction graph", &fakeMerger{alwaysLoss: true}, []layers.Shape{{3}, {3}}, layers.Shape{3},
			`layer "layer": the prediction graph (NoLosses) has 1 losses, want none`},
		{"a unit axis dropped", &fakeMerger{dropUnitDim: true}, []layers.Shape{{1}, {1}}, layers.Shape{1},
			`layer "layer": Forward on the inference graph gives shape (3), want (3, 1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &mergeRecorder{TB: t}
			layertest.CheckMerge(r, tt.m, tt.in, tt.want, layertest.Options{})
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

// mergeRecorder is a testing.TB that records the errors CheckMerge
// reports.
type mergeRecorder struct {
	testing.TB
	errs []string
}

func (r *mergeRecorder) Helper() {}
func (r *mergeRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *mergeRecorder) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }
