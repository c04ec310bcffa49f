package parity

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// initializerCase is an initializer and the distribution Keras draws from
// for a weight of Shape: constant (Value), uniform [Low, High), normal or
// normal truncated to two standard deviations (Mean, Stddev), orthogonal
// (Gain).
type initializerCase struct {
	Case
	Initializer layers.InitializerSpec `json:"initializer"`
	Shape       []int                  `json:"shape"`
	Dist        string                 `json:"dist"`
	Value       float64                `json:"value"`
	Low         float64                `json:"low"`
	High        float64                `json:"high"`
	Mean        float64                `json:"mean"`
	Stddev      float64                `json:"stddev"`
	Gain        float64                `json:"gain"`
}

// truncatedStd is the standard deviation of N(0, 1) truncated to [-2, 2].
const truncatedStd = 0.87962566103423978

// Every initializer against testdata/initializers.json
// (gen_initializers.py): the weights a Builder makes are checked against
// Keras's distribution, bounds exactly and moments within five standard
// errors (or 5% for the standard deviation), orthogonal ones to rounding.
func TestInitializers(t *testing.T) {
	cases, err := Load[initializerCase]("testdata/initializers.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 50 {
		t.Fatalf("%d cases, want at least 50", len(cases))
	}
	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			defer c.Explain(t)
			dt, err := c.Dtype()
			if err != nil {
				t.Fatal(err)
			}
			init, err := layers.UnmarshalInitializer(&c.Initializer)
			if err != nil {
				t.Fatal(err)
			}
			b := &layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(int64(i + 1))), Name: "init"}
			w, err := b.NewWeight("w", c.Shape, init)
			if err != nil {
				t.Fatal(err)
			}
			if !w.Value.Shape().Eq(tensor.Shape(c.Shape)) || w.Value.Dtype() != dt {
				t.Fatalf("weight %v %v, want %v %v", w.Value.Dtype(), w.Value.Shape(), dt, c.Shape)
			}
			if msg := checkDistribution(c, Floats(w.Value), dt == tensor.Float32); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func checkDistribution(c initializerCase, v []float64, f32 bool) string {
	n := float64(len(v))
	mean, sd := moments(v)
	round := func(x float64) float64 {
		if f32 {
			return float64(float32(x))
		}
		return x
	}
	within := func(what string, got, want, tol float64) string {
		if math.Abs(got-want) > tol {
			return fmt.Sprintf("%s %v, want %v within %v", what, got, want, tol)
		}
		return ""
	}
	switch c.Dist {
	case "constant":
		for i, x := range v {
			if x != round(c.Value) {
				return fmt.Sprintf("value %d is %v, want %v", i, x, c.Value)
			}
		}
		return ""
	case "uniform":
		for i, x := range v {
			if x < round(c.Low) || x > round(c.High) || (!f32 && x == c.High) {
				return fmt.Sprintf("value %d is %v, outside [%v, %v)", i, x, c.Low, c.High)
			}
		}
		s := (c.High - c.Low) / math.Sqrt(12)
		if msg := within("mean", mean, (c.Low+c.High)/2, 5*s/math.Sqrt(n)); msg != "" {
			return msg
		}
		return within("stddev", sd, s, 0.05*s)
	case "normal":
		if msg := within("mean", mean, c.Mean, 5*c.Stddev/math.Sqrt(n)); msg != "" {
			return msg
		}
		return within("stddev", sd, c.Stddev, 0.05*c.Stddev)
	case "truncated_normal":
		for i, x := range v {
			if math.Abs(x-c.Mean) > 2*c.Stddev*(1+1e-6) {
				return fmt.Sprintf("value %d is %v, more than 2 stddev %v from %v", i, x, c.Stddev, c.Mean)
			}
		}
		if msg := within("mean", mean, c.Mean, 5*c.Stddev/math.Sqrt(n)); msg != "" {
			return msg
		}
		return within("stddev", sd, truncatedStd*c.Stddev, 0.05*c.Stddev)
	case "orthogonal":
		cols := c.Shape[len(c.Shape)-1]
		rows := len(v) / cols
		tol := 1e-10
		if f32 {
			tol = 1e-5
		}
		// The Gram matrix of the smaller side is gain² I.
		k, m := cols, rows
		at := func(i, j int) float64 { return v[i*cols+j] } // row i, column j
		if rows < cols {
			k, m = rows, cols
		}
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				dot := 0.0
				for r := 0; r < m; r++ {
					if rows >= cols {
						dot += at(r, a) * at(r, b)
					} else {
						dot += at(a, r) * at(b, r)
					}
				}
				want := 0.0
				if a == b {
					want = c.Gain * c.Gain
				}
				if math.Abs(dot-want) > tol*c.Gain*c.Gain*float64(m) {
					return fmt.Sprintf("Gram matrix [%d, %d] = %v, want %v", a, b, dot, want)
				}
			}
		}
		return ""
	}
	return fmt.Sprintf("unknown distribution %q", c.Dist)
}

func moments(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)))
}
