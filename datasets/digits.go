package datasets

import (
	"compress/gzip"
	_ "embed" // for the embedded digits data
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// digitsGz is data/digits.csv.gz: 1,797 rows of 64 pixels and a label, no
// header. See data/README.md for its source and checksum.
//
//go:embed data/digits.csv.gz
var digitsGz string

const (
	digitsRows    = 1797
	digitsPixels  = 64
	digitsClasses = 10
	digitsMaxPix  = 16
)

// Digits returns the UCI optical recognition of handwritten digits set as
// redistributed with scikit-learn (embedded in the binary, about 57 KiB): X is
// float64 [1797, 64], the 8x8 images row by row with raw pixel values 0..16
// (scale them before training); Y is float64 [1797], the class ids 0..9.
// ClassNames is "0".."9" and Name "digits". Each call parses a fresh copy. It
// returns an error only if the embedded data is malformed.
func Digits() (*Dataset, error) {
	d, err := readDigits(strings.NewReader(digitsGz))
	if err != nil {
		return nil, errors.Wrap(err, "digits: embedded data/digits.csv.gz")
	}
	return d, nil
}

// readDigits parses the gzipped digits CSV from r.
func readDigits(r io.Reader) (*Dataset, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, errors.Wrap(err, "gunzip")
	}
	d, err := parseDigits(zr, digitsRows)
	if err != nil {
		return nil, err
	}
	if err := zr.Close(); err != nil {
		return nil, errors.Wrap(err, "gunzip")
	}
	return d, nil
}

// parseDigits parses the plain digits CSV from r: exactly wantRows lines of
// 64 integer pixels in [0, 16] and an integer label in [0, 9], no header.
// Errors name the line and the value.
func parseDigits(r io.Reader, wantRows int) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = digitsPixels + 1
	cr.ReuseRecord = true
	x := make([]float64, 0, wantRows*digitsPixels)
	y := make([]float64, 0, wantRows)
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Wrap(err, "csv")
		}
		if len(y) == wantRows {
			return nil, errors.Errorf("line %d: more than %d rows", line, wantRows)
		}
		for j, f := range rec {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			hi, what := digitsMaxPix, "pixel"
			if j == digitsPixels {
				hi, what = digitsClasses-1, "label"
			}
			if err != nil || v < 0 || v > hi {
				return nil, errors.Errorf("line %d, column %d: %s %q is not an integer in [0, %d]", line, j+1, what, f, hi)
			}
			if j == digitsPixels {
				y = append(y, float64(v))
			} else {
				x = append(x, float64(v))
			}
		}
	}
	if len(y) != wantRows {
		return nil, errors.Errorf("got %d rows, want %d", len(y), wantRows)
	}
	names := make([]string, digitsClasses)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return &Dataset{
		X:          tensor.New(tensor.WithShape(wantRows, digitsPixels), tensor.WithBacking(x)),
		Y:          tensor.New(tensor.WithShape(wantRows), tensor.WithBacking(y)),
		ClassNames: names,
		Name:       "digits",
	}, nil
}
