package datasets_test

import (
	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

// indexed makes a dataset of n rows whose X row i is [i, -i] (float64) and
// whose Y is the class ids given, as float64 [n].
func indexed(classes []int) *datasets.Dataset {
	n := len(classes)
	x := make([]float64, 0, 2*n)
	y := make([]float64, 0, n)
	for i, c := range classes {
		x = append(x, float64(i), -float64(i))
		y = append(y, float64(c))
	}
	return &datasets.Dataset{
		X:    tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(x)),
		Y:    tensor.New(tensor.WithShape(n), tensor.WithBacking(y)),
		Name: "indexed",
	}
}

// classesOf repeats class c counts[c] times.
func classesOf(counts ...int) []int {
	var out []int
	for c, n := range counts {
		for i := 0; i < n; i++ {
			out = append(out, c)
		}
	}
	return out
}

// rowIDs reads back the original row index of each row of an indexed subset.
func rowIDs(d *datasets.Dataset) []int {
	x := d.X.Data().([]float64)
	ids := make([]int, d.Len())
	for i := range ids {
		ids[i] = int(x[2*i])
	}
	return ids
}
