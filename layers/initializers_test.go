package layers_test

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/profundo/profundo/layers"
)

// fill runs init on shape with a fresh rng seeded with seed.
func fill(t *testing.T, init layers.Initializer, seed int64, shape ...int) []float64 {
	t.Helper()
	n := 1
	for _, d := range shape {
		n *= d
	}
	dst := make([]float64, n)
	if err := init.Fill(rand.New(rand.NewSource(seed)), shape, dst); err != nil {
		t.Fatalf("%T.Fill(%v): %v", init, shape, err)
	}
	return dst
}

func meanVar(v []float64) (mean, variance float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v))
}

// randomInitializers are the initializers that draw from rng.
func randomInitializers() []layers.Initializer {
	return []layers.Initializer{
		layers.GlorotUniform{}, layers.GlorotNormal{}, layers.HeUniform{}, layers.HeNormal{},
		layers.LecunUniform{}, layers.LecunNormal{}, layers.Orthogonal{}, layers.RandomNormal{},
		layers.RandomUniform{}, layers.TruncatedNormal{},
	}
}

func TestInitializerDeterminism(t *testing.T) {
	for _, init := range randomInitializers() {
		t.Run(fmt.Sprintf("%T", init), func(t *testing.T) {
			a := fill(t, init, 42, 16, 8)
			b := fill(t, init, 42, 16, 8)
			c := fill(t, init, 43, 16, 8)
			if !reflect.DeepEqual(a, b) {
				t.Error("same seed gave different values")
			}
			if reflect.DeepEqual(a, c) {
				t.Error("different seeds gave the same values")
			}
		})
	}
}

func TestConstantInitializers(t *testing.T) {
	tests := []struct {
		init layers.Initializer
		want float64
	}{
		{layers.Zeros{}, 0},
		{layers.Ones{}, 1},
		{layers.Constant{}, 0},
		{layers.Constant{Value: -2.5}, -2.5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%#v", tt.init), func(t *testing.T) {
			dst := []float64{7, 7, 7, 7, 7, 7}
			rng := rand.New(rand.NewSource(1))
			if err := tt.init.Fill(rng, []int{2, 3}, dst); err != nil {
				t.Fatal(err)
			}
			for i, v := range dst {
				if v != tt.want {
					t.Errorf("element %d = %v, want %v", i, v, tt.want)
				}
			}
			if got, want := rng.Int63(), rand.New(rand.NewSource(1)).Int63(); got != want {
				t.Error("a constant initializer drew from rng")
			}
			if err := tt.init.Fill(nil, []int{2, 3}, dst); err != nil {
				t.Errorf("Fill with a nil rng: %v", err)
			}
		})
	}
}

func TestInitializerStatistics(t *testing.T) {
	const fi, fo = 300, 500 // shape [300, 500]: 150,000 values
	tests := []struct {
		init     layers.Initializer
		mean     float64
		variance float64
		bound    float64 // every |value - mean| <= bound; 0 means unbounded
	}{
		{layers.GlorotUniform{}, 0, 2.0 / (fi + fo), math.Sqrt(6.0 / (fi + fo))},
		{layers.GlorotNormal{}, 0, 2.0 / (fi + fo), 2 * math.Sqrt(2.0/(fi+fo)) / .87962566103423978},
		{layers.HeUniform{}, 0, 2.0 / fi, math.Sqrt(6.0 / fi)},
		{layers.HeNormal{}, 0, 2.0 / fi, 2 * math.Sqrt(2.0/fi) / .87962566103423978},
		{layers.LecunUniform{}, 0, 1.0 / fi, math.Sqrt(3.0 / fi)},
		{layers.LecunNormal{}, 0, 1.0 / fi, 2 * math.Sqrt(1.0/fi) / .87962566103423978},
		{layers.RandomNormal{}, 0, 0.05 * 0.05, 0},
		{layers.RandomNormal{Mean: 3, Stddev: 2}, 3, 4, 0},
		{layers.RandomUniform{}, 0, 0.1 * 0.1 / 12, 0.05},
		{layers.RandomUniform{Min: 1, Max: 4}, 2.5, 9.0 / 12, 1.5},
		{layers.TruncatedNormal{}, 0, math.Pow(0.05*.87962566103423978, 2), 0.1},
		{layers.TruncatedNormal{Mean: -1, Stddev: 0.5}, -1, math.Pow(0.5*.87962566103423978, 2), 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%#v", tt.init), func(t *testing.T) {
			v := fill(t, tt.init, 5, fi, fo)
			mean, variance := meanVar(v)
			// The mean of n draws has a standard error of sqrt(var/n).
			if se := math.Sqrt(tt.variance / float64(len(v))); math.Abs(mean-tt.mean) > 5*se {
				t.Errorf("mean %.6g, want %.6g (within %.3g)", mean, tt.mean, 5*se)
			}
			if math.Abs(variance/tt.variance-1) > 0.02 {
				t.Errorf("variance %.6g, want %.6g within 2%%", variance, tt.variance)
			}
			if tt.bound == 0 {
				return
			}
			far := 0.0
			for _, x := range v {
				far = math.Max(far, math.Abs(x-tt.mean))
			}
			if far > tt.bound {
				t.Errorf("a value is %.6g from the mean, beyond the bound %.6g", far, tt.bound)
			}
			if far < 0.99*tt.bound {
				t.Errorf("values reach only %.6g from the mean, want close to the bound %.6g", far, tt.bound)
			}
		})
	}
}

