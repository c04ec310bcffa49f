package datasets_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

func TestSubset(t *testing.T) {
	tests := []struct {
		name      string
		d         *datasets.Dataset
		rows      []int
		wantX     any
		wantXDims []int
		wantY     any
	}{
		{
			name: "float64 matrix, reordered with a repeat",
			d: &datasets.Dataset{
				X: tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 5})),
				Y: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{7, 8, 9})),
			},
			rows:      []int{2, 0, 2},
			wantX:     []float64{4, 5, 0, 1, 4, 5},
			wantXDims: []int{3, 2},
			wantY:     []float64{9, 7, 9},
		},
		{
			name: "float32 rank 3 with one-hot targets",
			d: &datasets.Dataset{
				X: tensor.New(tensor.WithShape(3, 2, 2), tensor.WithBacking([]float32{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23})),
				Y: tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{1, 0, 0, 1, 1, 0})),
			},
			rows:      []int{1},
			wantX:     []float32{10, 11, 12, 13},
			wantXDims: []int{1, 2, 2},
			wantY:     []float32{0, 1},
		},
		{
			name: "int class ids",
			d: &datasets.Dataset{
				X: tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2})),
				Y: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, 1})),
			},
			rows:      []int{1, 0},
			wantX:     []float64{2, 1},
			wantXDims: []int{2, 1},
			wantY:     []int{1, 0},
		},
		{
			name: "no targets",
			d: &datasets.Dataset{
				X: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})),
			},
			rows:      []int{1, 1},
			wantX:     []float64{2, 2},
			wantXDims: []int{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.d.X.Clone()
			s, err := tt.d.Subset(tt.rows)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.X.Data(); !reflect.DeepEqual(got, tt.wantX) {
				t.Errorf("X = %v, want %v", got, tt.wantX)
			}
			if got := []int(s.X.Shape()); !reflect.DeepEqual(got, tt.wantXDims) {
				t.Errorf("X shape = %v, want %v", got, tt.wantXDims)
			}
			if s.Len() != len(tt.rows) {
				t.Errorf("Len() = %d, want %d", s.Len(), len(tt.rows))
			}
			if tt.wantY == nil {
				if s.Y != nil {
					t.Errorf("Y = %v, want nil", s.Y)
				}
			} else if got := s.Y.Data(); !reflect.DeepEqual(got, tt.wantY) {
				t.Errorf("Y = %v, want %v", got, tt.wantY)
			}
			// The subset is a copy: writing to it leaves the original alone.
			if s.Len() > 0 {
				switch x := s.X.Data().(type) {
				case []float64:
					x[0] = 99
				case []float32:
					x[0] = 99
				}
				if !reflect.DeepEqual(tt.d.X.Data(), before.(*tensor.Dense).Data()) {
					t.Error("writing to the subset changed the original")
				}
			}
		})
	}
}

func TestSubsetOfTransposedView(t *testing.T) {
	// X is the transpose of [[0 1 2] [3 4 5]]: rows [0 3], [1 4], [2 5].
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 5}))
	if err := x.T(); err != nil {
		t.Fatal(err)
	}
	d := &datasets.Dataset{X: x}
	s, err := d.Subset([]int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.X.Data().([]float64), []float64{2, 5, 0, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("X = %v, want %v", got, want)
	}
}

func TestSubsetErrors(t *testing.T) {
	ok := indexed([]int{0, 1, 0})
	tests := []struct {
		name     string
		d        *datasets.Dataset
		rows     []int
		contains string
	}{
		{"index out of range", ok, []int{0, 3}, "row 3 (index 1 in the list) is out of range [0, 3)"},
		{"negative index", ok, []int{-1}, "row -1"},
		{"no rows", ok, nil, `dataset "indexed": subset: no rows given`},
		{"rows of no values", &datasets.Dataset{
			X: tensor.New(tensor.WithShape(2, 0), tensor.WithBacking([]float64{})),
		}, []int{0}, "shape (2, 0) hold no values"},
		{"no X", &datasets.Dataset{Name: "empty"}, []int{0}, `dataset "empty": subset: X is nil`},
		{"mismatched rows", &datasets.Dataset{
			X: tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2})),
			Y: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})),
		}, []int{0}, "X shape (2, 1) and Y shape (3)"},
		{"unsupported dtype", &datasets.Dataset{
			X: tensor.New(tensor.WithShape(2), tensor.WithBacking([]bool{true, false})),
		}, []int{0}, "got bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.Subset(tt.rows)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	f64 := func(shape []int, v ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	tests := []struct {
		name     string
		d        *datasets.Dataset
		contains string // empty: valid
	}{
		{"valid", indexed([]int{0, 1}), ""},
		{"valid float32 with int ids", &datasets.Dataset{
			X: tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{1, 2})),
			Y: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, 1})),
		}, ""},
		{"no X", &datasets.Dataset{Y: f64([]int{1}, 0), Name: "d"}, `dataset "d": X is nil`},
		{"no Y", &datasets.Dataset{X: f64([]int{1}, 0), Name: "d"}, `dataset "d": Y is nil`},
		{"empty", &datasets.Dataset{X: f64([]int{0, 2}), Y: f64([]int{0})}, "no rows: X shape (0, 2)"},
		{"mismatched lengths", &datasets.Dataset{X: f64([]int{2, 1}, 1, 2), Y: f64([]int{3}, 0, 1, 2)},
			"X shape (2, 1) and Y shape (3) have different numbers of rows"},
		{"NaN in X", &datasets.Dataset{X: f64([]int{3, 2}, 0, 1, 2, 3, 4, math.NaN()), Y: f64([]int{3}, 0, 1, 2), Name: "d"},
			`dataset "d": X: row 2, position 1 of the row: value NaN`},
		{"Inf in Y", &datasets.Dataset{X: f64([]int{2, 1}, 0, 1), Y: f64([]int{2, 2}, 0, 1, math.Inf(-1), 0)},
			"Y: row 1, position 0 of the row: value -Inf"},
		{"NaN in float32 X", &datasets.Dataset{
			X: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{float32(math.NaN()), 1})),
			Y: f64([]int{2}, 0, 1),
		}, "X: row 0, position 0 of the row: value NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate()
			if tt.contains == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.contains)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
		})
	}
}

func TestLen(t *testing.T) {
	if n := (&datasets.Dataset{}).Len(); n != 0 {
		t.Errorf("empty Dataset Len() = %d, want 0", n)
	}
	if n := indexed(make([]int, 5)).Len(); n != 5 {
		t.Errorf("Len() = %d, want 5", n)
	}
}
