package datasets_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

func TestPadSequences(t *testing.T) {
	seqs := [][]int{{1, 2, 3}, {4, 5}, {6, 7, 8, 9, 10}, {}}
	tests := []struct {
		name                string
		maxLen              int
		padding, truncating string
		value               int
		want                [][]float32
	}{
		{"defaults are pre, longest", 0, "", "", 0, [][]float32{
			{0, 0, 1, 2, 3}, {0, 0, 0, 4, 5}, {6, 7, 8, 9, 10}, {0, 0, 0, 0, 0}}},
		{"post padding", 0, "post", "pre", 0, [][]float32{
			{1, 2, 3, 0, 0}, {4, 5, 0, 0, 0}, {6, 7, 8, 9, 10}, {0, 0, 0, 0, 0}}},
		{"pre truncating keeps the end", 3, "pre", "pre", 0, [][]float32{
			{1, 2, 3}, {0, 4, 5}, {8, 9, 10}, {0, 0, 0}}},
		{"post truncating keeps the start", 3, "post", "post", 0, [][]float32{
			{1, 2, 3}, {4, 5, 0}, {6, 7, 8}, {0, 0, 0}}},
		{"value", 4, "pre", "post", -1, [][]float32{
			{-1, 1, 2, 3}, {-1, -1, 4, 5}, {6, 7, 8, 9}, {-1, -1, -1, -1}}},
		{"longer than the longest", 6, "post", "", 0, [][]float32{
			{1, 2, 3, 0, 0, 0}, {4, 5, 0, 0, 0, 0}, {6, 7, 8, 9, 10, 0}, {0, 0, 0, 0, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := datasets.PadSequences(seqs, tt.maxLen, tt.padding, tt.truncating, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			n := len(tt.want[0])
			if want := []int{len(seqs), n}; !reflect.DeepEqual([]int(got.Shape()), want) {
				t.Fatalf("shape %v, want %v", got.Shape(), want)
			}
			data := got.Data().([]float32)
			for i, row := range tt.want {
				if !reflect.DeepEqual(data[i*n:(i+1)*n], row) {
					t.Errorf("row %d = %v, want %v", i, data[i*n:(i+1)*n], row)
				}
			}
		})
	}
	// The input is not changed.
	if !reflect.DeepEqual(seqs[2], []int{6, 7, 8, 9, 10}) {
		t.Errorf("input changed to %v", seqs)
	}
}

func TestPadSequencesErrors(t *testing.T) {
	tests := []struct {
		name                string
		seqs                [][]int
		maxLen              int
		padding, truncating string
		value               int
		want                string
	}{
		{"no sequences", nil, 3, "", "", 0, "no sequences"},
		{"negative maxLen", [][]int{{1}}, -2, "", "", 0, "maxLen must be >= 0, got -2"},
		{"all empty", [][]int{{}, {}}, 0, "", "", 0, "all 2 sequences are empty"},
		{"unknown padding", [][]int{{1}}, 0, "middle", "", 0, `padding must be "pre" or "post", got "middle"`},
		{"unknown truncating", [][]int{{1}}, 0, "", "Post", 0, `truncating must be "pre" or "post", got "Post"`},
		{"id too large", [][]int{{1}, {2, 1 << 25}}, 0, "", "", 0, "sequence 1, position 1: id 33554432 is beyond"},
		{"value too large", [][]int{{1}}, 0, "", "", -(1 << 25), "value -33554432 is beyond"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := datasets.PadSequences(tt.seqs, tt.maxLen, tt.padding, tt.truncating, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	series := []float64{1, 2, 3, 4, 5, 6}
	tests := []struct {
		name            string
		window, horizon int
		x, y            [][]float64
	}{
		{"next step", 3, 1,
			[][]float64{{1, 2, 3}, {2, 3, 4}, {3, 4, 5}},
			[][]float64{{4}, {5}, {6}}},
		{"two steps ahead", 2, 2,
			[][]float64{{1, 2}, {2, 3}, {3, 4}},
			[][]float64{{3, 4}, {4, 5}, {5, 6}}},
		{"one sample", 5, 1,
			[][]float64{{1, 2, 3, 4, 5}},
			[][]float64{{6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y, err := datasets.Windows(series, tt.window, tt.horizon)
			if err != nil {
				t.Fatal(err)
			}
			n := len(tt.x)
			if want := []int{n, tt.window, 1}; !reflect.DeepEqual([]int(x.Shape()), want) {
				t.Fatalf("x shape %v, want %v", x.Shape(), want)
			}
			if want := []int{n, tt.horizon}; !reflect.DeepEqual([]int(y.Shape()), want) {
				t.Fatalf("y shape %v, want %v", y.Shape(), want)
			}
			xd, yd := x.Data().([]float64), y.Data().([]float64)
			for i := 0; i < n; i++ {
				if got := xd[i*tt.window : (i+1)*tt.window]; !reflect.DeepEqual(got, tt.x[i]) {
					t.Errorf("x[%d] = %v, want %v", i, got, tt.x[i])
				}
				if got := yd[i*tt.horizon : (i+1)*tt.horizon]; !reflect.DeepEqual(got, tt.y[i]) {
					t.Errorf("y[%d] = %v, want %v", i, got, tt.y[i])
				}
			}
		})
	}
	// The windows are copies: changing x leaves the series alone.
	x, _, err := datasets.Windows(series, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	x.Data().([]float64)[0] = 100
	if series[0] != 1 {
		t.Error("Windows shares memory with the series")
	}
}

func TestWindowsErrors(t *testing.T) {
	nan := []float64{1, 2, 0, 4}
	nan[2] = nan[2] / nan[2]
	tests := []struct {
		name            string
		series          []float64
		window, horizon int
		want            string
	}{
		{"zero window", []float64{1, 2, 3}, 0, 1, "window must be > 0, got 0"},
		{"negative horizon", []float64{1, 2, 3}, 1, -1, "horizon must be > 0, got -1"},
		{"window too long", []float64{1, 2, 3}, 4, 1, "window 4 plus horizon 1 is longer than the series of 3 values"},
		{"no room for the horizon", []float64{1, 2, 3}, 3, 1, "window 3 plus horizon 1 is longer than the series of 3 values"},
		{"empty series", nil, 1, 1, "longer than the series of 0 values"},
		{"NaN", nan, 2, 1, "series value 2 is NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := datasets.Windows(tt.series, tt.window, tt.horizon)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func ExamplePadSequences() {
	x, err := datasets.PadSequences([][]int{{5, 3}, {7, 1, 4, 2}}, 3, "pre", "pre", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.Shape(), x.Data())
	// Output: (2, 3) [0 5 3 1 4 2]
}

func ExampleWindows() {
	x, y, err := datasets.Windows([]float64{1, 2, 3, 4, 5}, 3, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.Shape(), x.Data())
	fmt.Println(y.Shape(), y.Data())
	// Output:
	// (2, 3, 1) [1 2 3 2 3 4]
	// (2, 1) [4 5]
}
