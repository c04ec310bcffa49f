package layertest_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

// tanhDense is a test-only layer, y = tanh(x·W) with W [in, Units], whose
// fields break it in the ways Check must notice.
type tanhDense struct {
	name  string
	Units int
	Init  layers.Initializer // nil means GlorotUniform
	Relu  bool               // relu instead of tanh

	reportUnits  int    // Build reports this many units when > 0
	sumOutput    bool   // Forward sums the output to [batch]
	weightName   string // the weight's name, "kernel" when empty
	twice        bool   // list the same weight twice
	buildErr     error  // Build fails with it
	inferFeed    bool   // add a feed to inference graphs
	mutate       bool   // Forward changes W
	skipLearning bool   // the weight is not trainable
	mask         bool   // multiply by a dropout-like mask feed in training
	unused       bool   // create a second trainable weight Forward ignores

	w, extra *layers.Weight
}

func (l *tanhDense) Kind() string             { return "tanh_dense" }
func (l *tanhDense) LayerName() string        { return l.name }
func (l *tanhDense) SetLayerName(name string) { l.name = name }

func (l *tanhDense) Build(b *layers.Builder, in layers.Shape) (layers.Shape, error) {
	if l.buildErr != nil {
		return nil, l.buildErr
	}
	if len(in) != 1 {
		return nil, errors.Errorf("want a 1-D input shape, got %v", in)
	}
	init := l.Init
	if init == nil {
		init = layers.GlorotUniform{}
	}
	name := l.weightName
	if name == "" {
		name = "kernel"
	}
	var err error
	if l.skipLearning {
		l.w, err = b.NewState(name, []int{in[0], l.Units}, init)
	} else {
		l.w, err = b.NewWeight(name, []int{in[0], l.Units}, init)
	}
	if err != nil {
		return nil, err
	}
	if l.unused {
		if l.extra, err = b.NewWeight("unused", []int{l.Units}, layers.Ones{}); err != nil {
			return nil, err
		}
	}
	if l.weightName != "" && !strings.Contains(l.weightName, "/") {
		l.w.Name = l.weightName // no "<layer>/" prefix
	}
	if l.reportUnits > 0 {
		return layers.Shape{l.reportUnits}, nil
	}
	return layers.Shape{l.Units}, nil
}

func (l *tanhDense) Forward(c *layers.Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if l.mutate {
		l.w.Value.Float64s()[0] += 1
	}
	z, err := gorgonia.Mul(x, c.Node(l.w))
	if err != nil {
		return nil, err
	}
	if l.Relu {
		z, err = gorgonia.Rectify(z)
	} else {
		z, err = gorgonia.Tanh(z)
	}
	if err != nil {
		return nil, err
	}
	if (l.mask && c.Training) || l.inferFeed {
		m := c.NewFeed(l.name+"/mask", z.Shape().Clone(), func(rng *rand.Rand, t *tensor.Dense) {
			for i := range t.Float64s() {
				t.Float64s()[i] = float64(rng.Intn(2)) * 2
			}
		})
		if z, err = gorgonia.HadamardProd(z, m); err != nil {
			return nil, err
		}
	}
	if l.sumOutput {
		return gorgonia.Sum(z, 1)
	}
	return z, nil
}

func (l *tanhDense) Weights() []*layers.Weight {
	if l.w == nil {
		return nil
	}
	if l.twice {
		return []*layers.Weight{l.w, l.w}
	}
	if l.extra != nil {
		return []*layers.Weight{l.w, l.extra}
	}
	return []*layers.Weight{l.w}
}

// recorder is a testing.TB that records the errors Check reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		layer   *tanhDense
		in      layers.Shape
		want    layers.Shape
		opt     layertest.Options
		wantErr string // substring of one reported error; "" means none
	}{
		{"good layer", &tanhDense{Units: 4}, layers.Shape{5}, layers.Shape{4}, layertest.Options{}, ""},
		{"good layer, batch 1, training graph", &tanhDense{Units: 2}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{Batch: 1, Training: true, Seed: 9}, ""},
		{"good layer with a mask feed", &tanhDense{Units: 3, mask: true}, layers.Shape{4}, layers.Shape{3},
			layertest.Options{Training: true}, ""},
		{"good layer with a non-trainable weight", &tanhDense{Units: 3, skipLearning: true}, layers.Shape{4}, layers.Shape{3},
			layertest.Options{Training: true}, ""},
		{"wrong output shape from Build", &tanhDense{Units: 4, reportUnits: 5}, layers.Shape{5}, layers.Shape{4},
			layertest.Options{}, `layer "layer": Build((None, 5)) returned output shape (None, 5), want (None, 4)`},
		{"expected shape wrong", &tanhDense{Units: 4}, layers.Shape{5}, layers.Shape{4, 1},
			layertest.Options{}, "returned output shape (None, 4), want (None, 4, 1)"},
		{"Forward disagrees with Build", &tanhDense{Units: 4, sumOutput: true}, layers.Shape{5}, layers.Shape{4},
			layertest.Options{}, "Forward on the inference graph gives shape (3), want (3, 4)"},
		{"weight without the layer prefix", &tanhDense{Units: 2, weightName: "kernel0"}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{}, `weight 0 is named "kernel0", want "layer/<weight>"`},
		{"weight listed twice", &tanhDense{Units: 2, twice: true}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{}, `weight name "layer/kernel" is used twice`},
		{"trainable weight unused by Forward", &tanhDense{Units: 2, unused: true}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{}, "the training graph's learnables are [layer/kernel], want the trainable weights [layer/kernel layer/unused]"},
		{"Build fails", &tanhDense{Units: 2, buildErr: errors.New("boom")}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{}, "Build((None, 3)): boom"},
		{"feed in the inference graph", &tanhDense{Units: 2, inferFeed: true}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{}, "the inference graph has 1 feeds, want none"},
		{"Forward changes a weight", &tanhDense{Units: 2, mutate: true}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{}, `weight "layer/kernel" changed during the check`},
		{
			// With W = 0 every pre-activation sits on relu's kink, where the
			// symbolic and numeric gradients differ.
			"wrong gradient", &tanhDense{Units: 2, Relu: true, Init: layers.Zeros{}}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{}, `gradient on the inference graph: gradcheck: node 1 ("layer/kernel")`,
		},
		{"negative batch", &tanhDense{Units: 2}, layers.Shape{3}, layers.Shape{2},
			layertest.Options{Batch: -1}, "batch must be > 0, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			layertest.Check(r, tt.layer, tt.in, tt.want, tt.opt)
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

func TestCheckKeepsName(t *testing.T) {
	l := &tanhDense{name: "hidden", Units: 2}
	layertest.Check(t, l, layers.Shape{3}, layers.Shape{2}, layertest.Options{})
	if l.name != "hidden" {
		t.Errorf("Check renamed the layer to %q", l.name)
	}
	if got := l.w.Name; got != "hidden/kernel" {
		t.Errorf("weight name %q, want hidden/kernel", got)
	}
}
