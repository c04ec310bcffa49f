package losses_test

import (
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/losses"
)

func TestSparseEncodeTargets(t *testing.T) {
	tests := []struct {
		name    string
		y       *tensor.Dense
		out     []int
		want    *tensor.Dense
		wantErr string
	}{
		{
			name: "float64 [n]",
			y:    tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{2, 0, 1})),
			out:  []int{3},
			want: tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{0, 0, 1, 1, 0, 0, 0, 1, 0})),
		},
		{
			name: "float32 [n, 1]",
			y:    tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{1, 3})),
			out:  []int{4},
			want: tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{0, 1, 0, 0, 0, 0, 0, 1})),
		},
		{
			name:    "label out of range",
			y:       tensor.New(tensor.WithShape(6), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 12})),
			out:     []int{10},
			wantErr: "sparse_categorical_crossentropy: label 12 at row 5 is outside [0, 10)",
		},
		{
			name:    "negative label",
			y:       tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{-1, 0})),
			out:     []int{2},
			wantErr: "label -1 at row 0 is outside [0, 2)",
		},
		{
			name:    "label equal to k",
			y:       tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 2})),
			out:     []int{2},
			wantErr: "label 2 at row 1 is outside [0, 2)",
		},
		{
			name:    "non-integer label",
			y:       tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 2.5, 1})),
			out:     []int{3},
			wantErr: "label 2.5 at row 1 is not an integer",
		},
		{
			name:    "NaN label",
			y:       tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{0, float32(nan())})),
			out:     []int{3},
			wantErr: "label NaN at row 1 is not an integer",
		},
		{
			name:    "one-hot given",
			y:       tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 0, 0, 0, 1, 0})),
			out:     []int{3},
			wantErr: "class ids must be [n] or [n, 1], got shape (2, 3)",
		},
		{
			name:    "one output",
			y:       tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 1})),
			out:     []int{1},
			wantErr: "output shape must be [k] with k >= 2 classes, got [1]",
		},
		{
			name:    "output of two axes",
			y:       tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 1})),
			out:     []int{2, 3},
			wantErr: "output shape must be [k] with k >= 2 classes, got [2 3]",
		},
		{
			name:    "int labels",
			y:       tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, 1})),
			out:     []int{2},
			wantErr: "targets must be float32 or float64, got int",
		},
		{
			name:    "nil",
			out:     []int{2},
			wantErr: "targets are nil",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := losses.SparseCategoricalCrossentropy{}.EncodeTargets(tc.y, tc.out)
			checkEncoded(t, got, err, tc.want, tc.wantErr)
		})
	}
}

func TestBinaryEncodeTargets(t *testing.T) {
	col := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{0, 1, 0.5}))
	tests := []struct {
		name    string
		y       *tensor.Dense
		out     []int
		want    *tensor.Dense
		same    bool // the result is y itself
		wantErr string
	}{
		{name: "[n, 1] unchanged", y: col, out: []int{1}, want: col, same: true},
		{
			name: "[n] reshaped",
			y:    tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{0, 1, 1})),
			out:  []int{1},
			want: tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{0, 1, 1})),
		},
		{
			name: "multi-label",
			y:    tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 1, 1})),
			out:  []int{2},
			want: tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 1, 1})),
		},
		{
			name:    "target 1.5",
			y:       tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0, 1, 0, 1.5})),
			out:     []int{1},
			wantErr: "binary_crossentropy: target 1.5 at row 3 is outside [0, 1]",
		},
		{
			name:    "negative target in second row",
			y:       tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0, 1, 1, -0.5})),
			out:     []int{2},
			wantErr: "target -0.5 at row 1 is outside [0, 1]",
		},
		{
			name:    "NaN target",
			y:       tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{nan(), 1})),
			out:     []int{1},
			wantErr: "target NaN at row 0 is outside [0, 1]",
		},
		{
			name:    "wrong shape",
			y:       tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 1, 0})),
			out:     []int{1},
			wantErr: "targets shape (2, 2) does not match the output shape (1): want (n, 1)",
		},
		{
			name:    "[n] for two outputs",
			y:       tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{0, 1, 1, 0})),
			out:     []int{2},
			wantErr: "want (n, 2)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before tensor.Shape
			if tc.y != nil {
				before = tc.y.Shape().Clone()
			}
			got, err := losses.BinaryCrossentropy{}.EncodeTargets(tc.y, tc.out)
			checkEncoded(t, got, err, tc.want, tc.wantErr)
			if err == nil && tc.same && got != tc.y {
				t.Errorf("EncodeTargets returned a new tensor, want y itself")
			}
			if tc.y != nil && !reflect.DeepEqual([]int(tc.y.Shape()), []int(before)) {
				t.Errorf("EncodeTargets changed y's shape to %v", tc.y.Shape())
			}
		})
	}
}

func TestCategoricalEncodeTargets(t *testing.T) {
	hot := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 0, 0, 0, 0.5, 0.5}))
	got, err := losses.CategoricalCrossentropy{}.EncodeTargets(hot, []int{3})
	if err != nil || got != hot {
		t.Errorf("EncodeTargets(one-hot) = %v, %v; want y itself", got, err)
	}
	tests := []struct {
		name    string
		y       *tensor.Dense
		out     []int
		wantErr string
	}{
		{"class ids", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 2})), []int{3},
			"categorical_crossentropy: targets shape (2) does not match the output shape (3): want (n, 3)"},
		{"too few classes", hot, []int{4}, "want (n, 4)"},
		{"infinite", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 0, 0, float32(inf())})), []int{2},
			"target +Inf at row 1 is not finite"},
		{"NaN", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{nan(), 1, 0, 1})), []int{2},
			"target NaN at row 0 is not finite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := losses.CategoricalCrossentropy{}.EncodeTargets(tc.y, tc.out)
			checkEncoded(t, nil, err, nil, tc.wantErr)
		})
	}
}

// checkEncoded compares an EncodeTargets result with want, or its error
// with wantErr when that is set.
func checkEncoded(t *testing.T, got *tensor.Dense, err error, want *tensor.Dense, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("error = %v, want it to contain %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("EncodeTargets: %v", err)
	}
	if !reflect.DeepEqual([]int(got.Shape()), []int(want.Shape())) {
		t.Errorf("shape = %v, want %v", got.Shape(), want.Shape())
	}
	if got.Dtype() != want.Dtype() {
		t.Errorf("dtype = %v, want %v", got.Dtype(), want.Dtype())
	}
	if !reflect.DeepEqual(got.Data(), want.Data()) {
		t.Errorf("values = %v, want %v", got.Data(), want.Data())
	}
}
