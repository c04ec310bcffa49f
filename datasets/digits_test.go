package datasets_test

import (
	"reflect"
	"testing"

	"github.com/profundo/profundo/datasets"
)

func TestDigits(t *testing.T) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := []int(d.X.Shape()), []int{1797, 64}; !reflect.DeepEqual(got, want) {
		t.Fatalf("X shape = %v, want %v", got, want)
	}
	if got, want := []int(d.Y.Shape()), []int{1797}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Y shape = %v, want %v", got, want)
	}
	if d.Name != "digits" {
		t.Errorf("Name = %q, want digits", d.Name)
	}
	if want := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; !reflect.DeepEqual(d.ClassNames, want) {
		t.Errorf("ClassNames = %v, want %v", d.ClassNames, want)
	}
	counts := make([]int, 10)
	for i, y := range d.Y.Data().([]float64) {
		if y != float64(int(y)) || y < 0 || y > 9 {
			t.Fatalf("Y[%d] = %v, want a class id 0..9", i, y)
		}
		counts[int(y)]++
	}
	for c, n := range counts {
		if n < 170 || n > 190 {
			t.Errorf("class %d has %d rows, want about 180", c, n)
		}
	}
	if counts[0] != 178 || counts[8] != 174 {
		t.Errorf("class counts %v, want 178 zeros and 174 eights as in the UCI set", counts)
	}
	lo, hi := 100.0, -1.0
	for _, v := range d.X.Data().([]float64) {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 16 {
		t.Errorf("pixel range [%v, %v], want [0, 16]", lo, hi)
	}
	// The first image is a zero; its first row of pixels is 0 0 5 13 9 1 0 0.
	if got, want := d.X.Data().([]float64)[:8], []float64{0, 0, 5, 13, 9, 1, 0, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("first pixel row = %v, want %v", got, want)
	}
	if d.Y.Data().([]float64)[0] != 0 {
		t.Errorf("first label = %v, want 0", d.Y.Data().([]float64)[0])
	}

	// Each call is a fresh copy.
	d.X.Data().([]float64)[0] = 99
	d2, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	if d2.X.Data().([]float64)[0] != 0 {
		t.Error("Digits returned data shared with an earlier call")
	}
}