func TestFans(t *testing.T) {
	tests := []struct {
		shape   []int
		in, out int
		wantErr string
	}{
		{[]int{7}, 7, 7, ""},
		{[]int{4, 6}, 4, 6, ""},
		{[]int{5, 8, 16}, 40, 80, ""},
		{[]int{3, 3, 8, 16}, 72, 144, ""},
		{nil, 0, 0, "shape is empty"},
		{[]int{3, 0}, 0, 0, "shape [3 0] has a dimension <= 0"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.shape), func(t *testing.T) {
			in, out, err := layers.Fans(tt.shape)
			wantError(t, err, tt.wantErr)
			if in != tt.in || out != tt.out {
				t.Errorf("Fans(%v) = %d, %d; want %d, %d", tt.shape, in, out, tt.in, tt.out)
			}
		})
	}
}

// TestConvKernelFans checks that the variance-scaling initializers use the
// convolution fans on a [3, 3, 8, 16] kernel: fanIn 72, fanOut 144.
func TestConvKernelFans(t *testing.T) {
	tests := []struct {
		init     layers.Initializer
		variance float64
	}{
		{layers.GlorotUniform{}, 2.0 / (72 + 144)},
		{layers.HeNormal{}, 2.0 / 72},
		{layers.LecunUniform{}, 1.0 / 72},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T", tt.init), func(t *testing.T) {
			var all []float64
			for seed := int64(0); seed < 40; seed++ { // 40 kernels of 1,152 values
				all = append(all, fill(t, tt.init, seed, 3, 3, 8, 16)...)
			}
			if _, variance := meanVar(all); math.Abs(variance/tt.variance-1) > 0.03 {
				t.Errorf("variance %.6g, want %.6g within 3%%", variance, tt.variance)
			}
		})
	}
}

func TestOrthogonal(t *testing.T) {
	tests := []struct {
		shape []int
		gain  float64
	}{
		{[]int{8, 8}, 0},
		{[]int{12, 5}, 1},
		{[]int{5, 12}, 0},
		{[]int{3, 3, 4, 6}, 2.5}, // [36, 6], tall
		{[]int{2, 3, 10}, 0.5},   // [6, 10], wide
		{[]int{1, 1}, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v gain %v", tt.shape, tt.gain), func(t *testing.T) {
			v := fill(t, layers.Orthogonal{Gain: tt.gain}, 3, tt.shape...)
			cols := tt.shape[len(tt.shape)-1]
			w := mat.NewDense(len(v)/cols, cols, v)
			r, c := w.Dims()
			var p mat.Dense
			if r >= c {
				p.Mul(w.T(), w) // orthonormal columns
			} else {
				p.Mul(w, w.T()) // orthonormal rows
			}
			gain := tt.gain
			if gain == 0 {
				gain = 1
			}
			n, _ := p.Dims()
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					want := 0.0
					if i == j {
						want = gain * gain
					}
					if got := p.At(i, j); math.Abs(got-want) > 1e-12 {
						t.Fatalf("product element (%d, %d) = %.15g, want %v", i, j, got, want)
					}
				}
			}
		})
	}
}

// TestOrthogonalMatchesHouseholderQR checks Orthogonal against Keras's
// recipe done with gonum: QR of the same normal matrix, columns of Q
// multiplied by the signs of R's diagonal, transposed when wide.
func TestOrthogonalMatchesHouseholderQR(t *testing.T) {
	for _, shape := range [][]int{{6, 6}, {9, 4}, {4, 9}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			rows, cols := shape[0], shape[1]
			m, n := max(rows, cols), min(rows, cols)
			rng := rand.New(rand.NewSource(11))
			a := make([]float64, m*n)
			for i := range a {
				a[i] = rng.NormFloat64()
			}
			var qr mat.QR
			qr.Factorize(mat.NewDense(m, n, a))
			var q, r mat.Dense
			qr.QTo(&q)
			qr.RTo(&r)
			want := mat.NewDense(m, n, nil)
			for j := 0; j < n; j++ {
				s := 1.0
				if r.At(j, j) < 0 {
					s = -1
				}
				for i := 0; i < m; i++ {
					want.Set(i, j, s*q.At(i, j))
				}
			}
			got := fill(t, layers.Orthogonal{}, 11, rows, cols)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					var w float64
					if rows >= cols {
						w = want.At(i, j)
					} else {
						w = want.At(j, i)
					}
					if g := got[i*cols+j]; math.Abs(g-w) > 1e-10 {
						t.Fatalf("element (%d, %d) = %.12g, want %.12g", i, j, g, w)
					}
				}
			}
		})
	}
}

func TestInitializerErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	tests := []struct {
		name    string
		init    layers.Initializer
		rng     *rand.Rand
		shape   []int
		dst     int // len(dst)
		wantErr string
	}{
		{"empty shape", layers.GlorotUniform{}, rng, nil, 1, "shape is empty"},
		{"zero dim", layers.HeNormal{}, rng, []int{3, 0}, 0, "shape [3 0] has a dimension <= 0"},
		{"negative dim", layers.Zeros{}, rng, []int{-2}, 2, "shape [-2] has a dimension <= 0"},
		{"short dst", layers.LecunUniform{}, rng, []int{2, 3}, 5, "dst has 5 values, want 6 for shape [2 3]"},
		{"nil rng", layers.RandomNormal{}, nil, []int{2}, 2, "rng is nil"},
		{"orthogonal 1-D", layers.Orthogonal{}, rng, []int{4}, 4, "orthogonal: shape must have at least 2 dimensions, got [4]"},
		{"uniform min > max", layers.RandomUniform{Min: 1, Max: -1}, rng, []int{2}, 2, "random uniform: min must be < max, got min 1, max -1"},
		{"uniform min == max", layers.RandomUniform{Min: 1, Max: 1}, rng, []int{2}, 2, "min must be < max"},
		{"negative stddev", layers.RandomNormal{Stddev: -1}, rng, []int{2}, 2, "stddev must be >= 0, got -1"},
		{"truncated negative stddev", layers.TruncatedNormal{Stddev: -0.1}, rng, []int{2}, 2, "stddev must be >= 0, got -0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.init.Fill(tt.rng, tt.shape, make([]float64, tt.dst))
			wantError(t, err, tt.wantErr)
		})
	}
}

func TestInitializerByName(t *testing.T) {
	tests := []struct {
		name    string
		want    layers.Initializer
		wantErr string
	}{
		{"glorot_uniform", layers.GlorotUniform{}, ""},
		{"glorot_normal", layers.GlorotNormal{}, ""},
		{"he_uniform", layers.HeUniform{}, ""},
		{"he_normal", layers.HeNormal{}, ""},
		{"lecun_uniform", layers.LecunUniform{}, ""},
		{"lecun_normal", layers.LecunNormal{}, ""},
		{"orthogonal", layers.Orthogonal{}, ""},
		{"zeros", layers.Zeros{}, ""},
		{"ones", layers.Ones{}, ""},
		{"constant", layers.Constant{}, ""},
		{"random_normal", layers.RandomNormal{}, ""},
		{"normal", layers.RandomNormal{}, ""},
		{"random_uniform", layers.RandomUniform{}, ""},
		{"uniform", layers.RandomUniform{}, ""},
		{"truncated_normal", layers.TruncatedNormal{}, ""},
		{"GlorotUniform", layers.GlorotUniform{}, ""},
		{"HeNormal", layers.HeNormal{}, ""},
		{"TruncatedNormal", layers.TruncatedNormal{}, ""},
		{"xavier", nil, `unknown initializer "xavier" (known: constant, glorot_normal, glorot_uniform,`},
		{"", nil, `unknown initializer ""`},
		{"Glorot_Uniform", nil, `unknown initializer "Glorot_Uniform"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := layers.InitializerByName(tt.name)
			wantError(t, err, tt.wantErr)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("InitializerByName(%q) = %#v, want %#v", tt.name, got, tt.want)
			}
		})
	}
}

func ExampleGlorotUniform() {
	// A [4, 2] kernel: fanIn 4, fanOut 2, limit sqrt(6/6) = 1.
	w := make([]float64, 8)
	if err := (layers.GlorotUniform{}).Fill(rand.New(rand.NewSource(1)), []int{4, 2}, w); err != nil {
		fmt.Println(err)
		return
	}
	inRange := true
	for _, v := range w {
		inRange = inRange && v >= -1 && v < 1
	}
	fmt.Println(inRange)
	// Output: true
}

func ExampleFans() {
	in, out, err := layers.Fans([]int{3, 3, 8, 16}) // a 3x3 convolution, 8 -> 16 channels
	fmt.Println(in, out, err)
	// Output: 72 144 <nil>
}

func ExampleInitializerByName() {
	init, err := layers.InitializerByName("he_normal")
	fmt.Printf("%T %v\n", init, err)
	_, err = layers.InitializerByName("xavier")
	fmt.Println(strings.SplitN(err.Error(), " (", 2)[0])
	// Output:
	// layers.HeNormal <nil>
	// unknown initializer "xavier"
}
